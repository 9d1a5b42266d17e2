import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { createScratchPostgres, TEST_DATABASE_URL, testDatabaseKind } from '../support/database.js';

describe(`openDatabase's statement observer on ${testDatabaseKind}`, () => {
  let database: Database;
  let statements = 0;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const onStatement = () => {
      statements += 1;
    };
    if (TEST_DATABASE_URL) {
      const scratch = await createScratchPostgres();
      drop = scratch.drop;
      // One connection, so the driver's type lookup (itself a statement) happens once, before counting.
      database = await openDatabase({ url: scratch.url, poolSize: 1 }, { onStatement });
    } else {
      database = await openDatabase({ memory: true }, { onStatement });
    }
    await database.db.execute(sql`select 1`);
  });
  afterAll(async () => {
    await database.close();
    await drop?.();
  });

  it('counts each query, and the BEGIN and COMMIT of a transaction', async () => {
    statements = 0;
    await database.db.execute(sql`select 1`);
    expect(statements).toBe(1);
    statements = 0;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 2`);
      await tx.execute(sql`select ${3}::int`);
    });
    expect(statements).toBe(4);
  });

  it('counts nothing when nobody runs a statement', async () => {
    statements = 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statements).toBe(0);
  });
});
