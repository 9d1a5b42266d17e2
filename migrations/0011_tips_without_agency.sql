-- Unlinkable at rest (issue 14): a liaison's personal tip no longer names their agency (one liaison per
-- agency, so the agency named the person). Notices, the agency's own information, keep it.
UPDATE "items" SET "source_agency" = NULL WHERE "kind" = 'tip' AND "source_agency" IS NOT NULL;
