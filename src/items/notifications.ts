/**
 * Messages an item's use cases send to OTHER people than the one who acted: the section's alert, a
 * notice to an agency's liaisons or to a new assignee, the integrity-card alert, feedback and
 * relayed questions to a reporter, an answer's notice to the officer. Each is written in its reader's
 * language and queued in the use case's transaction; none carries an item's text to anyone but the
 * reporter who wrote it, and none tells a reporter who acted.
 */

import { BUTTONS } from '../buttons.js';
import type { Queryable } from '../db/client.js';
import { alertBatchTime } from '../domain/alert-batches.js';
import type { PointsFlag } from '../domain/points-card.js';
import { type Language, languageFor, translatorFor } from '../i18n.js';
import { domainName, priorityName } from '../labels.js';
import { deepLink } from '../links.js';
import { staffRecipients } from '../people/store.js';
import { getSectionChat } from '../settings.js';
import type { OutboxBuffer } from '../telegram/outbox.js';
import { type ItemSummary, itemCode, unitNameFor } from './summary.js';

/** The section's group chat speaks the section's language: Chinese. */
const SECTION_LANGUAGE: Language = 'zh-CN';

/** The outbox ref of a relayed question, so a reply to it finds the question again. */
export function questionRef(questionId: number): string {
  return `question:${questionId}`;
}

/** The question id in a `question:<id>` ref, or null for any other ref. */
export function questionIdOfRef(ref: string | null): number | null {
  const match = ref ? /^question:(\d{1,9})$/.exec(ref) : null;
  return match ? Number(match[1]) : null;
}

function alertText(item: ItemSummary, language: Language): string {
  const t = translatorFor(language);
  const lines = [
    `🔔 ${t('items:alert_title', { id: item.id })}`,
    t('items:alert_code', { code: item.code }),
    t('items:alert_domain', { domain: domainName(t, item.domain, 'long') }),
    t('items:alert_unit', { unit: unitNameFor(item, language) }),
    t('items:alert_priority', { priority: priorityName(t, item.priority, 'alert') }),
  ];
  if (item.adminsOnly) lines.push(t('items:alert_admins_only'));
  return lines.join('\n');
}

function alertButton(item: ItemSummary, language: Language, botUsername: string): Record<string, unknown> {
  const t = translatorFor(language);
  return {
    reply_markup: {
      inline_keyboard: [[{ text: t('items:alert_open'), url: deepLink(botUsername, 'show', item.id) }]],
    },
  };
}

/**
 * Sends (through the outbox) the alert for a new must-investigate item: number, code, domain, unit and priority only,
 * never its text or reporter. It goes to the section chat, or to every admin and officer privately
 * when no chat is bound; an admins-only item (conflict of interest) goes to the admins privately only.
 * It is posted at the next batch boundary (domain/alert-batches.ts), so its time does not point at
 * the person who just sent a tip.
 */
export async function alertSection(
  db: Queryable,
  out: OutboxBuffer,
  item: ItemSummary,
  options: { botUsername: string; adminIds: readonly number[]; now: Date; batchMinutes: number },
): Promise<void> {
  const notBefore = alertBatchTime(options.now, options.batchMinutes) ?? undefined;
  const section = item.adminsOnly ? null : await getSectionChat(db);
  if (section) {
    out.sendText(
      section.chatId,
      alertText(item, SECTION_LANGUAGE),
      alertButton(item, SECTION_LANGUAGE, options.botUsername),
      `alert:${item.id}`,
      { notBefore },
    );
    return;
  }
  for (const recipient of await staffRecipients(db, options.adminIds, !item.adminsOnly)) {
    out.sendText(
      recipient.chatId,
      alertText(item, recipient.language),
      alertButton(item, recipient.language, options.botUsername),
      `alert:${item.id}`,
      { notBefore },
    );
  }
}

/** Tells an agency's liaisons that an item was forwarded to them: its number and code only. */
export function notifyLiaisonsOfForward(
  out: OutboxBuffer,
  liaisons: ReadonlyArray<{ telegramId: number; language: string | null }>,
  item: { id: number; domain: string; unitCode: string },
): void {
  for (const liaison of liaisons) {
    const t = translatorFor(languageFor(liaison.language));
    out.sendText(
      liaison.telegramId,
      t('queue:forwarded_to_liaison', { id: item.id, code: itemCode(item.domain, item.unitCode) }),
    );
  }
}

/** Tells an officer privately that an item was assigned to them. */
export function notifyAssignee(
  out: OutboxBuffer,
  officer: { telegramId: number; language: string | null },
  item: { id: number; domain: string; unitCode: string },
): void {
  const t = translatorFor(languageFor(officer.language));
  out.sendText(
    officer.telegramId,
    t('queue:assigned_you', { id: item.id, code: itemCode(item.domain, item.unitCode) }),
  );
}

/**
 * Posts a flag a head newly reached on their integrity card to the section chat: the unit, the head's
 * name (a public appointment; the card is theirs, not the unit's) and the flag — no item, no text.
 */
export function postPointsAlert(
  out: OutboxBuffer,
  sectionChatId: number,
  unit: { code: string; nameZh?: string | null; nameEn?: string | null },
  headName: string | null,
  flag: PointsFlag,
): void {
  const t = translatorFor(SECTION_LANGUAGE);
  const head = headName ?? t('heads:unknown_head');
  // The unit by name, as the group reads it (its code only when the directory has no name).
  const name = (SECTION_LANGUAGE === 'en' ? unit.nameEn : unit.nameZh) || unit.code;
  out.sendText(sectionChatId, t('queue:points_alert', { unit: name, head, flag: t(`queue:flag_${flag}`) }));
}

/** 向举报人反馈: tells the reporter, in general terms and in their language, that their item was concluded. */
export function sendConcludedFeedback(
  out: OutboxBuffer,
  reporter: { telegramId: number; language: string | null },
  itemId: number,
): void {
  const t = translatorFor(languageFor(reporter.language));
  out.sendText(reporter.telegramId, t('queue:feedback_concluded', { id: itemId }), {}, `feedback:${itemId}`);
}

/** Tells the reporter, in their language, that their item was filed for reference (存档备查) and why that is not silence. */
export function sendFiledFeedback(
  out: OutboxBuffer,
  reporter: { telegramId: number; language: string | null },
  itemId: number,
): void {
  const t = translatorFor(languageFor(reporter.language));
  out.sendText(reporter.telegramId, t('queue:feedback_filed', { id: itemId }), {}, `feedback:${itemId}`);
}

/** Relays an officer's question to the reporter with an Answer button; the officer is not named. */
export function relayQuestion(
  out: OutboxBuffer,
  reporter: { telegramId: number; language: string | null },
  question: { id: number; itemId: number; text: string },
): void {
  const t = translatorFor(languageFor(reporter.language));
  out.sendText(
    reporter.telegramId,
    t('queue:ask_to_reporter', { id: question.itemId, question: question.text }),
    {
      // A relayed question says what the section knows; it is not to be forwarded out of the chat.
      protect_content: true,
      reply_markup: {
        inline_keyboard: [
          [
            {
              text: t('queue:btn_answer'),
              callback_data: BUTTONS.answer.encode({ questionId: question.id }),
            },
          ],
        ],
      },
    },
    questionRef(question.id),
  );
}

/** Tells the officer who asked (or the assignee) that the reporter answered: the item number only. */
export function notifyAnswered(
  out: OutboxBuffer,
  officer: { telegramId: number; language: string | null },
  itemId: number,
): void {
  const t = translatorFor(languageFor(officer.language));
  out.sendText(officer.telegramId, t('queue:answer_notify', { id: itemId }));
}

/**
 * Tells an item's assignee that its reporter added information (an addition, a file or an answer):
 * the number only, with a button to open it. Queued once per update and officer.
 */
export function notifyNewInformation(
  out: OutboxBuffer,
  officer: { telegramId: number; language: string | null },
  itemId: number,
): void {
  const ref = `added:${itemId}`;
  if (out.messages.some((message) => message.chatId === officer.telegramId && message.ref === ref)) return;
  const t = translatorFor(languageFor(officer.language));
  out.sendText(
    officer.telegramId,
    t('queue:added_notify', { id: itemId }),
    {
      reply_markup: {
        inline_keyboard: [
          [
            {
              text: t('queue:btn_open', { id: itemId }),
              callback_data: BUTTONS.showItem.encode({ id: itemId }),
            },
          ],
        ],
      },
    },
    ref,
  );
}
