/**
 * The durable intake floor: the least a bot does that loses nothing. Each update is stored before it is
 * handled; the handling writes its row and its reply to an outbox in one transaction that also marks
 * the update done; the reply is sent after the commit and then marked sent. Seven statements per
 * update, no routing, audit, sealing, ordering per sender or retries: beside the bare floor it shows
 * what durability itself costs, and beside the product what is the product's own work.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { runFloor } from './floor-harness.js';

runFloor(
  'durable floor',
  async (db) => {
    await db.execute(
      sql`create table if not exists floor_inbox (update_id bigint primary key, body jsonb not null, done boolean not null default false)`,
    );
    await db.execute(
      sql`create table if not exists floor_items (id serial primary key, chat_id bigint not null, text text not null, created_at timestamptz not null default now())`,
    );
    await db.execute(
      sql`create table if not exists floor_outbox (id serial primary key, chat_id bigint not null, text text not null, sent boolean not null default false)`,
    );
  },
  async (ctx, db) => {
    const text = 'text' in ctx.message ? ctx.message.text : '';
    const chatId = ctx.chat.id;
    await db.execute(
      sql`insert into floor_inbox (update_id, body) values (${ctx.update.update_id}, ${JSON.stringify(ctx.update)}::jsonb) on conflict do nothing`,
    );
    const outboxId = await db.transaction(async (tx) => {
      const [item] = await queryRows<{ id: number }>(
        tx,
        sql`insert into floor_items (chat_id, text) values (${chatId}, ${text}) returning id`,
      );
      const [message] = await queryRows<{ id: number }>(
        tx,
        sql`insert into floor_outbox (chat_id, text) values (${chatId}, ${`#${item?.id}`}) returning id`,
      );
      await tx.execute(sql`update floor_inbox set done = true where update_id = ${ctx.update.update_id}`);
      return message?.id;
    });
    await ctx.reply(`#${outboxId}`);
    await db.execute(sql`update floor_outbox set sent = true where id = ${outboxId}`);
  },
);
