// A scripted working week through the real bot process and the fake Bot API, for the "reader without
// the key" stage of the leak hunt: enrolment through invites, tips from two monitors and two liaisons,
// a notice, a logged report, an addition, a reply to a receipt, a relayed question answered by its
// reporter, a conclusion with feedback and a guided tip left half-done. It records the ground truth a
// database reader must NOT be able to reconstruct: who reported which item.
import type { E2eSession, SentButton } from '../support/e2e-session.js';
import { buttonsOf, messageIdOf, textOf } from '../support/e2e-session.js';
import type { RecordedCall } from '../support/fake-bot-api.js';
import { callbackQuery, type TgUser, textMessage, user } from '../support/updates.js';

/** People of the scripted run, with identities distinctive enough to be found anywhere in a dump. */
export const CAST = {
  admin: user(7_310_000_001, { name: 'MKADMINNAME', username: 'mkadminuser', lang: 'en' }),
  officer: user(7_310_000_002, { name: 'MKOFFICERNAME', username: 'mkofficeruser' }),
  monitorA: user(7_310_000_011, { name: 'MKMONANAME', username: 'mkmonauser' }),
  monitorB: user(7_310_000_012, { name: 'MKMONBNAME', username: 'mkmonbuser', lang: 'en' }),
  liaisonA: user(7_310_000_021, { name: 'MKLIAANAME', username: 'mkliaauser' }),
  liaisonB: user(7_310_000_022, { name: 'MKLIABNAME', username: 'mkliabuser' }),
} as const;

/** Communities of the two monitors: one monitor per community, so a community names its monitor. */
export const COMMUNITIES = { monitorA: 'MKCOMMA社区', monitorB: 'MKCOMMB社区' } as const;
/** Agencies of the two liaisons: one liaison per agency, so a liaison's agency names them too. */
export const AGENCIES = { liaisonA: 'AUD', liaisonB: 'CDI' } as const;

/** The section group the alerts and digests go to. */
export const SECTION_GROUP = { id: -100_731_000_001, type: 'supergroup' as const, title: '干部科' };

/** The reporters of the run (monitors and liaisons). */
export const REPORTERS: readonly TgUser[] = [CAST.monitorA, CAST.monitorB, CAST.liaisonA, CAST.liaisonB];

/** Every identity of the run that must not be found in clear: ids, names, usernames, communities. */
export function runIdentities(): Array<{ value: string; whose: string }> {
  const found: Array<{ value: string; whose: string }> = [];
  for (const person of Object.values(CAST)) {
    const whose = `${person.first_name} (${person.id})`;
    found.push({ value: String(person.id), whose }, { value: person.first_name, whose });
    if (person.username) found.push({ value: person.username, whose });
  }
  for (const community of Object.values(COMMUNITIES)) found.push({ value: community, whose: 'a monitor' });
  return found;
}

/** The run's identities found in clear in a dump's tables (and in any further texts, e.g. pg_dump). */
export function identitiesFoundIn(
  tables: ReadonlyArray<{ name: string; rows: ReadonlyArray<Record<string, unknown>> }>,
  more: ReadonlyArray<{ where: string; text: string }> = [],
): string[] {
  const texts = [
    ...tables.map((table) => ({
      where: `table ${table.name}`,
      text: table.rows.map((row) => JSON.stringify(row)).join('\n'),
    })),
    ...more,
  ];
  const found: string[] = [];
  for (const { value, whose } of runIdentities()) {
    for (const { where, text } of texts) {
      if (text.toLowerCase().includes(value.toLowerCase())) found.push(`${value} of ${whose} in ${where}`);
    }
  }
  return found;
}

/** What the run did, for the checks: who reported each item, and which items it concluded. */
export interface ScriptedRunTruth {
  /** Item number → the reporter's Telegram id (null for the logged report). */
  reporterOf: Map<number, number | null>;
  /** Items concluded during the run (a later retention purge removes their content). */
  concluded: number[];
  /** Item number → the receipt Telegram delivered for it (chat and message id), to reply to later. */
  receipts: Map<number, { chatId: number; messageId: number }>;
}

function numberIn(call: RecordedCall): number {
  const match = /#(\d+)/.exec(textOf(call));
  if (!match?.[1]) throw new Error(`no #number in: ${textOf(call)}`);
  return Number(match[1]);
}

/** The button on `on` whose callback data matches `pattern`, or throws listing what there is. */
function buttonMatching(on: RecordedCall, pattern: RegExp): SentButton {
  const found = buttonsOf(on).find((button) => button.callback_data && pattern.test(button.callback_data));
  if (!found) throw new Error(`no button ${pattern} among ${JSON.stringify(buttonsOf(on))}`);
  return found;
}

/** `from` presses the button matching `pattern` on `on`; resolves with the mark taken before. */
function pressMatching(session: E2eSession, from: TgUser, on: RecordedCall, pattern: RegExp): number {
  const data = buttonMatching(on, pattern).callback_data ?? '';
  return session.push(
    callbackQuery(from, data, {
      messageId: messageIdOf(on),
      chatId: on.params.chat_id as number,
      messageText: textOf(on),
    }),
  );
}

/** The next visible message to `chatId` after `mark` that carries a keyboard with a button matching `pattern`. */
function keyboardTo(session: E2eSession, chatId: number, mark: number, pattern: RegExp) {
  return session.after(
    mark,
    (call) =>
      ['sendMessage', 'editMessageText'].includes(call.method) &&
      call.params.chat_id === chatId &&
      buttonsOf(call).some(
        (button) => button.callback_data !== undefined && pattern.test(button.callback_data),
      ),
  );
}

/**
 * Runs the scripted week on a started session whose ADMIN_IDS holds CAST.admin; resolves once every
 * message the bot meant to send has been delivered.
 */
export async function runScriptedWeek(session: E2eSession): Promise<ScriptedRunTruth> {
  const { admin, officer, monitorA, monitorB, liaisonA, liaisonB } = CAST;
  const reporterOf = new Map<number, number | null>();
  const receipts = new Map<number, { chatId: number; messageId: number }>();
  await session.enrol(admin, officer, 'officer');
  await session.enrol(admin, monitorA, `monitor ${COMMUNITIES.monitorA}`);
  await session.enrol(admin, monitorB, `monitor ${COMMUNITIES.monitorB}`);
  await session.enrol(admin, liaisonA, `liaison ${AGENCIES.liaisonA}`);
  await session.enrol(admin, liaisonB, `liaison ${AGENCIES.liaisonB}`);
  await session.bindSectionChat(admin, SECTION_GROUP);

  const tip = async (from: TgUser, text: string) => {
    const receipt = await session.say(from, text);
    const id = numberIn(receipt);
    reporterOf.set(id, from.id);
    receipts.set(id, { chatId: from.id, messageId: messageIdOf(receipt) });
    return { id, receipt };
  };
  const first = await tip(monitorA, '/tip F-HPZ 镇长在防波堤工程中指定施工方，金额约300万元');
  const second = await tip(monitorB, '/tip S-DXZ 书记工作日中午饮酒，下午不到岗');
  await tip(liaisonA, '/tip I-CZJ 局长的亲属承接了本局的绿化项目');
  await tip(liaisonA, '/notice F-CZJ 〔2019〕12号 审计发现专项资金被截留');
  await tip(liaisonB, '/tip P-HPZ 副镇长提拔前未经公示');
  await tip(monitorA, '/tip D-JXJD 街道重大项目未经党工委集体讨论');
  const logged = await session.say(officer, '/log hotline P-DXZ anonymous 来电反映干部调整未经集体讨论');
  reporterOf.set(numberIn(logged), null);

  // The reporter adds to their own item, once with /add and once by replying to the receipt.
  await session.say(monitorA, `/add ${first.id} 合同在三月签订`);
  // A person replies seconds after a message arrives, by when its delivery is recorded.
  await session.settle(500);
  let mark = session.push(
    textMessage(monitorA, '施工方是镇长同学的公司', { replyTo: first.receipt.result as object }),
  );
  await session.messageTo(monitorA.id, mark);

  // An officer asks the second reporter; the reporter answers by replying to the relayed question.
  mark = session.push(textMessage(officer, `/ask ${second.id} 饮酒大约在哪一天？`));
  const question = await session.messageTo(monitorB.id, mark, `#${second.id}`);
  await session.settle(500);
  mark = session.push(textMessage(monitorB, '上周三中午', { replyTo: question.result as object }));
  await session.messageTo(monitorB.id, mark);
  await session.messageTo(officer.id, mark, `#${second.id}`);

  // The first item is accepted and concluded as substantiated with a talk; its reporter gets feedback.
  mark = session.push(textMessage(officer, `/show ${first.id}`));
  const card = await keyboardTo(session, officer.id, mark, /\|accept$/);
  mark = pressMatching(session, officer, card, /\|accept$/);
  const accepted = await keyboardTo(session, officer.id, mark, /\|conclude$/);
  mark = pressMatching(session, officer, accepted, /\|conclude$/);
  let step = await keyboardTo(session, officer.id, mark, /^q\.cf\|/);
  mark = pressMatching(session, officer, step, /\|substantiated$/);
  step = await keyboardTo(session, officer.id, mark, /^q\.cm\|\d+\|talk$/);
  mark = pressMatching(session, officer, step, /^q\.cm\|\d+\|talk$/);
  step = await keyboardTo(session, officer.id, mark, /^q\.cm\|\d+\|done$/);
  mark = pressMatching(session, officer, step, /^q\.cm\|\d+\|done$/);
  step = await keyboardTo(session, officer.id, mark, /^q\.cn\|/);
  mark = pressMatching(session, officer, step, /^q\.cn\|/);
  step = await keyboardTo(session, officer.id, mark, /^q\.cc\|/);
  mark = pressMatching(session, officer, step, /^q\.cc\|/);
  await session.messageTo(monitorA.id, mark, `#${first.id}`);

  await session.say(monitorA, '/my');
  // A guided tip left half-done: its draft waits in the dialogue.
  const guided = await session.say(monitorB, '/tip');
  mark = pressMatching(session, monitorB, guided, /^tip\.domain\|S$/);
  await session.messageTo(monitorB.id, mark);
  await session.settle(2500);
  return { reporterOf, concluded: [first.id], receipts };
}
