-- Unlinkable at rest (issue 14): updates handled by an older release kept their sender's id as the order
-- key beside the time they were handled, which is the time of whatever they created. A handled update
-- needs no order key (it only orders pending ones): forget it now, as new ones do when handled.
UPDATE "inbox_updates" SET "order_key" = '' WHERE "status" = 'done' AND "order_key" <> '';
--> statement-breakpoint
-- A dialogue keeps the day it last moved, not the time: the time matched whatever the same update wrote.
UPDATE "dialogues" SET "updated_at" = date_trunc('day', "updated_at");
--> statement-breakpoint
-- An enrolment row named the person who redeemed the invite as its actor: their id in clear, in the audit
-- log's serial order beside the items'. New rows name the invite only; the old ones are brought in line,
-- the one change the append-only log is ever allowed, made here with its guard lifted for this statement.
ALTER TABLE "audit_log" DISABLE TRIGGER "audit_log_append_only";
--> statement-breakpoint
UPDATE "audit_log" SET "actor_id" = NULL, "details" = coalesce("details", '{}'::jsonb) || '{"by":"invitee"}'::jsonb
	WHERE "action" = 'person.enrolled' AND "actor_id" IS NOT NULL;
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER "audit_log_append_only";
--> statement-breakpoint
-- An ADMIN_IDS admin's language was kept under their id in clear; it is now under a keyed index, and is
-- learnt again from the admin's next message.
DELETE FROM "settings" WHERE "key" LIKE 'admin_language:%';
