/**
 * The intake floor: a bare telegraf webhook handler that does one INSERT and one reply, on the same
 * database driver and against the same fake Bot API as the product. Nothing the product promises
 * (durable inbox, ordering, retries, routing, audit, outbox) is here: it is the least any bot does.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { runFloor } from './floor-harness.js';

runFloor(
  'floor',
  async (db) => {
    await db.execute(
      sql`create table if not exists bench_floor (id serial primary key, chat_id bigint not null, text text not null, created_at timestamptz not null default now())`,
    );
  },
  async (ctx, db) => {
    const text = 'text' in ctx.message ? ctx.message.text : '';
    const [row] = await queryRows<{ id: number }>(
      db,
      sql`insert into bench_floor (chat_id, text) values (${ctx.chat.id}, ${text}) returning id`,
    );
    await ctx.reply(`#${row?.id}`);
  },
);
