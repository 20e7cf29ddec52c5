CREATE SCHEMA IF NOT EXISTS "content";
--> statement-breakpoint
CREATE TYPE "content"."post_status" AS ENUM('DRAFT', 'PUBLISHED');--> statement-breakpoint
CREATE TYPE "content"."visibility" AS ENUM('PUBLIC', 'PRIVATE');--> statement-breakpoint
CREATE TABLE "content"."comments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"post_id" uuid NOT NULL,
	"root_id" uuid,
	"parent_id" uuid,
	"author_id" uuid NOT NULL,
	"anonymous" boolean DEFAULT false NOT NULL,
	"pseudonym" text,
	"body" text NOT NULL,
	"reply_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "comments_thread_check" CHECK (("content"."comments"."root_id" is null) = ("content"."comments"."parent_id" is null))
);
--> statement-breakpoint
CREATE TABLE "content"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"topic" text NOT NULL,
	"key" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"headers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "outbox_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "content"."post_tags" (
	"tag" text NOT NULL,
	"post_id" uuid NOT NULL,
	"published_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "post_tags_post_id_tag_pk" PRIMARY KEY("post_id","tag")
);
--> statement-breakpoint
CREATE TABLE "content"."posts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"author_id" uuid NOT NULL,
	"anonymous" boolean DEFAULT false NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"media_urls" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "content"."post_status" NOT NULL,
	"visibility" "content"."visibility" DEFAULT 'PUBLIC' NOT NULL,
	"comment_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp (3) with time zone,
	"deleted_at" timestamp (3) with time zone,
	CONSTRAINT "posts_published_at_check" CHECK ("content"."posts"."status" = 'DRAFT' or "content"."posts"."published_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "content"."pseudonyms" (
	"post_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pseudonyms_post_id_user_id_pk" PRIMARY KEY("post_id","user_id"),
	CONSTRAINT "pseudonyms_post_ordinal_key" UNIQUE("post_id","ordinal"),
	CONSTRAINT "pseudonyms_post_name_key" UNIQUE("post_id","name")
);
--> statement-breakpoint
ALTER TABLE "content"."comments" ADD CONSTRAINT "comments_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "content"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content"."comments" ADD CONSTRAINT "comments_root_id_comments_id_fk" FOREIGN KEY ("root_id") REFERENCES "content"."comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content"."comments" ADD CONSTRAINT "comments_parent_id_comments_id_fk" FOREIGN KEY ("parent_id") REFERENCES "content"."comments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content"."post_tags" ADD CONSTRAINT "post_tags_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "content"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content"."pseudonyms" ADD CONSTRAINT "pseudonyms_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "content"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "comments_post_thread_idx" ON "content"."comments" USING btree ("post_id","root_id","created_at","id");--> statement-breakpoint
CREATE INDEX "comments_root_idx" ON "content"."comments" USING btree ("root_id","created_at","id") WHERE "content"."comments"."root_id" is not null;--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "content"."outbox" USING btree ("id") WHERE "content"."outbox"."published_at" is null;--> statement-breakpoint
CREATE INDEX "post_tags_tag_idx" ON "content"."post_tags" USING btree ("tag","published_at" DESC NULLS LAST,"post_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "posts_listed_idx" ON "content"."posts" USING btree ("published_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "content"."posts"."status" = 'PUBLISHED' and "content"."posts"."visibility" = 'PUBLIC' and "content"."posts"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "posts_author_listed_idx" ON "content"."posts" USING btree ("author_id","published_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "content"."posts"."status" = 'PUBLISHED' and "content"."posts"."visibility" = 'PUBLIC' and "content"."posts"."deleted_at" is null and not "content"."posts"."anonymous";--> statement-breakpoint
CREATE INDEX "posts_author_drafts_idx" ON "content"."posts" USING btree ("author_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "content"."posts"."status" = 'DRAFT' and "content"."posts"."deleted_at" is null;