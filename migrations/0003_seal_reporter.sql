DROP INDEX "items_reporter_idx";--> statement-breakpoint
ALTER TABLE "dialogues" ALTER COLUMN "data" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "dialogues" ALTER COLUMN "data" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "inbox_updates" ALTER COLUMN "payload" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "items" ALTER COLUMN "conclusion" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "outbox" ALTER COLUMN "payload" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "reporter_ref" text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "reporter_sealed" text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "purged_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "items_reporter_idx" ON "items" USING btree ("reporter_ref","created_at");