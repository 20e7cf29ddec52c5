CREATE SCHEMA IF NOT EXISTS "search";
--> statement-breakpoint
CREATE TABLE "search"."consumer_offsets" (
	"consumer" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"cluster_id" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_offsets_consumer_topic_partition_pk" PRIMARY KEY("consumer","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "search"."counted_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"counted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search"."dead_letters" (
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
CREATE TABLE "search"."index_state" (
	"name" text NOT NULL,
	"generation" integer NOT NULL,
	"rebuilt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "index_state_name_pk" PRIMARY KEY("name")
);
--> statement-breakpoint
CREATE TABLE "search"."outbox" (
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
CREATE TABLE "search"."post_stats" (
	"post_id" text PRIMARY KEY NOT NULL,
	"likes" integer DEFAULT 0 NOT NULL,
	"comments" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search"."posts" (
	"post_id" text PRIMARY KEY NOT NULL,
	"author_id" text,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"tags" text[] NOT NULL,
	"published_at" timestamp with time zone,
	"version" timestamp with time zone NOT NULL,
	"searchable" boolean NOT NULL,
	"likes" integer DEFAULT 0 NOT NULL,
	"comments" integer DEFAULT 0 NOT NULL,
	"vector" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search"."tags" (
	"name" text PRIMARY KEY NOT NULL,
	"post_count" integer DEFAULT 0 NOT NULL,
	"vector" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search"."terms" (
	"key" text PRIMARY KEY NOT NULL,
	"display" text NOT NULL,
	"pinyin" text,
	"initials" text,
	"refs" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search"."user_stats" (
	"user_id" text PRIMARY KEY NOT NULL,
	"followers" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search"."users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"bio" text NOT NULL,
	"version" timestamp with time zone NOT NULL,
	"followers" integer DEFAULT 0 NOT NULL,
	"vector" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE INDEX "counted_events_at_idx" ON "search"."counted_events" USING btree ("counted_at");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "search"."outbox" USING btree ("id") WHERE "search"."outbox"."published_at" is null;--> statement-breakpoint
CREATE INDEX "posts_vector_idx" ON "search"."posts" USING gin ("vector") WHERE "search"."posts"."searchable";--> statement-breakpoint
CREATE INDEX "tags_vector_idx" ON "search"."tags" USING gin ("vector") WHERE "search"."tags"."post_count" > 0;--> statement-breakpoint
CREATE INDEX "terms_key_prefix_idx" ON "search"."terms" USING btree ("key" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "terms_pinyin_prefix_idx" ON "search"."terms" USING btree ("pinyin" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "terms_initials_prefix_idx" ON "search"."terms" USING btree ("initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "users_vector_idx" ON "search"."users" USING gin ("vector");