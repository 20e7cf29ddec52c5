ALTER TABLE "search"."posts" ADD COLUMN "rank_key" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "posts_rank_key_idx" ON "search"."posts" USING btree ("rank_key" DESC NULLS LAST) WHERE "search"."posts"."searchable";--> statement-breakpoint
UPDATE "search"."posts" SET "rank_key" = extract(epoch from coalesce("published_at", "version"))::float8 / 2592000 + ln(1 + 0.25 * ln(1 + greatest("likes" + 2 * "comments", 0)))::float8 / ln(2::float8) WHERE "searchable";
