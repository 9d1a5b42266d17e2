/**
 * What both intake floors share: the database on the same driver as the product (statements counted),
 * a bare telegraf webhook on the same fake Bot API, and the bench's IPC (ready, figures, stop).
 */
import { createServer } from 'node:http';
import { type Context, Telegraf } from 'telegraf';
import type { Message, Update } from 'telegraf/types';
import { type Db, openDatabase } from '../../src/db/client.js';
import { figures } from './figures.js';

/** A message update's context, as the floors' handlers receive it. */
export type FloorContext = Context<Update.MessageUpdate<Message>>;

/** Runs a floor: `setup` creates its tables, `handle` answers each message; reports failures as `name`. */
export function runFloor(
  name: string,
  setup: (db: Db) => Promise<void>,
  handle: (ctx: FloorContext, db: Db) => Promise<void>,
): void {
  main(setup, handle).catch((error: unknown) => {
    process.stderr.write(`${name} target failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

async function main(
  setup: (db: Db) => Promise<void>,
  handle: (ctx: FloorContext, db: Db) => Promise<void>,
): Promise<void> {
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
  await setup(database.db);
  const bot = new Telegraf(env.BOT_TOKEN ?? '', {
    telegram: { apiRoot: env.TELEGRAM_API_ROOT, webhookReply: false },
  });
  bot.botInfo = await bot.telegram.getMe();
  bot.on('message', (ctx) => handle(ctx, database.db));
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
