CREATE TABLE "edit_notices" (
	"key" text PRIMARY KEY NOT NULL,
	"day" date DEFAULT current_date NOT NULL
);
