// Issue #17, acceptance 2, through the real process and the fake Bot API, in Chinese and in English:
// heads with tenure, an item about the head in office, the integrity card that follows the person,
// and talks and audits as a worklist (done ones leave /talks and the daily digest).
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { translatorFor } from '../../src/i18n.js';
import { testDatabaseKind } from '../support/database.js';
import { E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { textMessage, user } from '../support/updates.js';

const ZONE = 'Asia/Shanghai';
const TIP_ONE = '镇党委书记收受工程老板购物卡，金额约5万元';
const TIP_TWO = '镇党委书记的亲属承揽村道工程';

function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

/** The number of the /talks line that contains `what` and `who`. */
function talkNumber(list: RecordedCall, what: string, who: string): number {
  const line = textOf(list)
    .split('\n')
    .find((l) => l.includes(what) && l.includes(who));
  const match = line ? /#(\d+)/.exec(line) : null;
  if (!match?.[1]) throw new Error(`no line with ${what} and ${who} in:\n${textOf(list)}`);
  return Number(match[1]);
}

const LANGUAGES = [
  { lang: 'zh-CN', base: 9700, tgLang: 'zh-hans' },
  { lang: 'en', base: 9800, tgLang: 'en' },
] as const;

for (const { lang, base, tgLang } of LANGUAGES) {
  const t = translatorFor(lang);
  // Texts about a unit name it as a reader expects (issue 18): 鹤浦镇 / Hepu Town, not its code.
  const hepu = lang === 'en' ? 'Hepu Town' : '鹤浦镇';
  const admin = user(base, { name: '组织部', lang: tgLang });
  const monitor = user(base + 1, { name: '鹤浦信息员', lang: tgLang });
  const officer = user(base + 2, { name: '干部科', lang: tgLang });

  describe(`heads as records through the real process on ${testDatabaseKind}, in ${lang}`, {
    timeout: 180_000,
  }, () => {
    let session: E2eSession;
    const today = DateTime.now().setZone(ZONE).toISODate() ?? '';
    const zhangFrom = DateTime.now().setZone(ZONE).minus({ days: 60 }).toISODate() ?? '';
    let firstItem = 0;

    beforeAll(async () => {
      session = await E2eSession.create({ ADMIN_IDS: String(admin.id), ALERT_BATCH_MINUTES: '0' });
      await session.start();
      await session.enrol(admin, monitor, 'monitor 鹤浦社区');
      await session.enrol(admin, officer, 'officer');
      // Alerts go to the section chat, not to each officer privately.
      await session.bindSectionChat(admin, { id: -(base * 1000), type: 'supergroup', title: '干部科' });
    }, 300_000);
    afterAll(() => session.dispose());

    /** `from` sends `text`; resolves with the bot's first message to them containing `including` (an alert may come first). */
    const ask = (from: typeof admin, text: string, including: string | RegExp) =>
      session.messageTo(from.id, session.push(textMessage(from, text)), including);
    const talksTitle = new RegExp(
      t('heads:talks_title', { count: 0 })
        .replace(/<\/?b>/g, '')
        .split('0')[0] ?? '',
    );

    const concludeWithTwoPoints = async (id: number, card: RecordedCall) => {
      let mark = session.press(officer, card, t('queue:action_conclude'));
      let step = await session.messageTo(officer.id, mark, t('queue:conclude_finding', { id }));
      mark = session.press(officer, step, t('queue:finding_substantiated'));
      step = await session.messageTo(officer.id, mark, `#${id}`);
      mark = session.press(officer, step, t('queue:measure_points'));
      step = await session.messageTo(
        officer.id,
        mark,
        t('queue:conclude_measures', { id, chosen: t('queue:measure_points') }),
      );
      mark = session.press(officer, step, t('queue:btn_done'));
      step = await session.messageTo(officer.id, mark, t('queue:conclude_points', { id }));
      mark = session.press(officer, step, '2');
      step = await session.messageTo(officer.id, mark, t('queue:conclude_note', { id }));
      mark = session.press(officer, step, t('queue:btn_skip'));
      const confirm = await session.messageTo(officer.id, mark, `#${id}`);
      mark = session.press(officer, confirm, t('queue:btn_confirm'));
      return session.messageTo(
        officer.id,
        mark,
        t('queue:points_recorded', { points: 2, unit: hepu, head: '张伟', year: 2 }),
      );
    };

    it('an admin records 张伟 as head of HPZ; an integrity tip about HPZ is about him, and accepting it creates an integrity talk', async () => {
      const recorded = await session.say(admin, `/head HPZ 张伟 党委书记 ${zhangFrom}`);
      const head = t('heads:head_with_title', { name: '张伟', title: '党委书记' });
      expect(textOf(recorded)).toContain(t('heads:recorded', { head, unit: 'HPZ', from: zhangFrom }));

      const receipt = await session.say(monitor, `/tip I-HPZ ${TIP_ONE}`);
      firstItem = numberIn(receipt);
      const card = await ask(officer, `/show ${firstItem}`, TIP_ONE);
      expect(textOf(card)).toContain(TIP_ONE);
      expect(textOf(card)).toContain(
        t('queue:card_head', {
          unit: hepu,
          head: t('heads:head_with_title', { name: '张伟', title: '党委书记' }),
        }),
      );
      expect(textOf(card)).toContain(t('queue:card_points', { year: 0, two: 0, three: 0 }));

      const mark = session.press(officer, card, t('queue:action_accept'));
      const accepted = await session.messageTo(officer.id, mark, `#${firstItem}`);
      expect(textOf(accepted)).toContain(`#${firstItem}`);
      const again = await ask(officer, `/show ${firstItem}`, TIP_ONE);
      const talk = t('heads:talk_what', { occasion: t('heads:occasion_integrity_reports') });
      expect(textOf(again)).toContain(`${talk}`);

      const concluded = await concludeWithTwoPoints(firstItem, again);
      expect(textOf(concluded)).toContain('张伟');
    });

    it('李强 heads HPZ from a later date: a new tip shows 李强 with 0 points; /heads HPZ lists both, 张伟 with 2', async () => {
      const recorded = await ask(admin, `/head HPZ 李强 党委书记 ${today}`, '李强');
      expect(textOf(recorded)).toContain('李强');
      // 张伟's tenure ends the day before.
      expect(textOf(recorded)).toContain(DateTime.fromISO(today).minus({ days: 1 }).toISODate() ?? '');

      const receipt = await session.say(monitor, `/tip I-HPZ ${TIP_TWO}`);
      const second = numberIn(receipt);
      const card = await ask(officer, `/show ${second}`, TIP_TWO);
      expect(textOf(card)).toContain(
        t('queue:card_head', {
          unit: hepu,
          head: t('heads:head_with_title', { name: '李强', title: '党委书记' }),
        }),
      );
      expect(textOf(card)).toContain(t('queue:card_points', { year: 0, two: 0, three: 0 }));

      const heads = await ask(
        officer,
        '/heads HPZ',
        t('heads:list_unit_title', { unit: 'HPZ' }).replace(/<\/?b>/g, ''),
      );
      const lines = textOf(heads).split('\n');
      const zhang = lines.find((l) => l.includes('张伟'));
      const li = lines.find((l) => l.includes('李强'));
      expect(zhang).toContain(t('heads:card_totals', { year: 2, two: 2, three: 2 }));
      expect(li).toContain(t('heads:card_totals', { year: 0, two: 0, three: 0 }));
      expect(lines.indexOf(zhang ?? '')).toBeLessThan(lines.indexOf(li ?? ''));
    });

    it('/talks lists the post-change talks for both, the departure audit for 张伟 and the integrity talk; one marked done leaves /talks and the next daily digest', async () => {
      const list = await ask(officer, '/talks', talksTitle);
      const postAdjusted = t('heads:talk_what', { occasion: t('heads:occasion_post_adjusted') });
      const departure = t('heads:audit_what', { reason: t('heads:audit_departure') });
      const integrity = t('heads:talk_what', { occasion: t('heads:occasion_integrity_reports') });
      talkNumber(list, postAdjusted, '李强');
      // 张伟: a talk when he took office, and one when he left.
      expect(
        textOf(list)
          .split('\n')
          .filter((l) => l.includes(postAdjusted) && l.includes('张伟')),
      ).toHaveLength(2);
      const audit = talkNumber(list, departure, '张伟');
      talkNumber(list, integrity, '张伟');
      expect(textOf(list)).toContain(t('heads:talks_line_item', { item: firstItem }).trim());

      // Ten working days pass for the audit: it is overdue, and the daily digest lists it.
      await session.withDatabase(async (db) => {
        await db.execute(sql`update obligations set due_on = ${today}::date - 1 where id = ${audit}`);
      });
      const dailyTitle = t('digests:daily_title', { date: today });
      let mark = session.push(textMessage(officer, '/digest daily'));
      let daily = await session.messageTo(officer.id, mark, dailyTitle);
      expect(textOf(daily)).toContain(`#${audit} ${departure}`);

      const fresh = await ask(officer, '/talks', talksTitle);
      mark = session.press(officer, fresh, t('heads:btn_done', { id: audit }));
      await session.messageTo(officer.id, mark, t('heads:done_prompt', { id: audit }));
      mark = session.push(textMessage(officer, '已委托审计局开展离任经济责任审计'));
      const settled = await session.messageTo(officer.id, mark, `#${audit}`);
      expect(textOf(settled)).toContain(t('heads:settled_done', { id: audit, what: departure, unit: 'HPZ' }));

      const after = await ask(officer, '/talks', talksTitle);
      expect(textOf(after)).not.toContain(`#${audit} ${departure}`);
      expect(textOf(after)).toContain(integrity);
      mark = session.push(textMessage(officer, '/digest daily'));
      daily = await session.messageTo(officer.id, mark, dailyTitle);
      expect(textOf(daily)).not.toContain(`#${audit} ${departure}`);

      // The note is sealed at rest and the audit log has who settled it, not the note.
      const rows = await session.withDatabase((db) =>
        queryRows<{ note: string; state: string; logged: number }>(
          db,
          sql`select note, state,
                     (select count(*)::int from audit_log where action = 'obligation.done'
                        and (details->>'id')::int = ${audit}
                        and details::text not like '%审计局%') as logged
              from obligations where id = ${audit}`,
        ),
      );
      expect(rows[0]?.state).toBe('done');
      expect(rows[0]?.note).not.toContain('审计局');
      expect(rows[0]?.logged).toBe(1);
    });

    it('a head who moves from HPZ to DXZ is asked about and keeps their points', async () => {
      const question = await ask(admin, `/head DXZ 张伟 镇长 ${today}`, 'HPZ');
      expect(textOf(question)).toContain(t('heads:same_person_question', { name: '张伟' }));
      const mark = session.press(admin, question, t('heads:btn_same_person', { n: 1 }));
      const recorded = await session.messageTo(admin.id, mark, 'DXZ');
      expect(textOf(recorded)).toContain('张伟');
      const heads = await ask(
        officer,
        '/heads DXZ',
        t('heads:list_unit_title', { unit: 'DXZ' }).replace(/<\/?b>/g, ''),
      );
      const zhang = textOf(heads)
        .split('\n')
        .find((l) => l.includes('张伟'));
      expect(zhang).toContain(t('heads:card_totals', { year: 2, two: 2, three: 2 }));
      // In office now: /heads without a unit lists him at DXZ with his points, and 李强 at HPZ with none.
      const all = textOf(await ask(officer, '/heads', t('heads:list_title').replace(/<\/?b>/g, ''))).split(
        '\n',
      );
      expect(all.find((l) => l.includes('张伟'))).toContain('DXZ');
      expect(all.find((l) => l.includes('张伟'))).toContain(
        t('heads:card_totals', { year: 2, two: 2, three: 2 }),
      );
      expect(all.find((l) => l.includes('李强'))).toContain(
        t('heads:card_totals', { year: 0, two: 0, three: 0 }),
      );
    });
  });
}
