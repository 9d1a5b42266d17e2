-- Integrity at rest (issue 14): values are now sealed in the v2 format, bound to their table and column
-- (and an item's reporter to its row) as AES-GCM associated data. A database holding v1 values (bound to
-- nothing) is marked here; the next start reseals them, then refuses v1 and clear values wherever read.
INSERT INTO "settings" ("key", "value") SELECT 'sealing.v1_values', 'true'::jsonb
	WHERE EXISTS (SELECT 1 FROM "items" WHERE "text"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "items" WHERE "reference"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "items" WHERE "conclusion"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "items" WHERE "reporter_sealed"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "item_additions" WHERE "text"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "item_attachments" WHERE "file_id"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "item_attachments" WHERE "file_unique_id"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "people" WHERE "display_name"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "people" WHERE "username"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "outbox" WHERE "payload"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "outbox" WHERE "ref"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "inbox_updates" WHERE "payload"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "dialogues" WHERE "data"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "heads" WHERE "notes"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "obligations" WHERE "note"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "must_remove_marks" WHERE "note"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "reply_refs" WHERE "value"::text LIKE 'v1.%')
	OR EXISTS (SELECT 1 FROM "reporter_ledgers" WHERE "entries"::text LIKE 'v1.%')
	ON CONFLICT ("key") DO NOTHING;
