import { parseAgency } from '../../../domain/agencies.js';
import {
  type CodeError,
  type Domain,
  extractReference,
  parseCode,
  parseTip,
  type UnitRef,
} from '../../../domain/tip-code.js';
import { type CreateItemOutcome, createItem, type NewItem } from '../../../items/creation.js';
import type { AttachmentInput } from '../../../items/store.js';
import { OutboxBuffer } from '../../../telegram/outbox.js';
import { loadUnits } from '../../../units/directory.js';
import type { BotContext } from '../../context.js';
import { codeErrorText, type ExampleKind, exampleText } from './messages.js';
import { replyToNewItem } from './receipts.js';

/** What a reporter's tip consists of, however it was typed (one line, caption or step by step). */
export interface TipDraft {
  domain: Domain;
  unitCode: string;
  text: string;
  attachments: readonly AttachmentInput[];
}

/**
 * Stores an item from this update and queues the reply to its sender: the receipt, the "already
 * received" notice, or why it was refused.
 */
async function storeItem(ctx: BotContext, input: NewItem): Promise<CreateItemOutcome | null> {
  if (!ctx.chat) return null;
  // The use case's messages to others (the alert) go out after the receipt, as they always have.
  const notices = new OutboxBuffer();
  const outcome = await createItem(ctx.db, notices, input, {
    now: ctx.services.now(),
    config: ctx.services.config,
    botUsername: ctx.services.botUsername(),
  });
  replyToNewItem(ctx.out, { chatId: ctx.chat.id, language: ctx.lang }, outcome, {
    byReporter: input.reporterId !== null,
    signed: input.signed,
    reference: input.reference,
  });
  ctx.out.messages.push(...notices.messages);
  return outcome;
}

/** Stores a tip from the enrolled monitor or liaison who sent this update; the reply is queued. */
export async function submitTip(ctx: BotContext, draft: TipDraft): Promise<CreateItemOutcome | null> {
  const person = ctx.person;
  if (!person || !ctx.chat || (person.role !== 'monitor' && person.role !== 'liaison')) return null;
  const input: NewItem = {
    kind: 'tip',
    sourceKind: person.role,
    // A liaison's own tip is "from a liaison": with one liaison per agency, its agency would name them
    // to anyone who reads the item (a notice, the agency's own information, keeps it).
    sourceAgency: null,
    reporterId: person.telegramId,
    actorId: person.telegramId,
    // An enrolled reporter is known to the section and can always be contacted through the bot.
    signed: true,
    domain: draft.domain,
    unitCode: draft.unitCode,
    text: draft.text,
    attachments: draft.attachments,
  };
  return storeItem(ctx, input);
}

/** A successful parse; otherwise replies exactly what to fix (suggestions, an example) and returns null. */
function explainedUnlessOk<T extends { ok: true }>(
  ctx: BotContext,
  result: T | { ok: false; error: CodeError },
  example: ExampleKind,
  directory: readonly UnitRef[],
): T | null {
  if (result.ok) return result;
  ctx.replyText(codeErrorText(ctx.t, result.error, example, directory));
  return null;
}

/** `/tip <CODE> <text>`: parses and stores a tip, or explains what to fix (null); a refusal stores nothing. */
export async function tipFromText(
  ctx: BotContext,
  input: string,
  attachments: readonly AttachmentInput[] = [],
): Promise<CreateItemOutcome | null> {
  const directory = await loadUnits(ctx.db);
  const parsed = explainedUnlessOk(ctx, parseTip(input, directory), 'tip', directory);
  if (!parsed) return null;
  return submitTip(ctx, { domain: parsed.domain, unitCode: parsed.unitCode, text: parsed.text, attachments });
}

/** `/notice <CODE> [〔2019〕12号] <text>`: a notice from the liaison's own agency. */
export async function noticeFromText(ctx: BotContext, input: string): Promise<void> {
  const person = ctx.person;
  if (!person || !ctx.chat) return;
  const agency = person.agency ? parseAgency(person.agency) : null;
  if (!agency) {
    ctx.replyText(ctx.t('tips:notice_no_agency'));
    return;
  }
  const directory = await loadUnits(ctx.db);
  const parsed = explainedUnlessOk(ctx, parseTip(input, directory), 'notice', directory);
  if (!parsed) return;
  const { reference, text } = extractReference(parsed.text);
  if (text === '') {
    ctx.replyText(codeErrorText(ctx.t, { kind: 'missing_text' }, 'notice', directory));
    return;
  }
  await storeItem(ctx, {
    kind: 'notice',
    sourceKind: 'liaison',
    sourceAgency: agency,
    reporterId: person.telegramId,
    actorId: person.telegramId,
    signed: true,
    domain: parsed.domain,
    unitCode: parsed.unitCode,
    text,
    reference,
  });
}

const SOURCES: Readonly<Record<string, 'hotline' | 'mailbox'>> = {
  hotline: 'hotline',
  phone: 'hotline',
  电话: 'hotline',
  热线: 'hotline',
  监督电话: 'hotline',
  mailbox: 'mailbox',
  mail: 'mailbox',
  letter: 'mailbox',
  信箱: 'mailbox',
  来信: 'mailbox',
  举报信箱: 'mailbox',
};

const SIGNEDNESS: Readonly<Record<string, boolean>> = {
  signed: true,
  署名: true,
  实名: true,
  anonymous: false,
  anon: false,
  匿名: false,
};

/** `/log <hotline|mailbox> <CODE> <signed|anonymous> <text>`: a report the section received by phone or letter. */
export async function logFromText(ctx: BotContext, input: string): Promise<void> {
  const person = ctx.person;
  if (!person || !ctx.chat) return;
  const [, sourceWord = '', codeWord = '', signedWord = '', rest = ''] =
    /^\s*(\S*)\s*(\S*)\s*(\S*)\s*([\s\S]*)$/u.exec(input) ?? [];
  const source = SOURCES[sourceWord.toLowerCase()];
  if (!source) {
    ctx.replyText(`${ctx.t('tips:log_bad_source')}\n\n${exampleText(ctx.t, 'log')}`);
    return;
  }
  const directory = await loadUnits(ctx.db);
  const code = explainedUnlessOk(ctx, parseCode(codeWord, directory), 'log', directory);
  if (!code) return;
  const signed = SIGNEDNESS[signedWord.toLowerCase()];
  if (signed === undefined) {
    ctx.replyText(`${ctx.t('tips:log_bad_signed')}\n\n${exampleText(ctx.t, 'log')}`);
    return;
  }
  // The text goes through parseTip's rules (sanitising, 1–4000 code points) by re-parsing with the code.
  const parsed = explainedUnlessOk(ctx, parseTip(`${codeWord} ${rest}`, directory), 'log', directory);
  if (!parsed) return;
  await storeItem(ctx, {
    kind: 'report',
    sourceKind: source,
    sourceAgency: null,
    reporterId: null,
    actorId: person.telegramId,
    signed,
    domain: code.domain,
    unitCode: code.unitCode,
    text: parsed.text,
  });
}
