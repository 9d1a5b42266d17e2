import type { Message } from 'telegraf/types';
import { BUTTONS, type CallbackData } from '../../../buttons.js';
import { clearDialogue, type Dialogue, setDialogue } from '../../../dialogues.js';
import { MAX_ATTACHMENTS } from '../../../domain/limits.js';
import {
  DOMAINS,
  type Domain,
  findUnit,
  MAX_TEXT_LENGTH,
  parseDomain,
  sanitizeText,
  suggestUnits,
} from '../../../domain/tip-code.js';
import { type AttachmentInput, mostReportedUnits } from '../../../items/store.js';
import { itemCode } from '../../../items/summary.js';
import { domainName, unitName } from '../../../labels.js';
import { loadUnits, type Unit } from '../../../units/directory.js';
import type { BotContext } from '../../context.js';
import { answerCallback } from '../../feature.js';
import { submitTip } from './intake.js';
import { attachmentOf, captionOf } from './messages.js';

/** Attachments that can carry the report on their own, spoken. */
const SPOKEN: ReadonlySet<string> = new Set(['voice', 'audio', 'video', 'video_note']);

/** The dialogue kind the guided /tip stores in the dialogues table. */
export const TIP_DIALOGUE = 'tip';
/** How many unit buttons the unit step offers. */
export const UNIT_BUTTONS = 8;

/** The buttons of the guided /tip. */
export const GUIDED_BUTTONS = [
  BUTTONS.tipDomain,
  BUTTONS.tipUnit,
  BUTTONS.tipTypeUnit,
  BUTTONS.tipDone,
  BUTTONS.tipSubmit,
  BUTTONS.tipCancel,
] as const;

type Step = 'domain' | 'unit' | 'text' | 'attachments' | 'confirm';

export interface TipData {
  domain?: Domain;
  unitCode?: string;
  text?: string;
  attachments?: AttachmentInput[];
}

function dataOf(dialogue: Dialogue): TipData {
  return dialogue.data as TipData;
}

async function save(ctx: BotContext, step: Step, data: TipData): Promise<void> {
  if (ctx.from) await setDialogue(ctx.db, ctx.from.id, { kind: TIP_DIALOGUE, step, data: { ...data } });
}

function keyboard(rows: Array<Array<{ text: string; callback_data: string }>>): Record<string, unknown> {
  return { reply_markup: { inline_keyboard: rows } };
}

function protectedKeyboard(
  rows: Array<Array<{ text: string; callback_data: string }>>,
): Record<string, unknown> {
  return { protect_content: true, reply_markup: { inline_keyboard: rows } };
}

/** `/tip` with no arguments: starts the dialogue at the domain step (the three powers first). */
export async function startGuidedTip(ctx: BotContext, prefix?: string, data: TipData = {}): Promise<void> {
  await save(ctx, 'domain', data);
  const buttons = DOMAINS.map((domain) => ({
    text: `${domain} ${domainName(ctx.t, domain, 'long')}`,
    callback_data: BUTTONS.tipDomain.encode({ domain }),
  }));
  ctx.replyText(
    withPrefix(prefix, ctx.t('tips:guided_domain')),
    keyboard([buttons.slice(0, 3), buttons.slice(3)]),
  );
}

/** A step's prompt after what the person is told first (e.g. "added to #12"), in one message. */
function withPrefix(prefix: string | undefined, text: string): string {
  return prefix ? `${prefix}\n\n${text}` : text;
}

/** Whether the draft holds something the person wrote (past the domain and unit buttons). */
export function draftHasContent(dialogue: Dialogue): boolean {
  return dialogue.kind === TIP_DIALOGUE && dialogue.step !== 'domain' && dialogue.step !== 'unit';
}

/**
 * Asks again for the step the person's open guided tip is at, after `prefix` (what just happened to
 * another message of theirs), so a reply to a receipt or a question neither ends nor feeds the draft.
 */
export async function resumeGuidedTip(ctx: BotContext, dialogue: Dialogue, prefix: string): Promise<void> {
  const data = dataOf(dialogue);
  switch (dialogue.step as Step) {
    case 'unit':
      return askUnit(ctx, data, prefix);
    case 'text':
      return askText(ctx, data, prefix);
    case 'attachments':
      return askAttachments(ctx, data, prefix);
    case 'confirm':
      return showConfirmation(ctx, data, prefix);
    default:
      return startGuidedTip(ctx, prefix, data);
  }
}

/**
 * A message that starts with a code, sent without /tip: the whole tip on the last screen, for one tap
 * on Submit (or Cancel). Nothing is stored until they submit.
 */
export async function offerCodedTip(
  ctx: BotContext,
  data: Required<Pick<TipData, 'domain' | 'unitCode' | 'text'>> & TipData,
): Promise<void> {
  const text = sanitizeText(data.text).trim();
  await askAttachments(
    ctx,
    { ...data, text },
    ctx.t('tips:offer_coded', { code: itemCode(data.domain, data.unitCode) }),
  );
}

/** After the unit: the text, unless the person already gave it (a message offered as a tip). */
function afterUnit(ctx: BotContext, data: TipData): Promise<void> {
  if (data.text !== undefined) return askAttachments(ctx, data);
  // A tip that began as a voice message already says it: no text to type.
  if (data.attachments?.some((attachment) => SPOKEN.has(attachment.fileKind))) {
    return askAttachments(ctx, { ...data, text: ctx.t('tips:voice_text') });
  }
  return askText(ctx, data);
}

async function askUnit(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  await save(ctx, 'unit', data);
  const directory = await loadUnits(ctx.db);
  const codes = ctx.from ? await mostReportedUnits(ctx.db, ctx.from.id, UNIT_BUTTONS) : [];
  const buttons = codes
    .map((code) => directory.find((unit) => unit.code === code))
    .filter((unit): unit is Unit => unit !== undefined)
    .map((unit) => ({
      text: unitName(unit, ctx.lang),
      callback_data: BUTTONS.tipUnit.encode({ unit: unit.code }),
    }));
  const rows: Array<Array<{ text: string; callback_data: string }>> = [];
  for (let index = 0; index < buttons.length; index += 2) rows.push(buttons.slice(index, index + 2));
  rows.push([{ text: ctx.t('tips:guided_unit_button_type'), callback_data: BUTTONS.tipTypeUnit.encode({}) }]);
  ctx.replyText(withPrefix(prefix, ctx.t('tips:guided_unit')), keyboard(rows));
}

async function askText(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  await save(ctx, 'text', data);
  ctx.replyText(withPrefix(prefix, ctx.t('tips:guided_text', { max: MAX_TEXT_LENGTH })));
}

/**
 * Step 4, the last screen: what will be sent (code, text, attachments) with Submit and Cancel, and an
 * invitation to send files first. One screen, so nobody taps "done" for attachments they do not have.
 */
async function askAttachments(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  await save(ctx, 'attachments', data);
  ctx.replyText(
    [
      ...(prefix ? [prefix, ''] : []),
      ctx.t('tips:guided_attachments'),
      '',
      ...(await summaryLines(ctx, data)),
    ].join('\n'),
    submitKeyboard(ctx),
  );
}

async function summaryLines(ctx: BotContext, data: TipData): Promise<string[]> {
  if (!data.domain || !data.unitCode || data.text === undefined) return [];
  const directory = await loadUnits(ctx.db);
  const unit = directory.find((entry) => entry.code === data.unitCode);
  return [
    ctx.t('tips:guided_confirm_code', {
      domain: domainName(ctx.t, data.domain, 'long'),
      unit: unit ? unitName(unit, ctx.lang) : data.unitCode,
      code: itemCode(data.domain, data.unitCode),
    }),
    // The reporter's own text, shown back to them only, in their private chat.
    ctx.t('tips:guided_confirm_text', { text: data.text }),
    ctx.t('tips:guided_confirm_attachments', { count: data.attachments?.length ?? 0 }),
  ];
}

/** Buttons of the last screen, which shows the report's text back: protected from forwarding. */
function submitKeyboard(ctx: BotContext): Record<string, unknown> {
  return protectedKeyboard([
    [
      { text: ctx.t('tips:guided_submit_button'), callback_data: BUTTONS.tipSubmit.encode({}) },
      { text: ctx.t('tips:guided_cancel_button'), callback_data: BUTTONS.tipCancel.encode({}) },
    ],
  ]);
}

/** The confirmation (kept for a "done" button sent by an earlier version, and any stored confirm step). */
async function showConfirmation(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  if (!data.domain || !data.unitCode || data.text === undefined) return;
  await save(ctx, 'confirm', data);
  const lines = [
    ...(prefix ? [prefix, ''] : []),
    ctx.t('tips:guided_confirm_title'),
    ...(await summaryLines(ctx, data)),
  ];
  ctx.replyText(lines.join('\n'), submitKeyboard(ctx));
}

/** Answers a stale button (its step is over, or the dialogue ended) without changing anything. */
function expired(ctx: BotContext): void {
  answerCallback(ctx, ctx.t('tips:guided_expired'), true);
}

/** A guided-tip button press: checks it belongs to the step the person is at, then advances. */
export async function onGuidedButton(
  ctx: BotContext,
  pressed: CallbackData,
  dialogue: Dialogue | null,
): Promise<void> {
  if (!dialogue || dialogue.kind !== TIP_DIALOGUE) return expired(ctx);
  const data = dataOf(dialogue);
  switch (pressed.action) {
    case BUTTONS.tipDomain.action: {
      const domain = BUTTONS.tipDomain.decode(pressed)?.domain;
      if (dialogue.step !== 'domain' || !domain) return expired(ctx);
      answerCallback(ctx);
      return askUnit(ctx, { ...data, domain });
    }
    case BUTTONS.tipUnit.action: {
      if (dialogue.step !== 'unit') return expired(ctx);
      const code = BUTTONS.tipUnit.decode(pressed)?.unit;
      const unit = code ? findUnit(code, await loadUnits(ctx.db)) : null;
      if (!unit) return expired(ctx);
      answerCallback(ctx);
      return afterUnit(ctx, { ...data, unitCode: unit.code });
    }
    case BUTTONS.tipTypeUnit.action:
      if (dialogue.step !== 'unit') return expired(ctx);
      answerCallback(ctx);
      ctx.replyText(ctx.t('tips:guided_unit_type'));
      return;
    case BUTTONS.tipDone.action:
      if (dialogue.step !== 'attachments') return expired(ctx);
      answerCallback(ctx);
      return showConfirmation(ctx, data);
    case BUTTONS.tipSubmit.action: {
      const submittable = dialogue.step === 'confirm' || dialogue.step === 'attachments';
      if (!submittable || !data.domain || !data.unitCode || data.text === undefined) return expired(ctx);
      answerCallback(ctx);
      const result = await submitTip(ctx, {
        domain: data.domain,
        unitCode: data.unitCode,
        text: data.text,
        attachments: data.attachments ?? [],
      });
      // A refusal (e.g. the flood limit) keeps the draft, so the person can submit it later.
      if (result && result.kind !== 'refused' && ctx.from) await clearDialogue(ctx.db, ctx.from.id);
      return;
    }
    case BUTTONS.tipCancel.action:
      if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
      answerCallback(ctx);
      ctx.replyText(ctx.t('tips:guided_cancelled'));
      return;
    default:
      return expired(ctx);
  }
}

/** A message during the guided tip: a typed domain or unit, the text, or an attachment. */
export async function onGuidedMessage(ctx: BotContext, message: Message, dialogue: Dialogue): Promise<void> {
  const data = dataOf(dialogue);
  const typed = 'text' in message ? message.text : null;
  const attachment = attachmentOf(message);
  switch (dialogue.step as Step) {
    case 'domain': {
      const domain = typed ? parseDomain(typed) : null;
      if (domain) return askUnit(ctx, { ...data, domain });
      return startGuidedTip(ctx, undefined, data);
    }
    case 'unit': {
      if (!typed) {
        ctx.replyText(ctx.t('tips:guided_unit_type'));
        return;
      }
      const directory = await loadUnits(ctx.db);
      const unit = findUnit(typed, directory);
      if (unit) return afterUnit(ctx, { ...data, unitCode: unit.code });
      const suggestions = suggestUnits(typed, directory)
        .map((code) => directory.find((entry) => entry.code === code))
        .filter((entry): entry is Unit => entry !== undefined);
      const rows = suggestions.map((entry) => [
        {
          text: `${entry.code} ${unitName(entry, ctx.lang)}`,
          callback_data: BUTTONS.tipUnit.encode({ unit: entry.code }),
        },
      ]);
      ctx.replyText(
        `${
          Array.from(typed).length <= 12
            ? ctx.t('tips:error_unknown_unit', { input: typed })
            : ctx.t('tips:error_unknown_unit_plain')
        }\n${ctx.t('tips:guided_unit_type')}`,
        rows.length > 0 ? keyboard(rows) : {},
      );
      return;
    }
    case 'text': {
      const raw = typed ?? captionOf(message);
      const attachments = [...(data.attachments ?? [])];
      if (attachment && attachments.length < MAX_ATTACHMENTS) attachments.push(attachment);
      if (raw === null) {
        // A voice message (or a video of someone speaking) is the report itself: a voice-only tip is fine.
        if (attachment && SPOKEN.has(attachment.fileKind)) {
          return askAttachments(ctx, { ...data, text: ctx.t('tips:voice_text'), attachments });
        }
        await save(ctx, 'text', { ...data, attachments });
        ctx.replyText(ctx.t('tips:guided_send_text'));
        return;
      }
      const text = sanitizeText(raw).trim();
      const length = Array.from(text).length;
      if (text === '') {
        ctx.replyText(ctx.t('tips:guided_send_text'));
        return;
      }
      if (length > MAX_TEXT_LENGTH) {
        ctx.replyText(ctx.t('tips:error_text_too_long', { length, max: MAX_TEXT_LENGTH }));
        return;
      }
      return askAttachments(ctx, { ...data, text, attachments });
    }
    case 'attachments': {
      if (!attachment) {
        ctx.replyText(ctx.t('tips:guided_attachments_expected'), submitKeyboard(ctx));
        return;
      }
      const attachments = [...(data.attachments ?? [])];
      if (attachments.length >= MAX_ATTACHMENTS) {
        ctx.replyText(ctx.t('tips:too_many_attachments', { max: MAX_ATTACHMENTS }));
        return;
      }
      attachments.push(attachment);
      return askAttachments(
        ctx,
        { ...data, attachments },
        ctx.t('tips:guided_attachment_added', { count: attachments.length }),
      );
    }
    case 'confirm':
      return showConfirmation(ctx, data);
    default:
      // A step this version does not know (stored by another version): start over rather than guess.
      return startGuidedTip(ctx);
  }
}
