import { eq } from 'drizzle-orm';
import { Context, Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotContext } from '../../../src/bot/context.js';
import { profileRefresh } from '../../../src/bot/middlewares/profile-refresh.js';
import type { Database } from '../../../src/db/client.js';
import { people } from '../../../src/db/schema.js';
import { languageOf, type Person } from '../../../src/people/store.js';
import { createTestDatabase, testDatabaseKind } from '../../support/database.js';
import { insertPerson } from '../../support/digest-fixtures.js';

type From = { id: number; is_bot: boolean; first_name?: string; username?: string; language_code?: string };

describe(`profileRefresh on ${testDatabaseKind}`, () => {
  let database: Database;
  const middleware = profileRefresh().middleware();

  /** Runs the middleware once as `from`, known as `person`; returns the context after and whether next ran. */
  async function run(person: Person | null, from: From | undefined) {
    // A real telegraf context (telegraf refuses anything else), from a private message or, without a
    // sender, a channel post.
    const update = (from
      ? {
          update_id: 1,
          message: { message_id: 1, date: 0, chat: { id: from.id, type: 'private' }, from, text: 'hi' },
        }
      : {
          update_id: 1,
          channel_post: { message_id: 1, date: 0, chat: { id: -1, type: 'channel', title: 'c' }, text: 'hi' },
        }) as unknown as Update;
    const ctx = Object.assign(new Context(update, new Telegram('123:TEST'), {} as never), {
      db: database.db,
      person,
      services: { config: { adminIds: [13] } },
    }) as unknown as BotContext;
    let nextRan = false;
    await middleware(ctx, async () => {
      nextRan = true;
    });
    return { person: ctx.person, nextRan };
  }
  const stored = async (telegramId: number) =>
    (
      await database.db
        .select({ displayName: people.displayName, username: people.username, language: people.language })
        .from(people)
        .where(eq(people.telegramId, telegramId))
    )[0];
  const monitor = (telegramId: number, language: string | null): Person => ({
    telegramId,
    role: 'monitor',
    community: '丹城社区',
    agency: null,
    language,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    await insertPerson(database.db, {
      telegramId: 10,
      role: 'monitor',
      community: '丹城社区',
      language: 'zh-CN',
    });
    await insertPerson(database.db, {
      telegramId: 11,
      role: 'officer',
      language: 'en',
      displayName: '王',
      username: 'wang',
    });
  });
  afterAll(() => database.close());

  it('stores an enrolled person’s Telegram name, username and language, and the update sees the new language', async () => {
    const after = await run(monitor(10, 'zh-CN'), {
      id: 10,
      is_bot: false,
      first_name: 'Li',
      username: 'li_m',
      language_code: 'en',
    });
    expect(after.nextRan).toBe(true);
    expect(after.person).toEqual(monitor(10, 'en'));
    expect(await stored(10)).toEqual({ displayName: 'Li', username: 'li_m', language: 'en' });
  });

  it('keeps the stored language when Telegram sends none, and clears a username that was removed', async () => {
    const officer: Person = {
      telegramId: 11,
      role: 'officer',
      community: null,
      agency: null,
      language: 'en',
    };
    const after = await run(officer, { id: 11, is_bot: false, first_name: '王' });
    expect(after).toEqual({ person: officer, nextRan: true });
    expect(await stored(11)).toEqual({ displayName: '王', username: null, language: 'en' });
  });

  it('leaves the context as it was when nothing changed', async () => {
    const person = monitor(10, 'en');
    const after = await run(person, {
      id: 10,
      is_bot: false,
      first_name: 'Li',
      username: 'li_m',
      language_code: 'en',
    });
    expect(after.person).toBe(person);
    expect(after.nextRan).toBe(true);
  });

  it('writes nothing for strangers, bots, updates without a sender; only the language of an ADMIN_IDS admin who never enrolled', async () => {
    expect(await run(null, { id: 12, is_bot: false, first_name: 'X', language_code: 'en' })).toEqual({
      person: null,
      nextRan: true,
    });
    expect(await stored(12)).toBeUndefined();
    const person = monitor(10, 'en');
    expect(
      (await run(person, { id: 10, is_bot: true, first_name: 'Bot', language_code: 'zh-hans' })).person,
    ).toBe(person);
    expect((await run(person, undefined)).nextRan).toBe(true);
    expect(await stored(10)).toEqual({ displayName: 'Li', username: 'li_m', language: 'en' });
    const admin: Person = { telegramId: 13, role: 'admin', community: null, agency: null, language: null };
    // Issue 18: their Telegram language is remembered (in settings: they have no row), so private
    // messages to them follow it.
    expect(
      (await run(admin, { id: 13, is_bot: false, first_name: 'A', language_code: 'en' })).person,
    ).toEqual({
      ...admin,
      language: 'en',
    });
    expect(await stored(13)).toBeUndefined();
    expect(await languageOf(database.db, 13)).toBe('en');
  });
});
