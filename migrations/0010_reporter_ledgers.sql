-- Unlinkable at rest (issue 14): items no longer carry a per-reporter blind index (all of one person's
-- items shared it, so one identified item named the others). Each reporter's items are listed in one
-- sealed row of reporter_ledgers, keyed by a blind index of the person, with no time or order of its own.
CREATE TABLE "reporter_ledgers" (
	"key" text PRIMARY KEY NOT NULL,
	"entries" text NOT NULL
);
--> statement-breakpoint
-- Only the application holds the key that opens reporter_sealed: it moves existing items into ledgers
-- at its next start (src/items/ledger.ts convertLegacyReporterRefs) and nulls reporter_ref. This marks a
-- database that has such items (rows still in clear in reporter_id are moved by sealLegacyRows first).
INSERT INTO "settings" ("key", "value")
SELECT 'ledger.legacy_refs', 'true'::jsonb
WHERE EXISTS (SELECT 1 FROM "items" WHERE "reporter_ref" IS NOT NULL OR "reporter_id" IS NOT NULL)
ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
-- Nothing looks items up by reporter any more.
DROP INDEX IF EXISTS "items_reporter_idx";
