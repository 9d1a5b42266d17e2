import { createServer, request as httpRequest, type Server } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personNumberOf } from '../../src/crypto/person-numbers.js';
import { columnPlace, sealAt } from '../../src/crypto/sealing.js';
import { type BotDatabase, BotProcess, createBotDatabase } from '../support/bot-process.js';
import { TEST_DATABASE_URL } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

const SECRET = 'replica_secret_0123456789abcdef_0123';
const REPLICAS = 3;
const MONITORS = 50;
const TIPS_PER_MONITOR = 20;
const TOTAL = MONITORS * TIPS_PER_MONITOR;

async function waitForPort(bot: BotProcess): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const match = /"port":(\d+),"msg":"webhook server listening"/.exec(bot.text());
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`replica did not start:\n${bot.text()}`);
}

/** A round-robin load balancer that, like a real one, tries the next replica when one is down. */
function roundRobinProxy(ports: () => number[]): Promise<{ server: Server; url: string }> {
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const targets = ports();
        const port = targets[next++ % targets.length];
        const forward = httpRequest(
          { host: '127.0.0.1', port, path: incoming.url, method: incoming.method, headers: incoming.headers },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forward.on('error', () =>
          tries < targets.length * 2 ? attempt(tries + 1) : outgoing.writeHead(502).end(),
        );
        forward.end(body);
      };
      attempt(0);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        server,
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      });
    }),
  );
}

describe.skipIf(!TEST_DATABASE_URL)(
  'three webhook replicas on one Postgres (Postgres only: PGlite is one process)',
  () => {
    let api: FakeBotApi;
    let database: BotDatabase;
    const replicas: { bot: BotProcess; port: number; alive: boolean }[] = [];
    let proxy: { server: Server; url: string };

    const startReplica = async () => {
      const bot = BotProcess.start(
        {
          BOT_TOKEN: api.token,
          TELEGRAM_API_ROOT: api.url,
          BOT_MODE: 'webhook',
          WEBHOOK_URL: 'https://bot.example.test/hook',
          WEBHOOK_SECRET: SECRET,
          PORT: '0',
          HOST: '127.0.0.1',
          DIGEST_DAILY: '*/2 * * * * *',
          ...database.env,
        },
        database.cwd,
      );
      const replica = { bot, port: await waitForPort(bot), alive: true };
      replicas.push(replica);
      return replica;
    };

    beforeAll(async () => {
      api = await FakeBotApi.start();
      database = await createBotDatabase();
      for (let index = 0; index < REPLICAS; index += 1) await startReplica();
      proxy = await roundRobinProxy(() =>
        replicas.filter((replica) => replica.alive).map((replica) => replica.port),
      );
      const sql = postgres(database.env.DATABASE_URL as string, { max: 1, onnotice: () => {} });
      for (let monitor = 0; monitor < MONITORS; monitor += 1) {
        // Sealed as the bot seals it: a started bot refuses values in clear.
        const community = sealAt(columnPlace('people', 'community'), `社区${monitor % 6}`);
        await sql`insert into people (telegram_id, role, community) values (${personNumberOf(10_000 + monitor)}, 'monitor', ${community})`;
      }
      await sql.end();
    }, 120_000);

    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.bot.kill()));
      proxy?.server.close();
      await api?.stop();
      await database?.dispose();
    });

    it('stores and answers 1,000 tips once each through a round-robin proxy, with one replica killed mid-run, within Telegram limits', async () => {
      let updateId = 1;
      const post = async (update: object) => {
        for (;;) {
          const response = await fetch(`${proxy.url}/hook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
            body: JSON.stringify(update),
          });
          if (response.ok) return;
          // Telegram redelivers an update that was not answered with 2xx.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      for (let round = 0; round < TIPS_PER_MONITOR; round += 1) {
        if (round === TIPS_PER_MONITOR / 2) {
          const victim = replicas[1];
          if (victim) {
            victim.alive = false;
            await victim.bot.kill();
          }
        }
        const batch: Promise<void>[] = [];
        for (let monitor = 0; monitor < MONITORS; monitor += 1) {
          const text = `/tip F-HPZ 第${round}次反映：镇长在防波堤工程中指定施工方，金额约${300 + monitor}万元`;
          batch.push(post({ update_id: updateId++, ...textMessage(user(10_000 + monitor), text) }));
        }
        await Promise.all(batch);
      }

      const sql = postgres(database.env.DATABASE_URL as string, { max: 1, onnotice: () => {} });
      try {
        for (let waited = 0; ; waited += 1000) {
          const [row] = await sql<{ items: string; pending: string }[]>`
          select (select count(*) from items) as items,
                 (select count(*) from outbox where status in ('pending', 'sending')) as pending`;
          if (Number(row?.items) === TOTAL && Number(row?.pending) === 0) break;
          if (waited > 150_000) throw new Error(`not settled: ${JSON.stringify(row)}`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        const [{ items, distinct } = { items: '0', distinct: '0' }] = await sql<
          { items: string; distinct: string }[]
        >`
        select count(*) as items, count(distinct (reporter_id, content_hash)) as distinct from items`;
        expect(Number(items)).toBe(TOTAL);
        expect(Number(distinct)).toBe(TOTAL);
      } finally {
        await sql.end();
      }
      const receipts = api
        .sent()
        .filter((call) => call.method === 'sendMessage' && Number(call.params.chat_id) >= 10_000)
        .map((call) => /#(\d+)/.exec(String(call.params.text))?.[1])
        .filter((number): number is string => number !== undefined);
      expect(new Set(receipts).size).toBe(TOTAL);
      // A receipt in flight at the kill may be sent twice; report it, allow no more than the in-flight window.
      expect(receipts.length - TOTAL).toBeLessThanOrEqual(8);
      expect(api.limitViolations()).toEqual([]);
    }, 300_000);

    it('sends a digest period once although three replicas schedule it', async () => {
      // The section chat is bound by inserting the setting as /bindchat would.
      const sql = postgres(database.env.DATABASE_URL as string, { max: 1, onnotice: () => {} });
      await sql`insert into settings (key, value) values ('section_chat', ${sql.json({ chatId: -5001, title: 'section', boundBy: null, boundAt: new Date().toISOString() })})
              on conflict (key) do update set value = excluded.value`;
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 9000));
      const runs = await sql<{ period_key: string; n: string }[]>`
      select period_key, count(*) as n from digest_runs where kind = 'daily' and created_at >= ${new Date(started)} group by period_key`;
      await sql.end();
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.every((run) => Number(run.n) === 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const digests = api.sent(-5001).filter((call) => call.method === 'sendMessage');
      const periods = runs.length;
      // One message per period (a long digest could split, but these are short).
      expect(digests.length).toBeGreaterThanOrEqual(periods);
      expect(digests.length).toBeLessThanOrEqual(periods + 2);
    }, 60_000);
  },
);
