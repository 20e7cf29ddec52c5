DROP INDEX "content"."comments_post_thread_idx";--> statement-breakpoint
DROP INDEX "content"."post_tags_tag_idx";--> statement-breakpoint
DROP INDEX "content"."posts_listed_idx";--> statement-breakpoint
DROP INDEX "content"."posts_author_listed_idx";--> statement-breakpoint
DROP INDEX "content"."posts_author_drafts_idx";--> statement-breakpoint
CREATE INDEX "comments_post_roots_idx" ON "content"."comments" USING btree ("post_id","created_at","id") WHERE "content"."comments"."root_id" is null;--> statement-breakpoint
CREATE INDEX "post_tags_tag_idx" ON "content"."post_tags" USING btree ("tag","published_at" DESC NULLS FIRST,"post_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "posts_listed_idx" ON "content"."posts" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "content"."posts"."status" = 'PUBLISHED' and "content"."posts"."visibility" = 'PUBLIC' and "content"."posts"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "posts_author_listed_idx" ON "content"."posts" USING btree ("author_id","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "content"."posts"."status" = 'PUBLISHED' and "content"."posts"."visibility" = 'PUBLIC' and "content"."posts"."deleted_at" is null and not "content"."posts"."anonymous";--> statement-breakpoint
CREATE INDEX "posts_author_drafts_idx" ON "content"."posts" USING btree ("author_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "content"."posts"."status" = 'DRAFT' and "content"."posts"."deleted_at" is null;