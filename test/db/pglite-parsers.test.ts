import { PGlite, type QueryOptions } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTextTypesKept } from '../../src/db/client.js';

/**
 * drizzle passes PGlite the same "leave as text" parsers with every query, and PGlite copied its whole
 * parser table per query for them (issue #20). The bot's client keeps those types as text itself and
 * drops the per-query parsers: rows must read exactly as through drizzle on a plain client.
 */
describe('PGlite with the text types kept by the client', () => {
  let plain: PGlite;
  let kept: PGlite;
  const sentOptions: (QueryOptions | undefined)[] = [];
  beforeAll(async () => {
    plain = await PGlite.create();
    kept = await PGlite.create();
    const query = kept.query.bind(kept);
    kept.query = ((text: string, parameters?: unknown[], options?: QueryOptions) => {
      sentOptions.push(options);
      return query(text, parameters, options);
    }) as PGlite['query'];
  });
  afterAll(async () => {
    await plain.close();
    await kept.close();
  });

  const everyType = sql`select timestamp '2026-12-07 08:00:01.5' as ts, timestamptz '2026-12-07 08:00:01.5+08' as tstz,
      interval '1 day 2 hours' as span, date '2028-02-29' - 1 as day, 12.50::numeric as amount,
      array[1.5, 2]::numeric[] as amounts, array[timestamp '2026-12-07 08:00']::timestamp[] as stamps,
      array[timestamptz '2026-12-07 08:00+00']::timestamptz[] as zoned, array[interval '1 hour'] as spans,
      array[date '2026-12-07'] as days, 7::int as count, '{"a":1}'::jsonb as doc, true as yes,
      array[1, 2]::int[] as counts`;

  it('reads every type as drizzle on a plain client does, in and out of a transaction', async () => {
    const expected = await drizzle(plain).execute(everyType);
    const db = drizzle(withTextTypesKept(kept));
    const outside = await db.execute(everyType);
    const inside = await db.transaction((tx) => tx.execute(everyType));
    expect(outside.rows).toEqual(expected.rows);
    expect(inside.rows).toEqual(expected.rows);
    expect(expected.rows[0]).toMatchObject({ tstz: '2026-12-07 00:00:01.5+00', count: 7, doc: { a: 1 } });
  });

  it('sends the queries without per-query parsers', async () => {
    sentOptions.length = 0;
    await drizzle(withTextTypesKept(kept)).execute(sql`select now() as at`);
    expect(sentOptions).toHaveLength(1);
    expect(sentOptions[0]).toMatchObject({ rowMode: 'object' });
    expect(sentOptions[0]?.parsers).toBeUndefined();
  });
});
