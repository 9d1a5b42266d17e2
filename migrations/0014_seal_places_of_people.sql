-- Unlinkable at rest (issue 14): a monitor's community and a liaison's agency name the person (one per
-- community, one per agency), on people and on the invite they redeemed; they are now sealed. Rows in
-- clear are marked here; the next start seals them (as for migration 0004), then refuses clear values.
INSERT INTO "settings" ("key", "value") SELECT 'sealing.legacy_rows', 'true'::jsonb
	WHERE EXISTS (SELECT 1 FROM "people" WHERE ("community" IS NOT NULL AND "community" NOT LIKE 'v2.%')
	                                        OR ("agency" IS NOT NULL AND "agency" NOT LIKE 'v2.%'))
	   OR EXISTS (SELECT 1 FROM "invites" WHERE ("community" IS NOT NULL AND "community" NOT LIKE 'v2.%')
	                                         OR ("agency" IS NOT NULL AND "agency" NOT LIKE 'v2.%'))
	ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
-- The section chat's setting named the admin who bound it; the audit log already does.
UPDATE "settings" SET "value" = jsonb_set("value", '{boundBy}', 'null'::jsonb) WHERE "key" = 'section_chat';
