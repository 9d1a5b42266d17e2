import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHeadArguments, parseOccasion } from '../../../src/bot/features/heads/index.js';
import { obligations } from '../../../src/db/schema.js';
import { translatorFor } from '../../../src/i18n.js';
import { createHarness, type Harness } from '../../support/harness.js';
import { callbackQuery, textMessage, user } from '../../support/updates.js';
import { ADMIN, button, OFFICER_A } from './queue/fixtures.js';

const officer = user(OFFICER_A, { lang: 'en', name: 'Wang Officer' });
const admin = user(ADMIN, { lang: 'en', name: 'Zhao Chief' });

describe('reading /head and /talks add', () => {
  it('/head <UNIT> <name> [title] [YYYY-MM-DD]: the last word is the day when it is one', () => {
    expect(parseHeadArguments(['hpz', '张伟'])).toEqual({
      unitCode: 'HPZ',
      name: '张伟',
      title: null,
      from: null,
    });
    expect(parseHeadArguments(['HPZ', '张伟', '党委书记', '2025-03-01'])).toEqual({
      unitCode: 'HPZ',
      name: '张伟',
      title: '党委书记',
      from: '2025-03-01',
    });
    expect(parseHeadArguments(['HPZ', '张伟', '2025-03-01'])?.title).toBeNull();
    // A day that is not one is refused, not taken for a title.
    expect(parseHeadArguments(['HPZ', '张伟', '2025-02-30'])).toBeNull();
    expect(parseHeadArguments(['HPZ'])).toBeNull();
  });

  it('an occasion by name, by its number in the document, or by its words', () => {
    const zh = translatorFor('zh-CN');
    const labels = (o: string) => [zh(`heads:occasion_${o}`)];
    expect(parseOccasion('team_disunity', () => [])).toBe('team_disunity');
    expect(parseOccasion('3', () => [])).toBe('team_disunity');
    expect(parseOccasion('不团结', labels)).toBe('team_disunity');
    expect(parseOccasion('9', () => [])).toBeNull();
    expect(parseOccasion(undefined, () => [])).toBeNull();
  });
});

describe('/talks through the bot', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness({ ADMIN_IDS: String(ADMIN) });
    harness.clock.set(new Date('2025-06-10T02:00:00Z'));
    await harness.enrol(ADMIN, 'admin', { language: 'en' });
    await harness.enrol(OFFICER_A, 'officer', { language: 'en' });
  });
  afterAll(() => harness.close());

  it('/talks add, then "not needed" asks for a reason and settles with it; /talks is empty again', async () => {
    await harness.send(textMessage(admin, '/head HPZ 张伟 党委书记 2025-06-10'));
    const [added] = await harness.send(textMessage(officer, '/talks add HPZ 3'));
    expect(added?.text).toContain('signs of disunity in the leadership team');
    expect(added?.text).toContain('due 2025-06-24');
    const [list] = await harness.send(textMessage(officer, '/talks'));
    expect(list?.text).toContain('Talks and audits due: 2');
    const [disunity] = await harness.db
      .select()
      .from(obligations)
      .where(eq(obligations.occasion, 'team_disunity'));
    const id = disunity?.id ?? 0;
    const [prompt] = (await harness.send(callbackQuery(officer, button(list, `— #${id} `)))).filter(
      (m) => m.method === 'sendMessage',
    );
    expect(prompt?.text).toContain(`#${id}: send the reason`);
    const [settled] = await harness.send(textMessage(officer, '班子已调整，不再需要'));
    expect(settled?.text).toContain(
      `#${id} Talk (八必谈): signs of disunity in the leadership team (HPZ) marked not needed`,
    );
    const [row] = await harness.db.select().from(obligations).where(eq(obligations.id, id));
    expect(row).toMatchObject({ state: 'not_needed', settledOn: '2025-06-10', note: '班子已调整，不再需要' });
    const [after] = await harness.send(textMessage(officer, '/talks'));
    expect(after?.text).toContain('Talks and audits due: 1');
    expect(after?.text).not.toContain(`#${id} `);
  });

  it('refuses /talks add with no unit or an unknown occasion, and an unknown unit', async () => {
    const [usage] = await harness.send(textMessage(officer, '/talks add HPZ 9'));
    expect(usage?.text).toContain('Usage: /talks add');
    const [unknown] = await harness.send(textMessage(officer, '/talks add NOPE 1'));
    expect(unknown?.text).toContain('There is no unit NOPE');
  });
});
