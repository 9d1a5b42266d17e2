import type { Message } from 'telegraf/types';
import { BUTTONS, type CallbackData, TIP_EDITABLE_STEPS, type TIP_STEPS } from '../../../buttons.js';
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
  BUTTONS.tipBack,
  BUTTONS.tipEdit,
  BUTTONS.tipGoto,
  BUTTONS.tipKeep,
] as const;

/**
 * The stored step: the four screens (`attachments` is the last one, the review with Submit), `edit` (the
 * review's "which step to change" question), and `confirm`, a review stored by an earlier version.
 */
type Step = 'domain' | 'unit' | 'text' | 'attachments' | 'edit' | 'confirm';
type Editable = (typeof TIP_EDITABLE_STEPS)[number];

export interface TipData {
  domain?: Domain;
  unitCode?: string;
  text?: string;
  attachments?: AttachmentInput[];
  /** The report came before the dialogue (text, a caption or a voice message): there is no text step. */
  skipText?: boolean;
  /** A coded message offered as a tip: the review is the only screen. */
  reviewOnly?: boolean;
  /** Changing one answer from the review (Edit): once it is given, back to the review. */
  editing?: boolean;
}

type Rows = Array<Array<{ text: string; callback_data: string }>>;

/** The numbered screens of this dialogue, in order: always true to what the person will see. */
function flowOf(data: TipData): Step[] {
  if (data.reviewOnly) return [];
  return ['domain', 'unit', ...(data.skipText ? [] : (['text'] as const)), 'attachments'];
}

/** A screen's question after its "step n of N" (none for a screen outside the numbered flow). */
function stepText(ctx: BotContext, data: TipData, step: Step, question: string): string {
  const flow = flowOf(data);
  const index = flow.indexOf(step);
  return index < 0
    ? question
    : `${ctx.t('tips:guided_step', { n: index + 1, total: flow.length })}${question}`;
}

/** The screen Back leads to from `step`: the review while changing one answer, else the step before. */
function previousOf(data: TipData, step: Step): Step | null {
  if (data.editing || step === 'edit') return 'attachments';
  const flow = flowOf(data);
  const index = flow.indexOf(step);
  return index > 0 ? (flow[index - 1] ?? null) : null;
}

/** Back (when there is a screen before) and Cancel, the last row of every step. */
function navigationRow(ctx: BotContext, data: TipData, step: (typeof TIP_STEPS)[number]) {
  return [
    ...(previousOf(data, step)
      ? [{ text: ctx.t('tips:guided_back_button'), callback_data: BUTTONS.tipBack.encode({ from: step }) }]
      : []),
    { text: ctx.t('tips:guided_cancel_button'), callback_data: BUTTONS.tipCancel.encode({}) },
  ];
}

function dataOf(dialogue: Dialogue): TipData {
  return dialogue.data as TipData;
}

async function save(ctx: BotContext, step: Step, data: TipData): Promise<void> {
  if (ctx.from) await setDialogue(ctx.db, ctx.from.id, { kind: TIP_DIALOGUE, step, data: { ...data } });
}

function keyboard(rows: Rows): Record<string, unknown> {
  return { reply_markup: { inline_keyboard: rows } };
}

function protectedKeyboard(rows: Rows): Record<string, unknown> {
  return { protect_content: true, reply_markup: { inline_keyboard: rows } };
}

function spoken(data: TipData): boolean {
  return data.attachments?.some((attachment) => SPOKEN.has(attachment.fileKind)) ?? false;
}

/**
 * `/tip` with no arguments (or a message offered as a tip): starts the dialogue at the domain step (the
 * three powers first). A report given before the dialogue (text, a caption, a voice message) needs no
 * text step, and the step count says so.
 */
export async function startGuidedTip(ctx: BotContext, prefix?: string, data: TipData = {}): Promise<void> {
  const start: TipData = { ...data };
  if (start.text !== undefined || spoken(start)) start.skipText = true;
  return askDomain(ctx, start, prefix);
}

async function askDomain(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  await save(ctx, 'domain', data);
  const buttons = DOMAINS.map((domain) => ({
    text: `${domain} ${domainName(ctx.t, domain, 'long')}`,
    callback_data: BUTTONS.tipDomain.encode({ domain }),
  }));
  ctx.replyText(
    withPrefix(prefix, stepText(ctx, data, 'domain', ctx.t('tips:guided_domain'))),
    keyboard([buttons.slice(0, 3), buttons.slice(3), navigationRow(ctx, data, 'domain')]),
  );
}

/** A step's prompt after what the person is told first (e.g. "added to #12"), in one message. */
function withPrefix(prefix: string | undefined, text: string): string {
  return prefix ? `${prefix}\n\n${text}` : text;
}

/** Whether the draft holds something the person wrote or sent (text, attachments), not only button choices. */
export function draftHasContent(dialogue: Dialogue): boolean {
  if (dialogue.kind !== TIP_DIALOGUE) return false;
  const data = dataOf(dialogue);
  if (data.text !== undefined || (data.attachments?.length ?? 0) > 0) return true;
  return dialogue.step !== 'domain' && dialogue.step !== 'unit';
}

/** Shows the screen of `step` with the draft as it is. */
function showStep(ctx: BotContext, step: Step, data: TipData, prefix?: string): Promise<void> {
  switch (step) {
    case 'domain':
      return askDomain(ctx, data, prefix);
    case 'unit':
      return askUnit(ctx, data, prefix);
    case 'text':
      return askText(ctx, data, prefix);
    case 'edit':
      return askEdit(ctx, data, prefix);
    default:
      return askAttachments(ctx, data, prefix);
  }
}

/**
 * Asks again for the step the person's open guided tip is at, after `prefix` (what just happened to
 * another message of theirs), so a reply to a receipt or a question neither ends nor feeds the draft.
 */
export async function resumeGuidedTip(ctx: BotContext, dialogue: Dialogue, prefix: string): Promise<void> {
  const data = dataOf(dialogue);
  const step = dialogue.step as Step;
  // The review needs every answer; a stored draft without them starts over from the domain, kept.
  if ((step === 'attachments' || step === 'confirm' || step === 'edit') && !complete(data)) {
    return askDomain(ctx, data, prefix);
  }
  return showStep(ctx, step, data, prefix);
}

function complete(data: TipData): boolean {
  return data.domain !== undefined && data.unitCode !== undefined && data.text !== undefined;
}

/**
 * A message that starts with a code, sent without /tip: the whole tip on the last screen, for one tap
 * on Submit (or Edit, or Cancel). Nothing is stored until they submit.
 */
export async function offerCodedTip(
  ctx: BotContext,
  data: Required<Pick<TipData, 'domain' | 'unitCode' | 'text'>> & TipData,
): Promise<void> {
  const text = sanitizeText(data.text).trim();
  await askAttachments(
    ctx,
    { ...data, text, reviewOnly: true },
    ctx.t('tips:offer_coded', { code: itemCode(data.domain, data.unitCode) }),
  );
}

/** After the unit: the text, unless the person already gave it, or is changing the unit only. */
function afterUnit(ctx: BotContext, data: TipData): Promise<void> {
  if (data.text !== undefined) return askAttachments(ctx, data);
  // A tip that began as a voice message already says it: no text to type.
  if (spoken(data)) return askAttachments(ctx, { ...data, text: ctx.t('tips:voice_text') });
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
  const rows: Rows = [];
  for (let index = 0; index < buttons.length; index += 2) rows.push(buttons.slice(index, index + 2));
  rows.push([{ text: ctx.t('tips:guided_unit_button_type'), callback_data: BUTTONS.tipTypeUnit.encode({}) }]);
  rows.push(navigationRow(ctx, data, 'unit'));
  ctx.replyText(withPrefix(prefix, stepText(ctx, data, 'unit', ctx.t('tips:guided_unit'))), keyboard(rows));
}

/** The text step; text already written (going back, or Edit) is shown, with a button to keep it. */
async function askText(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  await save(ctx, 'text', data);
  const question = ctx.t('tips:guided_text', { max: MAX_TEXT_LENGTH });
  if (data.text === undefined) {
    ctx.replyText(
      withPrefix(prefix, stepText(ctx, data, 'text', question)),
      keyboard([navigationRow(ctx, data, 'text')]),
    );
    return;
  }
  // The reporter's own text, shown back to them only, in their private chat: protected from forwarding.
  ctx.replyText(
    withPrefix(
      prefix,
      `${stepText(ctx, data, 'text', question)}\n\n${ctx.t('tips:guided_text_current', { text: data.text })}`,
    ),
    protectedKeyboard([
      [{ text: ctx.t('tips:guided_keep_button'), callback_data: BUTTONS.tipKeep.encode({}) }],
      navigationRow(ctx, data, 'text'),
    ]),
  );
}

/**
 * The last step: what will be sent (code, text, attachments) with Submit, Edit, Back and Cancel, and an
 * invitation to send files first. One screen, so nobody taps "done" for attachments they do not have.
 */
async function askAttachments(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  const { editing: _, ...review } = data;
  await save(ctx, 'attachments', review);
  ctx.replyText(
    [
      ...(prefix ? [prefix, ''] : []),
      stepText(ctx, review, 'attachments', ctx.t('tips:guided_attachments')),
      '',
      ...(await summaryLines(ctx, review)),
    ].join('\n'),
    reviewKeyboard(ctx, review),
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
function reviewKeyboard(ctx: BotContext, data: TipData): Record<string, unknown> {
  return protectedKeyboard([
    [
      { text: ctx.t('tips:guided_submit_button'), callback_data: BUTTONS.tipSubmit.encode({}) },
      { text: ctx.t('tips:guided_edit_button'), callback_data: BUTTONS.tipEdit.encode({}) },
    ],
    navigationRow(ctx, data, 'attachments'),
  ]);
}

/** Edit, from the last screen: which answer to change; every other one is kept. */
async function askEdit(ctx: BotContext, data: TipData, prefix?: string): Promise<void> {
  await save(ctx, 'edit', data);
  const labels: Record<Editable, string> = {
    domain: ctx.t('tips:guided_edit_domain'),
    unit: ctx.t('tips:guided_edit_unit'),
    text: ctx.t('tips:guided_edit_text'),
  };
  ctx.replyText(
    withPrefix(prefix, ctx.t('tips:guided_edit')),
    keyboard([
      TIP_EDITABLE_STEPS.map((step) => ({
        text: labels[step],
        callback_data: BUTTONS.tipGoto.encode({ step }),
      })),
      navigationRow(ctx, data, 'edit'),
    ]),
  );
}

/** Answers a stale button (its step is over, or the dialogue ended) without changing anything. */
function expired(ctx: BotContext): void {
  answerCallback(ctx, ctx.t('tips:guided_expired'), true);
}

/** The stored step a button was sent on; a review stored by an earlier version is the review. */
function currentStep(dialogue: Dialogue): Step {
  return dialogue.step === 'confirm' ? 'attachments' : (dialogue.step as Step);
}

/** A guided-tip button press: checks it belongs to the step the person is at, then advances. */
export async function onGuidedButton(
  ctx: BotContext,
  pressed: CallbackData,
  dialogue: Dialogue | null,
): Promise<void> {
  if (!dialogue || dialogue.kind !== TIP_DIALOGUE) return expired(ctx);
  const data = dataOf(dialogue);
  const step = currentStep(dialogue);
  switch (pressed.action) {
    case BUTTONS.tipDomain.action: {
      const domain = BUTTONS.tipDomain.decode(pressed)?.domain;
      if (step !== 'domain' || !domain) return expired(ctx);
      answerCallback(ctx);
      if (data.editing) return askAttachments(ctx, { ...data, domain });
      return askUnit(ctx, { ...data, domain });
    }
    case BUTTONS.tipUnit.action: {
      if (step !== 'unit') return expired(ctx);
      const code = BUTTONS.tipUnit.decode(pressed)?.unit;
      const unit = code ? findUnit(code, await loadUnits(ctx.db)) : null;
      if (!unit) return expired(ctx);
      answerCallback(ctx);
      return afterUnit(ctx, { ...data, unitCode: unit.code });
    }
    case BUTTONS.tipTypeUnit.action:
      if (step !== 'unit') return expired(ctx);
      answerCallback(ctx);
      ctx.replyText(
        stepText(ctx, data, 'unit', ctx.t('tips:guided_unit_type')),
        keyboard([navigationRow(ctx, data, 'unit')]),
      );
      return;
    case BUTTONS.tipDone.action:
      // Sent by an earlier version under its attachments step: the review is the same screen now.
      if (step !== 'attachments' || !complete(data)) return expired(ctx);
      answerCallback(ctx);
      return askAttachments(ctx, data);
    case BUTTONS.tipBack.action: {
      const from = BUTTONS.tipBack.decode(pressed)?.from;
      const to = from && from === step ? previousOf(data, from) : null;
      if (!to) return expired(ctx);
      answerCallback(ctx);
      return showStep(ctx, to, to === 'attachments' ? data : { ...data, editing: false });
    }
    case BUTTONS.tipEdit.action:
      if (step !== 'attachments' || !complete(data)) return expired(ctx);
      answerCallback(ctx);
      return askEdit(ctx, data);
    case BUTTONS.tipGoto.action: {
      const target = BUTTONS.tipGoto.decode(pressed)?.step;
      if (step !== 'edit' || !target || !complete(data)) return expired(ctx);
      answerCallback(ctx);
      return showStep(ctx, target, { ...data, editing: true });
    }
    case BUTTONS.tipKeep.action:
      if (step !== 'text' || data.text === undefined) return expired(ctx);
      answerCallback(ctx);
      return askAttachments(ctx, data);
    case BUTTONS.tipSubmit.action: {
      if (step !== 'attachments' || !data.domain || !data.unitCode || data.text === undefined) {
        return expired(ctx);
      }
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

/** Below this many characters a typed message at the domain step is taken for a domain attempt, not a report. */
const MIN_KEPT_TEXT = 7;

/**
 * What a message brings to a step that asked for something else (an album's other photos at the domain
 * step, a second text at the review): its attachment, up to the limit, and its text or caption — the
 * report's text when there is none yet, else added to it. Nothing is dropped without a word: `note`
 * says what was kept, or why it could not be.
 */
function keepArrivals(
  ctx: BotContext,
  data: TipData,
  message: Message,
  typedCounts: boolean,
): { data: TipData; note?: string } {
  const notes: string[] = [];
  let kept = data;
  const attachment = attachmentOf(message);
  if (attachment) {
    const attachments = [...(data.attachments ?? [])];
    if (attachments.length >= MAX_ATTACHMENTS) {
      notes.push(ctx.t('tips:too_many_attachments', { max: MAX_ATTACHMENTS }));
    } else {
      attachments.push(attachment);
      kept = { ...kept, attachments };
      notes.push(ctx.t('tips:guided_kept_attachment', { count: attachments.length }));
      // A voice message is the report itself: there will be no text step (the count stays true).
      if (SPOKEN.has(attachment.fileKind) && kept.text === undefined) kept = { ...kept, skipText: true };
    }
  }
  const raw = (typedCounts && 'text' in message ? message.text : null) ?? captionOf(message);
  const text = raw === null ? '' : sanitizeText(raw).trim();
  if (text !== '') {
    const combined = kept.text === undefined ? text : `${kept.text}\n${text}`;
    const length = Array.from(combined).length;
    if (length > MAX_TEXT_LENGTH) {
      notes.push(ctx.t('tips:error_text_too_long', { length, max: MAX_TEXT_LENGTH }));
    } else {
      notes.push(ctx.t(kept.text === undefined ? 'tips:guided_kept_text' : 'tips:guided_kept_text_added'));
      // With the report's text in hand there is no text step: the step count says so from now on.
      kept = { ...kept, text: combined, skipText: true };
    }
  }
  return notes.length > 0 ? { data: kept, note: notes.join('\n') } : { data: kept };
}

/** A message during the guided tip: a typed domain or unit, the text, or an attachment. */
export async function onGuidedMessage(ctx: BotContext, message: Message, dialogue: Dialogue): Promise<void> {
  const data = dataOf(dialogue);
  const typed = 'text' in message ? message.text : null;
  const attachment = attachmentOf(message);
  switch (dialogue.step as Step) {
    case 'domain': {
      const domain = typed ? parseDomain(typed) : null;
      if (domain && data.editing) return askAttachments(ctx, { ...data, domain });
      if (domain) return askUnit(ctx, { ...data, domain });
      // A short typed answer is a domain attempt; anything else is kept, not dropped.
      const longEnough = typed !== null && Array.from(typed.trim()).length >= MIN_KEPT_TEXT;
      const kept = keepArrivals(ctx, data, message, longEnough);
      return askDomain(ctx, kept.data, kept.note);
    }
    case 'unit': {
      if (!typed) {
        const kept = keepArrivals(ctx, data, message, false);
        await save(ctx, 'unit', kept.data);
        ctx.replyText(
          withPrefix(kept.note, stepText(ctx, kept.data, 'unit', ctx.t('tips:guided_unit_type'))),
          keyboard([navigationRow(ctx, kept.data, 'unit')]),
        );
        return;
      }
      const directory = await loadUnits(ctx.db);
      const unit = findUnit(typed, directory);
      if (unit) return afterUnit(ctx, { ...data, unitCode: unit.code });
      const suggestions = suggestUnits(typed, directory)
        .map((code) => directory.find((entry) => entry.code === code))
        .filter((entry): entry is Unit => entry !== undefined);
      const rows: Rows = suggestions.map((entry) => [
        {
          text: `${entry.code} ${unitName(entry, ctx.lang)}`,
          callback_data: BUTTONS.tipUnit.encode({ unit: entry.code }),
        },
      ]);
      rows.push(navigationRow(ctx, data, 'unit'));
      ctx.replyText(
        `${
          Array.from(typed).length <= 12
            ? ctx.t('tips:error_unknown_unit', { input: typed })
            : ctx.t('tips:error_unknown_unit_plain')
        }\n${ctx.t('tips:guided_unit_type')}`,
        keyboard(rows),
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
    case 'attachments':
    case 'edit':
    case 'confirm': {
      // At the review a photo, a document or more text adds to the report; nothing is dropped.
      const kept = keepArrivals(ctx, data, message, true);
      if (kept.note === undefined) {
        if (dialogue.step === 'edit') return askEdit(ctx, data);
        return askAttachments(ctx, data, ctx.t('tips:guided_attachments_expected'));
      }
      return askAttachments(ctx, kept.data, kept.note);
    }
    default:
      // A step this version does not know (stored by another version): start over rather than guess.
      return startGuidedTip(ctx);
  }
}
