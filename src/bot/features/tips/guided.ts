import type { Message } from 'telegraf/types';
import { encodeCallback } from '../../callback-data.js';
import type { BotContext } from '../../context.js';
import { clearDialogue, type Dialogue, setDialogue } from '../../dialogue.js';
import { answerCallback } from '../../feature.js';
import {
  DOMAINS,
  type Domain,
  findUnit,
  MAX_TEXT_LENGTH,
  parseDomain,
  sanitizeText,
  suggestUnits,
} from '../../../domain/tip-code.js';
import { type AttachmentInput, MAX_ATTACHMENTS, mostReportedUnits } from '../../../items/create-item.js';
import { itemCode } from '../../../items/summary.js';
import { loadUnits, type Unit } from '../../../units/directory.js';
import { submitTip } from './intake.js';
import { attachmentOf, captionOf } from './messages.js';

/** The dialogue kind the guided /tip stores in the dialogues table. */
export const TIP_DIALOGUE = 'tip';
/** How many unit buttons the unit step offers. */
export const UNIT_BUTTONS = 8;

/** Button actions of the guided /tip. */
export const GUIDED_ACTIONS = {
  domain: 'tip.domain',
  unit: 'tip.unit',
  typeUnit: 'tip.type',
  done: 'tip.done',
  submit: 'tip.submit',
  cancel: 'tip.cancel',
} as const;

type Step = 'domain' | 'unit' | 'text' | 'attachments' | 'confirm';

interface TipData {
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

function unitName(ctx: BotContext, unit: Pick<Unit, 'nameZh' | 'nameEn'>): string {
  return ctx.lang === 'en' ? unit.nameEn : unit.nameZh;
}

/** `/tip` with no arguments: starts the dialogue at the domain step (the three powers first). */
export async function startGuidedTip(ctx: BotContext): Promise<void> {
  await save(ctx, 'domain', {});
  const buttons = DOMAINS.map((domain) => ({
    text: `${domain} ${ctx.t(`items:domain_${domain}`)}`,
    callback_data: encodeCallback(GUIDED_ACTIONS.domain, domain),
  }));
  ctx.replyText(ctx.t('tips:guided_domain'), keyboard([buttons.slice(0, 3), buttons.slice(3)]));
}

async function askUnit(ctx: BotContext, data: TipData): Promise<void> {
  await save(ctx, 'unit', data);
  const directory = await loadUnits(ctx.db);
  const codes = ctx.from ? await mostReportedUnits(ctx.db, ctx.from.id, UNIT_BUTTONS) : [];
  const buttons = codes
    .map((code) => directory.find((unit) => unit.code === code))
    .filter((unit): unit is Unit => unit !== undefined)
    .map((unit) => ({
      text: unitName(ctx, unit),
      callback_data: encodeCallback(GUIDED_ACTIONS.unit, unit.code),
    }));
  const rows: Array<Array<{ text: string; callback_data: string }>> = [];
  for (let index = 0; index < buttons.length; index += 2) rows.push(buttons.slice(index, index + 2));
  rows.push([
    { text: ctx.t('tips:guided_unit_button_type'), callback_data: encodeCallback(GUIDED_ACTIONS.typeUnit) },
  ]);
  ctx.replyText(ctx.t('tips:guided_unit'), keyboard(rows));
}

async function askText(ctx: BotContext, data: TipData): Promise<void> {
  await save(ctx, 'text', data);
  ctx.replyText(ctx.t('tips:guided_text', { max: MAX_TEXT_LENGTH }));
}

async function askAttachments(ctx: BotContext, data: TipData): Promise<void> {
  await save(ctx, 'attachments', data);
  ctx.replyText(
    ctx.t('tips:guided_attachments'),
    keyboard([
      [{ text: ctx.t('tips:guided_done_button'), callback_data: encodeCallback(GUIDED_ACTIONS.done) }],
    ]),
  );
}

async function showConfirmation(ctx: BotContext, data: TipData): Promise<void> {
  if (!data.domain || !data.unitCode || data.text === undefined) return;
  await save(ctx, 'confirm', data);
  const directory = await loadUnits(ctx.db);
  const unit = directory.find((entry) => entry.code === data.unitCode);
  const lines = [
    ctx.t('tips:guided_confirm_title'),
    ctx.t('tips:guided_confirm_code', {
      domain: ctx.t(`items:domain_${data.domain}`),
      unit: unit ? unitName(ctx, unit) : data.unitCode,
      code: itemCode(data.domain, data.unitCode),
    }),
    // The reporter's own text, shown back to them only, in their private chat.
    ctx.t('tips:guided_confirm_text', { text: data.text }),
    ctx.t('tips:guided_confirm_attachments', { count: data.attachments?.length ?? 0 }),
  ];
  ctx.replyText(
    lines.join('\n'),
    keyboard([
      [
        { text: ctx.t('tips:guided_submit_button'), callback_data: encodeCallback(GUIDED_ACTIONS.submit) },
        { text: ctx.t('tips:guided_cancel_button'), callback_data: encodeCallback(GUIDED_ACTIONS.cancel) },
      ],
    ]),
  );
}

/** Answers a stale button (its step is over, or the dialogue ended) without changing anything. */
function expired(ctx: BotContext): void {
  answerCallback(ctx, ctx.t('tips:guided_expired'), true);
}

/** A guided-tip button press: checks it belongs to the step the person is at, then advances. */
export async function onGuidedButton(
  ctx: BotContext,
  action: string,
  args: string[],
  dialogue: Dialogue | null,
): Promise<void> {
  if (!dialogue || dialogue.kind !== TIP_DIALOGUE) return expired(ctx);
  const data = dataOf(dialogue);
  switch (action) {
    case GUIDED_ACTIONS.domain: {
      const domain = parseDomain(args[0] ?? '');
      if (dialogue.step !== 'domain' || !domain) return expired(ctx);
      answerCallback(ctx);
      return askUnit(ctx, { domain });
    }
    case GUIDED_ACTIONS.unit: {
      if (dialogue.step !== 'unit') return expired(ctx);
      const unit = findUnit(args[0] ?? '', await loadUnits(ctx.db));
      if (!unit) return expired(ctx);
      answerCallback(ctx);
      return askText(ctx, { ...data, unitCode: unit.code });
    }
    case GUIDED_ACTIONS.typeUnit:
      if (dialogue.step !== 'unit') return expired(ctx);
      answerCallback(ctx);
      ctx.replyText(ctx.t('tips:guided_unit_type'));
      return;
    case GUIDED_ACTIONS.done:
      if (dialogue.step !== 'attachments') return expired(ctx);
      answerCallback(ctx);
      return showConfirmation(ctx, data);
    case GUIDED_ACTIONS.submit: {
      if (dialogue.step !== 'confirm' || !data.domain || !data.unitCode || data.text === undefined)
        return expired(ctx);
      answerCallback(ctx);
      const result = await submitTip(ctx, {
        domain: data.domain,
        unitCode: data.unitCode,
        text: data.text,
        attachments: data.attachments ?? [],
      });
      // A refusal (e.g. the flood limit) keeps the draft, so the person can submit it later.
      if (result && result.outcome !== 'refused' && ctx.from) await clearDialogue(ctx.db, ctx.from.id);
      return;
    }
    case GUIDED_ACTIONS.cancel:
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
      if (domain) return askUnit(ctx, { domain });
      return startGuidedTip(ctx);
    }
    case 'unit': {
      if (!typed) {
        ctx.replyText(ctx.t('tips:guided_unit_type'));
        return;
      }
      const directory = await loadUnits(ctx.db);
      const unit = findUnit(typed, directory);
      if (unit) return askText(ctx, { ...data, unitCode: unit.code });
      const suggestions = suggestUnits(typed, directory)
        .map((code) => directory.find((entry) => entry.code === code))
        .filter((entry): entry is Unit => entry !== undefined);
      const rows = suggestions.map((entry) => [
        {
          text: `${entry.code} ${unitName(ctx, entry)}`,
          callback_data: encodeCallback(GUIDED_ACTIONS.unit, entry.code),
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
        ctx.replyText(
          ctx.t('tips:guided_attachments_expected'),
          keyboard([
            [{ text: ctx.t('tips:guided_done_button'), callback_data: encodeCallback(GUIDED_ACTIONS.done) }],
          ]),
        );
        return;
      }
      const attachments = [...(data.attachments ?? [])];
      if (attachments.length >= MAX_ATTACHMENTS) {
        ctx.replyText(ctx.t('tips:too_many_attachments', { max: MAX_ATTACHMENTS }));
        return;
      }
      attachments.push(attachment);
      await save(ctx, 'attachments', { ...data, attachments });
      ctx.replyText(
        ctx.t('tips:guided_attachment_added', { count: attachments.length }),
        keyboard([
          [{ text: ctx.t('tips:guided_done_button'), callback_data: encodeCallback(GUIDED_ACTIONS.done) }],
        ]),
      );
      return;
    }
    case 'confirm':
      return showConfirmation(ctx, data);
    default:
      // A step this version does not know (stored by another version): start over rather than guess.
      return startGuidedTip(ctx);
  }
}
