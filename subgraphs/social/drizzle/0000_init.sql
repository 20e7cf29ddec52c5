CREATE SCHEMA IF NOT EXISTS "social";
--> statement-breakpoint
CREATE TYPE "social"."post_status" AS ENUM('DRAFT', 'PUBLISHED');--> statement-breakpoint
CREATE TYPE "social"."visibility" AS ENUM('PUBLIC', 'PRIVATE');--> statement-breakpoint
CREATE TABLE "social"."bookmarks" (
	"user_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookmarks_user_id_post_id_pk" PRIMARY KEY("user_id","post_id")
);
--> statement-breakpoint
CREATE TABLE "social"."consumer_offsets" (
	"consumer" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"cluster_id" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_offsets_consumer_topic_partition_pk" PRIMARY KEY("consumer","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "social"."dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consumer" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"offset" bigint NOT NULL,
	"key" text,
	"value" text,
	"headers" jsonb NOT NULL,
	"error" text NOT NULL,
	"attempts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "social"."feed_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "social"."follows" (
	"follower_id" uuid NOT NULL,
	"followee_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"friends_since" timestamp (3) with time zone,
	CONSTRAINT "follows_follower_id_followee_id_pk" PRIMARY KEY("follower_id","followee_id")
);
--> statement-breakpoint
CREATE TABLE "social"."likes" (
	"user_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "likes_user_id_post_id_pk" PRIMARY KEY("user_id","post_id")
);
--> statement-breakpoint
CREATE TABLE "social"."outbox" (
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
CREATE TABLE "social"."pending_counts" (
	"event_id" uuid NOT NULL,
	"subject" uuid NOT NULL,
	"counter" text NOT NULL,
	"delta" smallint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pending_counts_event_id_counter_pk" PRIMARY KEY("event_id","counter")
);
--> statement-breakpoint
CREATE TABLE "social"."posts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"author_id" uuid,
	"anonymous" boolean DEFAULT false NOT NULL,
	"status" "social"."post_status",
	"visibility" "social"."visibility",
	"published_at" timestamp (3) with time zone,
	"deleted_at" timestamp (3) with time zone,
	"pushed" boolean,
	"likes" integer DEFAULT 0 NOT NULL,
	"bookmarks" integer DEFAULT 0 NOT NULL,
	"views" bigint DEFAULT 0 NOT NULL,
	"comments" integer DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "social"."user_counters" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"followers" integer DEFAULT 0 NOT NULL,
	"following" integer DEFAULT 0 NOT NULL,
	"likes_received" integer DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "social"."users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"registered_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "bookmarks_user_recent_idx" ON "social"."bookmarks" USING btree ("user_id","created_at" DESC NULLS FIRST,"post_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "follows_following_idx" ON "social"."follows" USING btree ("follower_id","created_at" DESC NULLS FIRST,"followee_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "follows_followers_idx" ON "social"."follows" USING btree ("followee_id","created_at" DESC NULLS FIRST,"follower_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "follows_friends_idx" ON "social"."follows" USING btree ("follower_id","friends_since" DESC NULLS FIRST,"followee_id" DESC NULLS FIRST) WHERE "social"."follows"."friends_since" is not null;--> statement-breakpoint
CREATE INDEX "likes_user_recent_idx" ON "social"."likes" USING btree ("user_id","created_at" DESC NULLS FIRST,"post_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "social"."outbox" USING btree ("id") WHERE "social"."outbox"."published_at" is null;--> statement-breakpoint
CREATE INDEX "pending_counts_subject_idx" ON "social"."pending_counts" USING btree ("subject");--> statement-breakpoint
CREATE INDEX "posts_author_feed_idx" ON "social"."posts" USING btree ("author_id","pushed","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "social"."posts"."status" = 'PUBLISHED' and "social"."posts"."visibility" = 'PUBLIC' and "social"."posts"."deleted_at" is null and not "social"."posts"."anonymous";--> statement-breakpoint
CREATE INDEX "posts_listed_recent_idx" ON "social"."posts" USING btree ("published_at") WHERE "social"."posts"."status" = 'PUBLISHED' and "social"."posts"."visibility" = 'PUBLIC' and "social"."posts"."deleted_at" is null;