import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  menuCommands,
  publishDefaultMenus,
  sendMenuRemoval,
  sendPersonMenu,
} from '../../src/bot/command-menus.js';
import { features } from '../../src/bot/features/index.js';
import type { Database } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';
import { OutboxBuffer } from '../../src/telegram/outbox.js';
import { createTestDatabase } from '../support/database.js';

describe('command menus', () => {
  it('give each audience the commands declared for it, in its language', () => {
    const admin = menuCommands(features, 'admin', 'zh-CN').map((entry) => entry.command);
    expect(admin).toEqual(
      expect.arrayContaining(['start', 'help', 'invite', 'revoke', 'people', 'units', 'bindchat']),
    );
    const stranger = menuCommands(features, 'unknown', 'en');
    expect(stranger.map((entry) => entry.command)).toEqual(expect.arrayContaining(['start', 'help']));
    expect(stranger.map((entry) => entry.command)).not.toContain('invite');
    expect(stranger.find((entry) => entry.command === 'help')?.description).toBe(
      'Help and the commands you can use',
    );
    for (const command of admin) expect(command).toMatch(/^[a-z0-9_]{1,32}$/);
  });

  it('are per chat, in English only for English clients, and removed in both languages', () => {
    const out = new OutboxBuffer();
    sendPersonMenu(out, features, 42, 'monitor', 'en-US');
    sendPersonMenu(out, features, 43, 'monitor', 'zh-hans');
    sendMenuRemoval(out, 42);
    const [english, chinese, ...removals] = out.messages;
    expect(english).toMatchObject({ chatId: 0, method: 'setMyCommands', payload: { language_code: 'en' } });
    expect(english?.payload.scope).toEqual({ type: 'chat', chat_id: 42 });
    expect(chinese?.payload).not.toHaveProperty('language_code');
    expect(removals.map((message) => [message.method, message.payload.language_code])).toEqual([
      ['deleteMyCommands', undefined],
      ['deleteMyCommands', 'en'],
    ]);
  });

  describe('at startup', () => {
    let database: Database;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database.close());

    it('go through the outbox: the default scope and the groups, Chinese and English', async () => {
      await publishDefaultMenus(database.db, features);
      const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
      expect(rows.map((row) => [row.method, row.chatId, row.payload?.language_code])).toEqual([
        ['setMyCommands', 0, undefined],
        ['setMyCommands', 0, 'en'],
        ['setMyCommands', 0, undefined],
        ['setMyCommands', 0, 'en'],
      ]);
      expect(rows[0]?.payload?.scope).toEqual({ type: 'default' });
      // Issue 18: in a group only /bindchat works, so it is the group menu, and it is in no other.
      expect(rows[2]?.payload?.scope).toEqual({ type: 'all_group_chats' });
      const groupCommands = (rows[2]?.payload?.commands ?? []) as Array<{ command: string }>;
      expect(groupCommands.map((c) => c.command)).toEqual(['bindchat']);
    });
  });
});
