-- Rows written before encryption at rest are sealed by the application at its next start
-- (src/crypto/reseal.ts sealLegacyRows); this marks a database that has such rows. A new, empty
-- database needs nothing sealed, so starting it costs no scan.
INSERT INTO "settings" ("key", "value")
SELECT 'sealing.legacy_rows', 'true'::jsonb
WHERE EXISTS (SELECT 1 FROM "items") OR EXISTS (SELECT 1 FROM "people")
   OR EXISTS (SELECT 1 FROM "outbox" WHERE "payload" IS NOT NULL)
   OR EXISTS (SELECT 1 FROM "inbox_updates" WHERE "payload" IS NOT NULL)
   OR EXISTS (SELECT 1 FROM "dialogues")
ON CONFLICT ("key") DO NOTHING;
