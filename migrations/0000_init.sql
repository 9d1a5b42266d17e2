CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" bigint,
	"action" text NOT NULL,
	"item_id" integer,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "dialogues" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"step" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "digest_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"period_key" text NOT NULL,
	"occurrence_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox_updates" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"order_key" text NOT NULL,
	"payload" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"handled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"id" serial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"role" text NOT NULL,
	"community" text,
	"agency" text,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by" bigint,
	CONSTRAINT "invites_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "item_additions" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"kind" text NOT NULL,
	"author_id" bigint,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "item_attachments" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"file_kind" text NOT NULL,
	"file_id" text NOT NULL,
	"file_unique_id" text,
	"file_size" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_links" (
	"item_id" integer NOT NULL,
	"related_id" integer NOT NULL,
	CONSTRAINT "item_links_item_id_related_id_pk" PRIMARY KEY("item_id","related_id")
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_agency" text,
	"reporter_id" bigint,
	"signed" boolean NOT NULL,
	"domain" text NOT NULL,
	"unit_code" text NOT NULL,
	"text" text NOT NULL,
	"reference" text,
	"status" text DEFAULT 'new' NOT NULL,
	"must_investigate" boolean DEFAULT false NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"triage_due_at" timestamp with time zone,
	"conclude_due_at" timestamp with time zone,
	"repeat_subject" boolean DEFAULT false NOT NULL,
	"admins_only" boolean DEFAULT false NOT NULL,
	"assignee_id" bigint,
	"forwarded_agency" text,
	"merged_into" integer,
	"conclusion" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"content_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"triaged_at" timestamp with time zone,
	"concluded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_id" bigint NOT NULL,
	"method" text NOT NULL,
	"payload" jsonb,
	"file_bytes" "bytea",
	"file_name" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"ref" text,
	"result_message_id" bigint,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "people" (
	"telegram_id" bigint PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"community" text,
	"agency" text,
	"display_name" text,
	"username" text,
	"language" text,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_reported_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "points_deductions" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_code" text NOT NULL,
	"head_name" text,
	"year" integer NOT NULL,
	"points" numeric(3, 1) NOT NULL,
	"item_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"unit_code" text NOT NULL,
	"item_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"kind" text NOT NULL,
	"audit_class" text,
	"head_name" text,
	"head_title" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_item_idx" ON "audit_log" USING btree ("item_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "digest_runs_period_idx" ON "digest_runs" USING btree ("kind","period_key");--> statement-breakpoint
CREATE INDEX "inbox_pending_idx" ON "inbox_updates" USING btree ("next_attempt_at","update_id") WHERE "inbox_updates"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "inbox_order_idx" ON "inbox_updates" USING btree ("order_key","update_id") WHERE "inbox_updates"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "item_additions_item_idx" ON "item_additions" USING btree ("item_id","id");--> statement-breakpoint
CREATE INDEX "item_attachments_item_idx" ON "item_attachments" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "items_created_idx" ON "items" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "items_status_idx" ON "items" USING btree ("status","triage_due_at");--> statement-breakpoint
CREATE INDEX "items_unit_domain_idx" ON "items" USING btree ("unit_code","domain","created_at");--> statement-breakpoint
CREATE INDEX "items_reporter_idx" ON "items" USING btree ("reporter_id","created_at");--> statement-breakpoint
CREATE INDEX "items_assignee_idx" ON "items" USING btree ("assignee_id","status");--> statement-breakpoint
CREATE INDEX "items_content_hash_idx" ON "items" USING btree ("content_hash","created_at");--> statement-breakpoint
CREATE INDEX "outbox_ready_idx" ON "outbox" USING btree ("not_before","id") WHERE "outbox"."status" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_chat_order_idx" ON "outbox" USING btree ("chat_id","id") WHERE "outbox"."status" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_reply_lookup_idx" ON "outbox" USING btree ("chat_id","result_message_id");--> statement-breakpoint
CREATE INDEX "points_unit_year_idx" ON "points_deductions" USING btree ("unit_code","year");