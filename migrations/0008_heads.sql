-- Heads (一把手) as records (issue 17): people with tenure, the integrity card per person, talks and
-- audits as a worklist, 四个必下 marks. Every existing deduction and must-talk reminder is kept: the
-- deductions gain the person they belong to, the reminders become open or done integrity talks.
CREATE TABLE "heads" (
	"person_key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "head_tenures" (
	"id" serial PRIMARY KEY NOT NULL,
	"person_key" text NOT NULL,
	"unit_code" text NOT NULL,
	"title" text,
	"from_date" date NOT NULL,
	"to_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "head_tenures_unit_idx" ON "head_tenures" USING btree ("unit_code","from_date");
--> statement-breakpoint
CREATE INDEX "head_tenures_person_idx" ON "head_tenures" USING btree ("person_key","from_date");
--> statement-breakpoint
CREATE UNIQUE INDEX "head_tenures_one_in_office_idx" ON "head_tenures" USING btree ("unit_code") WHERE "head_tenures"."to_date" is null;
--> statement-breakpoint
CREATE TABLE "obligations" (
	"key" text PRIMARY KEY NOT NULL,
	"id" serial NOT NULL,
	"kind" text NOT NULL,
	"occasion" text NOT NULL,
	"person_key" text NOT NULL,
	"unit_code" text NOT NULL,
	"item_id" integer,
	"created_on" date NOT NULL,
	"starts_on" date NOT NULL,
	"due_on" date NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"settled_on" date,
	"note" text,
	"superseded_by" text,
	"settled_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "obligations_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE INDEX "obligations_open_idx" ON "obligations" USING btree ("due_on") WHERE "obligations"."state" = 'open';
--> statement-breakpoint
CREATE INDEX "obligations_person_idx" ON "obligations" USING btree ("person_key");
--> statement-breakpoint
CREATE INDEX "obligations_item_idx" ON "obligations" USING btree ("item_id");
--> statement-breakpoint
CREATE TABLE "must_remove_marks" (
	"key" text PRIMARY KEY NOT NULL,
	"id" serial NOT NULL,
	"person_key" text NOT NULL,
	"unit_code" text NOT NULL,
	"reason" text NOT NULL,
	"raised_on" date NOT NULL,
	"item_id" integer,
	"state" text DEFAULT 'pending' NOT NULL,
	"outcome" text,
	"resolved_on" date,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "must_remove_marks_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE INDEX "must_remove_person_idx" ON "must_remove_marks" USING btree ("person_key");
--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "head_person_key" text;
--> statement-breakpoint
ALTER TABLE "points_deductions" ADD COLUMN "person_key" text;
--> statement-breakpoint
-- A deduction that recorded the head's name belongs to that person (one per unit and name: the old
-- rows cannot tell two namesakes apart, and an admin's /head joins them to a real tenure by the
-- same-person question); one without a name to "the unknown head of <unit>" (domain/heads.ts).
INSERT INTO "heads" ("person_key", "name")
SELECT DISTINCT 'legacy:' || md5(upper("unit_code") || '|' || btrim("head_name")), btrim("head_name")
FROM "points_deductions"
WHERE btrim(coalesce("head_name", '')) <> '';
--> statement-breakpoint
UPDATE "points_deductions" SET "person_key" = CASE
	WHEN btrim(coalesce("head_name", '')) = '' THEN 'unknown:' || upper("unit_code")
	ELSE 'legacy:' || md5(upper("unit_code") || '|' || btrim("head_name"))
END;
--> statement-breakpoint
ALTER TABLE "points_deductions" ALTER COLUMN "person_key" SET NOT NULL;
--> statement-breakpoint
CREATE INDEX "points_person_year_idx" ON "points_deductions" USING btree ("person_key","year");
--> statement-breakpoint
-- Items from before heads existed are about the person their points went to, else the unit's unknown head.
UPDATE "items" SET "head_person_key" = coalesce(
	(SELECT d."person_key" FROM "points_deductions" d WHERE d."item_id" = "items"."id" ORDER BY d."id" LIMIT 1),
	'unknown:' || upper("unit_code")
);
--> statement-breakpoint
-- Each must-talk reminder becomes an integrity talk (八必谈: 廉洁情况有反映) with the same item, state
-- and day. Its due day is 14 calendar days on: the 10 working days talks get (TALK_DUE_WORKING_DAYS),
-- counted Monday to Friday from a weekday; days are taken in Asia/Shanghai, the county's default zone.
INSERT INTO "obligations" ("key", "kind", "occasion", "person_key", "unit_code", "item_id",
	"created_on", "starts_on", "due_on", "state", "settled_on", "created_at")
SELECT
	CASE WHEN r."item_id" IS NULL THEN 'talk:integrity_reports:reminder:' || r."id"
		ELSE 'talk:integrity_reports:item:' || r."item_id" END,
	'talk', 'integrity_reports',
	coalesce(i."head_person_key", 'unknown:' || upper(r."unit_code")),
	upper(r."unit_code"), r."item_id",
	(r."created_at" AT TIME ZONE 'Asia/Shanghai')::date,
	(r."created_at" AT TIME ZONE 'Asia/Shanghai')::date,
	(r."created_at" AT TIME ZONE 'Asia/Shanghai')::date + 14,
	CASE WHEN r."done_at" IS NULL THEN 'open' ELSE 'done' END,
	(r."done_at" AT TIME ZONE 'Asia/Shanghai')::date,
	r."created_at"
FROM "reminders" r
LEFT JOIN "items" i ON i."id" = r."item_id"
WHERE r."kind" = 'must_talk'
ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
-- Copied above: the worklist (obligations) is now their one home.
DROP TABLE "reminders";
