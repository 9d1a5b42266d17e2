// Issue 18, the guided /tip through the real process and the strict fake Bot API, in both languages:
// every step says a true "step n of N" and has Back and Cancel; the last screen offers Submit at once
// (no "done" to tap without attachments) and Edit, which goes back to a chosen step keeping everything
// else; and a draft, Back and Edit included, survives a restart (it lives in the dialogues table).

import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { dialogueRowKey } from '../../src/dialogues.js';
import { testDatabaseKind } from '../support/database.js';
import { buttonsOf, E2eSession, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { photoMessage, textMessage, user } from '../support/updates.js';

const admin = user(9400, { name: '赵部长' });
const officer = user(9401, { name: '干部科小王' });

interface Words {
  lang: 'zh' | 'en';
  step: RegExp;
  back: string;
  cancel: string;
  submit: string;
  edit: string;
  editText: string;
  keep: string;
  kept: (count: number) => string;
  done: string;
  cancelled: string;
  receipt: string;
}

const WORDS: Words[] = [
  {
    lang: 'zh',
    step: /第 (\d) 步（共 (\d) 步）/,
    back: '上一步',
    cancel: '取消',
    submit: '提交',
    edit: '修改',
    editText: '内容',
    keep: '不修改',
    kept: (count) => `已收到附件（${count} 个）`,
    done: '完成',
    cancelled: '已取消',
    receipt: '已收到',
  },
  {
    lang: 'en',
    step: /Step (\d) of (\d)/,
    back: 'Back',
    cancel: 'Cancel',
    submit: 'Submit',
    edit: 'Edit',
    editText: 'Text',
    keep: 'Keep',
    kept: (count) => (count === 1 ? 'Attachment received (1)' : `Attachments received (${count})`),
    done: 'Done',
    cancelled: 'Cancelled',
    receipt: '#',
  },
];

const FIRST_TEXT = '书记在八小时以外频繁出入私人会所，多次由企业老板买单';
const SECOND_TEXT = '书记在八小时以外频繁出入私人会所，由某建筑公司老板买单约两万元';
const OFFERED_TEXT = '镇长把防波堤工程指定给亲戚的公司做，金额约三百万元';
const KEPT_CAPTION = '照片是镇长在会所门口，车牌已拍到';
const KEPT_TEXT = '镇长每周五晚上都去城东的私人会所，由施工方老板结账';
const LATER_TEXT = '补充：上周五也去了，同行的还有财政所所长';

/** "n of N" from a screen, or null when the screen says no step. */
function stepOf(call: RecordedCall, words: Words): { n: number; of: number } | null {
  const match = words.step.exec(textOf(call));
  return match ? { n: Number(match[1]), of: Number(match[2]) } : null;
}

function labels(call: RecordedCall): string[] {
  return buttonsOf(call).map((button) => button.text);
}

describe(`the guided /tip through the real process on ${testDatabaseKind}`, { timeout: 180_000 }, () => {
  let session: E2eSession;
  const reporters = { zh: user(9402, { name: '丹东信息员' }), en: user(9403, { lang: 'en', name: 'Lin' }) };
  const offered = { zh: user(9404, { name: '丹西信息员' }), en: user(9405, { lang: 'en', name: 'Mei' }) };

  beforeAll(async () => {
    session = await E2eSession.create({ ADMIN_IDS: String(admin.id) });
    await session.start();
    await session.enrol(admin, reporters.zh, 'monitor 丹东社区');
    await session.enrol(admin, reporters.en, 'monitor 东谷社区');
    await session.enrol(admin, offered.zh, 'monitor 丹西社区');
    await session.enrol(admin, offered.en, 'monitor 东乡社区');
    await session.enrol(admin, officer, 'officer');
  }, 240_000);
  afterAll(() => session.dispose());

  for (const words of WORDS) {
    describe(`in ${words.lang}`, () => {
      const me = words.lang === 'zh' ? reporters.zh : reporters.en;

      it('each step says a true "n of 4" with Back and Cancel; the last offers Submit and Edit, no Done', async () => {
        const screens: RecordedCall[] = [];
        const domainStep = await session.say(me, '/tip');
        screens.push(domainStep);
        expect(stepOf(domainStep, words)).toEqual({ n: 1, of: 4 });
        expect(labels(domainStep)).toContain(words.cancel);

        let mark = session.press(me, domainStep, 'F ');
        const unitStep = await session.messageTo(me.id, mark, words.step);
        screens.push(unitStep);
        expect(stepOf(unitStep, words)).toEqual({ n: 2, of: 4 });
        expect(labels(unitStep)).toEqual(expect.arrayContaining([words.back, words.cancel]));

        const textStep = await session.say(me, 'DXZ');
        screens.push(textStep);
        expect(stepOf(textStep, words)).toEqual({ n: 3, of: 4 });
        expect(labels(textStep)).toEqual(expect.arrayContaining([words.back, words.cancel]));

        // Back from step 3 is step 2 again, and the domain chosen is kept.
        mark = session.press(me, textStep, words.back);
        const unitAgain = await session.messageTo(me.id, mark, words.step);
        expect(stepOf(unitAgain, words)).toEqual({ n: 2, of: 4 });
        const textAgain = await session.say(me, 'DXZ');
        expect(stepOf(textAgain, words)).toEqual({ n: 3, of: 4 });

        const last = await session.say(me, FIRST_TEXT);
        screens.push(last);
        expect(stepOf(last, words)).toEqual({ n: 4, of: 4 });
        expect(textOf(last)).toContain('F-DXZ');
        expect(textOf(last)).toContain(FIRST_TEXT);
        // Without attachments Submit is there at once; nothing called "done" has to be tapped first.
        expect(labels(last)).toEqual(
          expect.arrayContaining([words.submit, words.edit, words.back, words.cancel]),
        );
        expect(labels(last).some((label) => label.includes(words.done))).toBe(false);
        // The count is true: four screens, numbered 1 to 4, and none beyond.
        expect(screens.map((screen) => stepOf(screen, words))).toEqual([
          { n: 1, of: 4 },
          { n: 2, of: 4 },
          { n: 3, of: 4 },
          { n: 4, of: 4 },
        ]);
        // No button's data is over Telegram's 64 bytes (the fake Bot API refuses those as well).
        for (const screen of [...screens, unitAgain]) {
          for (const button of buttonsOf(screen)) {
            expect(Buffer.byteLength(button.callback_data ?? '')).toBeLessThanOrEqual(64);
          }
        }
      });

      it('Edit survives a restart, goes back to the text keeping the code, and the changed tip is submitted', async () => {
        await session.stop();
        await session.start();
        // The draft is still there after the restart: /tip resumes it at the last step.
        const resumed = await session.say(me, '/tip');
        expect(stepOf(resumed, words)).toEqual({ n: 4, of: 4 });
        let mark = session.press(me, resumed, words.edit);
        const choose = await session.messageTo(me.id, mark);
        expect(labels(choose)).toEqual(expect.arrayContaining([words.editText, words.cancel]));

        mark = session.press(me, choose, words.editText);
        const textStep = await session.messageTo(me.id, mark, words.step);
        expect(stepOf(textStep, words)).toEqual({ n: 3, of: 4 });
        // What was written is shown, and can be kept as it is.
        expect(textOf(textStep)).toContain(FIRST_TEXT);
        expect(labels(textStep).some((label) => label.includes(words.keep))).toBe(true);

        const last = await session.say(me, SECOND_TEXT);
        expect(stepOf(last, words)).toEqual({ n: 4, of: 4 });
        expect(textOf(last)).toContain('F-DXZ');
        expect(textOf(last)).toContain(SECOND_TEXT);
        expect(textOf(last)).not.toContain(FIRST_TEXT);

        mark = session.press(me, last, words.submit);
        const receipt = await session.messageTo(me.id, mark, words.receipt);
        const number = Number(/#(\d+)/.exec(textOf(receipt))?.[1]);
        expect(number).toBeGreaterThan(0);
        expect(textOf(receipt)).toContain('F-DXZ');
        const shown = await session.say(officer, `/show ${number}`);
        expect(textOf(shown)).toContain(SECOND_TEXT);
        expect(textOf(shown)).not.toContain(FIRST_TEXT);
      });

      it('Cancel on step 2 ends the draft and keeps nothing', async () => {
        const domainStep = await session.say(me, '/tip');
        let mark = session.press(me, domainStep, 'P ');
        const unitStep = await session.messageTo(me.id, mark, words.step);
        mark = session.press(me, unitStep, words.cancel);
        expect(textOf(await session.messageTo(me.id, mark))).toContain(words.cancelled);
        // One look into the database (on PGlite each look restarts the bot): no draft, and no P item,
        // the only domain nothing else in this file reports on.
        const [drafts, items] = await session.withDatabase(async (db) => [
          await queryRows(
            db,
            sql`select count(*)::int as n from dialogues where user_id = ${dialogueRowKey(me.id)}`,
          ),
          await queryRows(db, sql`select count(*)::int as n from items where domain = 'P'`),
        ]);
        expect(drafts).toEqual([{ n: 0 }]);
        expect(items).toEqual([{ n: 0 }]);
      });

      it('text sent without a code is a three-step tip, and says so', async () => {
        const person = words.lang === 'zh' ? offered.zh : offered.en;
        const domainStep = await session.say(person, OFFERED_TEXT);
        expect(stepOf(domainStep, words)).toEqual({ n: 1, of: 3 });
        let mark = session.press(person, domainStep, 'D ');
        const unitStep = await session.messageTo(person.id, mark, words.step);
        expect(stepOf(unitStep, words)).toEqual({ n: 2, of: 3 });
        const last = await session.say(person, 'HPZ');
        expect(stepOf(last, words)).toEqual({ n: 3, of: 3 });
        expect(textOf(last)).toContain(OFFERED_TEXT);
        // Back from the last step of this shorter dialogue is the unit step, still "of 3".
        mark = session.press(person, last, words.back);
        expect(stepOf(await session.messageTo(person.id, mark, words.step), words)).toEqual({ n: 2, of: 3 });
        const cancel = await session.say(person, '/cancel');
        expect(textOf(cancel)).not.toBe('');
      });

      it('photos and a text sent at the domain step, and more text at the review, are all kept on the item', async () => {
        const person = words.lang === 'zh' ? offered.zh : offered.en;
        const domainStep = await session.say(person, '/tip');
        expect(stepOf(domainStep, words)).toEqual({ n: 1, of: 4 });
        // An album arrives as one update per photo, the first one often before the domain is chosen.
        let mark = session.push(photoMessage(person));
        const firstPhoto = await session.messageTo(person.id, mark, words.step);
        expect(textOf(firstPhoto)).toContain(words.kept(1));
        mark = session.push(photoMessage(person, KEPT_CAPTION));
        const secondPhoto = await session.messageTo(person.id, mark, words.step);
        expect(textOf(secondPhoto)).toContain(words.kept(2));
        // With the report's text in hand there is no text step left: the count says 1 of 3 from now on.
        mark = session.push(textMessage(person, KEPT_TEXT));
        expect(stepOf(await session.messageTo(person.id, mark, words.step), words)).toEqual({ n: 1, of: 3 });

        mark = session.press(person, domainStep, 'S ');
        expect(stepOf(await session.messageTo(person.id, mark, words.step), words)).toEqual({ n: 2, of: 3 });
        const first = await session.say(person, 'HPZ');
        expect(stepOf(first, words)).toEqual({ n: 3, of: 3 });
        // The caption and the text came first and are the report so far.
        expect(textOf(first)).toContain(KEPT_CAPTION);
        expect(textOf(first)).toContain(KEPT_TEXT);
        // More text at the review is added to the report, not dropped.
        const review = await session.say(person, LATER_TEXT);
        expect(textOf(review)).toContain(LATER_TEXT);
        expect(textOf(review)).toContain(KEPT_TEXT);

        mark = session.press(person, review, words.submit);
        const receipt = await session.messageTo(person.id, mark, words.receipt);
        const number = Number(/#(\d+)/.exec(textOf(receipt))?.[1]);
        expect(number).toBeGreaterThan(0);
        const shown = await session.say(officer, `/show ${number}`);
        for (const part of [KEPT_CAPTION, KEPT_TEXT, LATER_TEXT]) expect(textOf(shown)).toContain(part);
        const [files] = await session.withDatabase((db) =>
          queryRows<{ n: number }>(
            db,
            sql`select count(*)::int as n from item_attachments where item_id = ${number}`,
          ),
        );
        expect(files).toEqual({ n: 2 });
      });
    });
  }
});
