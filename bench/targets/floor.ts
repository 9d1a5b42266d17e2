/**
 * The intake floor: a bare telegraf webhook handler that does one INSERT and one reply, on the same
 * database driver and against the same fake Bot API as the product. Nothing the product promises
 * (durable inbox, ordering, retries, routing, audit, outbox) is here: it is the least any bot does.
 */
import { createServer } from 'node:http';
import { sql } from 'drizzle-orm';
import { Telegraf } from 'telegraf';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { figures } from './figures.js';

async function main(): Promise<void> {
  const env = process.env;
  let statements = 0;
  const database = await openDatabase(
    env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.DATA_DIR ?? './data' },
    {
      onStatement: () => {
        statements += 1;
      },
    },
  );
  await database.db.execute(
    sql`create table if not exists bench_floor (id serial primary key, chat_id bigint not null, text text not null, created_at timestamptz not null default now())`,
  );
  const bot = new Telegraf(env.BOT_TOKEN ?? '', {
    telegram: { apiRoot: env.TELEGRAM_API_ROOT, webhookReply: false },
  });
  bot.botInfo = await bot.telegram.getMe();
  bot.on('message', async (ctx) => {
    const text = 'text' in ctx.message ? ctx.message.text : '';
    const [row] = await queryRows<{ id: number }>(
      database.db,
      sql`insert into bench_floor (chat_id, text) values (${ctx.chat.id}, ${text}) returning id`,
    );
    await ctx.reply(`#${row?.id}`);
  });
  const handler = bot.webhookCallback('/hook', { secretToken: env.WEBHOOK_SECRET });
  const server = createServer((request, response) => {
    void handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'figures') {
      process.send?.(figures(statements));
      return;
    }
    if (message.type !== 'stop') return;
    server.close();
    server.closeIdleConnections();
    database.close().then(() => {
      process.send?.({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS }, () => process.exit(0));
    });
  });
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
}

main().catch((error: unknown) => {
  process.stderr.write(`floor target failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
