CREATE TABLE "social"."cache_refresh" (
	"kind" text NOT NULL,
	"id" uuid NOT NULL,
	"version" bigint NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cache_refresh_kind_id_pk" PRIMARY KEY("kind","id")
);
--> statement-breakpoint
CREATE INDEX "cache_refresh_marked_idx" ON "social"."cache_refresh" USING btree ("marked_at");