CREATE TABLE "social"."cache_refresh" (
	"key" text NOT NULL,
	"kind" text NOT NULL,
	"ids" uuid[] NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cache_refresh_key_kind_pk" PRIMARY KEY("key","kind")
);
--> statement-breakpoint
CREATE INDEX "cache_refresh_marked_idx" ON "social"."cache_refresh" USING btree ("marked_at");