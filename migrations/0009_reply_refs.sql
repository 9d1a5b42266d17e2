-- Unlinkable at rest (issue 14): a message delivered to a private chat is deleted from the outbox, so
-- no row keeps a person's chat id beside the time of an item. What a reply to it needs (which item a
-- receipt or a relayed question was about) moves here: found by a keyed index of chat and message id,
-- sealed, with the day only (for the purge), never a time.
CREATE TABLE "reply_refs" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"day" date DEFAULT current_date NOT NULL
);
--> statement-breakpoint
-- Delivered private messages already in the outbox are moved at the next start (their index needs the key).
INSERT INTO "settings" ("key", "value") SELECT 'outbox.delivered_private_rows', 'true'::jsonb
	WHERE EXISTS (SELECT 1 FROM "outbox" WHERE "status" = 'sent' AND "chat_id" > 0)
	ON CONFLICT ("key") DO NOTHING;
