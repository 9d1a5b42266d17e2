import { parseAgency } from '../../../domain/agencies.js';
import { type Domain, extractReference, parseCode, parseTip } from '../../../domain/tip-code.js';
import {
  type AttachmentInput,
  type CreateItemResult,
  createItem,
  type NewItem,
} from '../../../items/create-item.js';
import { loadUnits } from '../../../units/directory.js';
import type { BotContext } from '../../context.js';
import { codeErrorText, exampleText } from './messages.js';

/** What a reporter's tip consists of, however it was typed (one line, caption or step by step). */
export interface TipDraft {
  domain: Domain;
  unitCode: string;
  text: string;
  attachments: readonly AttachmentInput[];
}

function servicesOf(ctx: BotContext) {
  return {
    config: ctx.services.config,
    now: () => ctx.services.now(),
    botUsername: () => ctx.services.botUsername(),
    out: ctx.out,
  };
}

/** Stores a tip from the enrolled monitor or liaison who sent this update; the reply is queued. */
export async function submitTip(ctx: BotContext, draft: TipDraft): Promise<CreateItemResult | null> {
  const person = ctx.person;
  if (!person || !ctx.chat || (person.role !== 'monitor' && person.role !== 'liaison')) return null;
  const input: NewItem = {
    kind: 'tip',
    sourceKind: person.role,
    sourceAgency: person.role === 'liaison' && person.agency ? parseAgency(person.agency) : null,
    reporterId: person.telegramId,
    actorId: person.telegramId,
    // An enrolled reporter is known to the section and can always be contacted through the bot.
    signed: true,
    domain: draft.domain,
    unitCode: draft.unitCode,
    text: draft.text,
    attachments: draft.attachments,
    replyTo: { chatId: ctx.chat.id, language: ctx.lang },
  };
  return createItem(ctx.db, input, servicesOf(ctx));
}

/** `/tip <CODE> <text>`: parses and stores a tip, or explains what to fix; a refusal stores nothing. */
export async function tipFromText(
  ctx: BotContext,
  input: string,
  attachments: readonly AttachmentInput[] = [],
): Promise<void> {
  const directory = await loadUnits(ctx.db);
  const parsed = parseTip(input, directory);
  if (!parsed.ok) {
    ctx.replyText(codeErrorText(ctx.t, parsed.error, 'tip', directory));
    return;
  }
  await submitTip(ctx, { domain: parsed.domain, unitCode: parsed.unitCode, text: parsed.text, attachments });
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
  const parsed = parseTip(input, directory);
  if (!parsed.ok) {
    ctx.replyText(codeErrorText(ctx.t, parsed.error, 'notice', directory));
    return;
  }
  const { reference, text } = extractReference(parsed.text);
  if (text === '') {
    ctx.replyText(codeErrorText(ctx.t, { kind: 'missing_text' }, 'notice', directory));
    return;
  }
  await createItem(
    ctx.db,
    {
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
      replyTo: { chatId: ctx.chat.id, language: ctx.lang },
    },
    servicesOf(ctx),
  );
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
  const code = parseCode(codeWord, directory);
  if (!code.ok) {
    ctx.replyText(codeErrorText(ctx.t, code.error, 'log', directory));
    return;
  }
  const signed = SIGNEDNESS[signedWord.toLowerCase()];
  if (signed === undefined) {
    ctx.replyText(`${ctx.t('tips:log_bad_signed')}\n\n${exampleText(ctx.t, 'log')}`);
    return;
  }
  // The text goes through parseTip's rules (sanitising, 1–4000 code points) by re-parsing with the code.
  const parsed = parseTip(`${codeWord} ${rest}`, directory);
  if (!parsed.ok) {
    ctx.replyText(codeErrorText(ctx.t, parsed.error, 'log', directory));
    return;
  }
  await createItem(
    ctx.db,
    {
      kind: 'report',
      sourceKind: source,
      sourceAgency: null,
      reporterId: null,
      actorId: person.telegramId,
      signed,
      domain: code.domain,
      unitCode: code.unitCode,
      text: parsed.text,
      replyTo: { chatId: ctx.chat.id, language: ctx.lang },
    },
    servicesOf(ctx),
  );
}
