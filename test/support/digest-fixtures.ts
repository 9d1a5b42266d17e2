import type { Db } from '../../src/db/client.js';
import { items, people } from '../../src/db/schema.js';

type ItemRow = typeof items.$inferInsert;

/** Inserts an item directly (as intake would), with plausible defaults; returns its number. */
export async function insertItem(db: Db, overrides: Partial<ItemRow> = {}): Promise<number> {
  const [row] = await db
    .insert(items)
    .values({
      kind: 'tip',
      sourceKind: 'monitor',
      signed: false,
      domain: 'F',
      unitCode: 'HPZ',
      text: 'fixture text',
      ...overrides,
    })
    .returning({ id: items.id });
  if (!row) throw new Error('item not inserted');
  return row.id;
}

/** Inserts (or replaces) a person directly, with the fields digests read. */
export async function insertPerson(db: Db, person: typeof people.$inferInsert): Promise<void> {
  await db.insert(people).values(person).onConflictDoNothing();
}
