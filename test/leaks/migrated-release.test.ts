/**
 * The leak hunt's "reader without the key" stage, part (c) (issue 14): a database written by release
 * 0.1.0 through the same scripted week (test/fixtures/release-0.1.0/, made by
 * test/fixtures/make-release-fixture.fixture.ts) is loaded, the current release starts on it — migrating
 * it and converting at start what needs the key — and then:
 * - what the people of that week need still works: the reply that was waiting is delivered, a reply to
 *   an old receipt is tied to its item, /my lists the reporter's items;
 * - a dump of the whole database holds no Telegram id, name, username or community of anyone enrolled in
 *   clear, links no item to a reporter (the linker of test/leaks/linker.ts), and the messages and
 *   updates kept hold no identity in clear.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import { textMessage } from '../support/updates.js';
import { type DumpTable, dumpDatabase, findLinks } from './linker.js';
import { CAST, identitiesFoundIn, REPORTERS, type ScriptedRunTruth } from './scripted-run.js';
import { labelsFor } from './truth.js';

const FIXTURE = join(packageRoot(), 'test/fixtures/release-0.1.0');

interface FixtureTruth {
  reporterOf: Record<string, number | null>;
  concluded: number[];
  receipts: Record<string, { chatId: number; messageId: number }>;
}

/** Loads the release's pg_dump into the session's database, replacing the migrated schema there. */
async function loadRelease(session: E2eSession): Promise<void> {
  const dump = join(FIXTURE, 'database.sql');
  const url = session.database.env.DATABASE_URL;
  if (url) {
    execFileSync('psql', [
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      url,
      '-c',
      'drop schema public cascade',
      '-c',
      'drop schema if exists drizzle cascade',
      '-c',
      'create schema public',
    ]);
    execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url, '-f', dump], { stdio: 'ignore' });
    return;
  }
  const folder = join(session.database.cwd, 'data', 'pgdata');
  await rm(folder, { recursive: true, force: true });
  const client = await PGlite.create(folder);
  try {
    // psql's own commands (pg_dump writes `\restrict`/`\unrestrict` lines) are not SQL.
    const statements = readFileSync(dump, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('\\'))
      .join('\n');
    await client.exec(statements);
  } finally {
    await client.close();
  }
}

describe(`a database written by release 0.1.0, migrated, read without the key, on ${testDatabaseKind}`, {
  timeout: 600_000,
}, () => {
  let session: E2eSession;
  let fixture: FixtureTruth;
  let dump: DumpTable[] = [];
  let pendingDelivered = '';
  let receiptReply = '';
  let mine = '';

  beforeAll(async () => {
    fixture = JSON.parse(readFileSync(join(FIXTURE, 'truth.json'), 'utf8')) as FixtureTruth;
    session = await E2eSession.create({ ADMIN_IDS: String(CAST.admin.id) });
    await loadRelease(session);
    const mark = session.mark();
    await session.start();
    // The reply to /my that Telegram refused (500) before the upgrade goes out once it runs.
    pendingDelivered = textOf(await session.messageTo(CAST.monitorA.id, mark));
    // Updates continue from the old release's ids, as Telegram's do.
    const receipt = fixture.receipts['2'];
    if (!receipt) throw new Error('the fixture has no receipt for #2');
    const replied = session.push({
      ...textMessage(CAST.monitorB, '是在周三中午，地点在镇政府食堂', {
        replyTo: {
          message_id: receipt.messageId,
          date: 1_764_626_543,
          chat: { id: receipt.chatId, type: 'private' },
          from: { id: 1, is_bot: true, first_name: 'bot' },
          text: '已收到，编号 #2。',
        },
      }),
      update_id: 5000,
    });
    receiptReply = textOf(await session.messageTo(CAST.monitorB.id, replied));
    const asked = session.push({ ...textMessage(CAST.monitorA, '/my'), update_id: 5001 });
    mine = textOf(await session.messageTo(CAST.monitorA.id, asked));
    await session.settle(1500);
    await session.stop();
    dump = await session.withDatabase(dumpDatabase);
  }, 600_000);
  afterAll(() => session?.dispose());

  it('delivers what was waiting, ties a reply to an old receipt to its item, and /my still lists the reporter’s items', () => {
    expect(pendingDelivered).toContain('#6');
    expect(receiptReply).toContain('#2');
    expect(mine).toContain('#6');
    expect(mine).not.toContain('#2');
  });

  it('keeps no identity in clear in the messages and updates', () => {
    const kept = dump.filter((table) => ['outbox', 'inbox_updates', 'reply_refs'].includes(table.name));
    const text = kept.map((table) => JSON.stringify(table.rows)).join('\n');
    for (const person of REPORTERS) expect(text).not.toContain(String(person.id));
  });

  it('finds no Telegram id, name, username or community of anyone enrolled, in any table', () => {
    // Release 0.1.0 kept them in clear (ids in people, invites, the audit log and assignments): the start
    // sealed what it could and replaced every id by a person number.
    const found = identitiesFoundIn(dump);
    process.stdout.write(
      `\nrelease 0.1.0 migrated (${testDatabaseKind}): ${found.length} identities in clear\n${found.join('\n')}\n`,
    );
    expect(found).toEqual([]);
  });

  it('the linker ties no item to any reporter, nor two items to one reporter', () => {
    const truth: ScriptedRunTruth = {
      reporterOf: new Map(Object.entries(fixture.reporterOf).map(([item, id]) => [Number(item), id])),
      concluded: fixture.concluded,
      receipts: new Map(),
    };
    const links = findLinks(dump, labelsFor(truth, new Set(REPORTERS.map((person) => person.id))));
    process.stdout.write(
      `\nlinker on release 0.1.0 migrated (${testDatabaseKind}): ${links.length} links, ${links.filter((l) => l.correct).length} to the true reporter\n${links.map((l) => `${l.correct ? 'TRUE ' : 'wrong'} #${l.item} → ${l.to}: ${l.how}`).join('\n')}\n`,
    );
    expect(dump.find((table) => table.name === 'items')?.rows.length).toBe(truth.reporterOf.size);
    expect(links).toEqual([]);
  });
});
