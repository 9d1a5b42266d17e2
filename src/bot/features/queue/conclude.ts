import { eq } from 'drizzle-orm';
import { appendAudit } from '../../../audit.js';
import { pointsDeductions, reminders, units } from '../../../db/schema.js';
import {
  FINDINGS,
  type Finding,
  MAX_NOTE_LENGTH,
  MEASURES,
  type Measure,
  validateConclusion,
} from '../../../domain/item-state.js';
import { needsMustTalk, newlyCrossedFlags, pointsFlags } from '../../../domain/points-card.js';
import type { Domain } from '../../../domain/tip-code.js';
import {
  type ConclusionDraft,
  draftConclusion,
  EMPTY_DRAFT,
  measuresFor,
  parseDraft,
  toggleMeasure,
  wizardStep,
} from '../../../domain/triage.js';
import { reporterIdOf } from '../../../items/reporter-link.js';
import { getSectionChat } from '../../../settings.js';
import { type CallbackData, encodeCallback, intArg } from '../../callback-data.js';
import type { BotContext } from '../../context.js';
import { clearDialogue, getDialogue, setDialogue } from '../../dialogue.js';
import { answerCallback, editPressedMessage } from '../../feature.js';
import { languageFor, translatorFor } from '../../i18n.js';
import { applyTransition, replyWithState } from './actions.js';
import type { Keyboard } from './render.js';
import { cardYear, viewerOf } from './show.js';
import { type ItemRow, loadVisibleItem, personById, unitDeductions } from './store.js';

/** Points one deduction may take, as buttons offer them. */
const POINT_CHOICES = ['0.5', '1', '1.5', '2'] as const;

interface WizardState {
  itemId: number;
  version: number;
  draft: ConclusionDraft;
}

/** The conclusion dialogue of the presser for item `id`, or null when it ended or is about another item. */
async function wizardFor(ctx: BotContext, id: number): Promise<WizardState | null> {
  if (!ctx.from) return null;
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  if (dialogue?.kind !== 'queue' || dialogue.step !== 'conclude') return null;
  if (dialogue.data.itemId !== id || typeof dialogue.data.version !== 'number') return null;
  return { itemId: id, version: dialogue.data.version, draft: parseDraft(dialogue.data.draft) };
}

async function saveWizard(ctx: BotContext, state: WizardState): Promise<void> {
  if (!ctx.from) return;
  await setDialogue(ctx.db, ctx.from.id, {
    kind: 'queue',
    step: 'conclude',
    data: { itemId: state.itemId, version: state.version, draft: { ...state.draft } },
  });
}

function measuresText(ctx: BotContext, measures: readonly Measure[]): string {
  return measures.length > 0
    ? measures.map((m) => ctx.t(`queue:measure_${m}`)).join('、')
    : ctx.t('queue:measures_none');
}

/** The wizard's current question and its buttons. */
function wizardView(ctx: BotContext, state: WizardState): { text: string; keyboard: Keyboard } {
  const { itemId: id, draft } = state;
  const cancel = { text: ctx.t('queue:btn_cancel'), callback_data: encodeCallback('q.cx', id) };
  const step = wizardStep(draft);
  if (step === 'finding') {
    return {
      text: ctx.t('queue:conclude_finding', { id }),
      keyboard: [
        FINDINGS.map((f) => ({
          text: ctx.t(`queue:finding_${f}`),
          callback_data: encodeCallback('q.cf', id, f),
        })),
        [cancel],
      ],
    };
  }
  if (step === 'measures') {
    const options = measuresFor(draft.finding as Finding);
    const keyboard: Keyboard = [];
    for (let index = 0; index < options.length; index += 2) {
      keyboard.push(
        options.slice(index, index + 2).map((m) => ({
          text: `${draft.measures.includes(m) ? '✓ ' : ''}${ctx.t(`queue:measure_${m}`)}`,
          callback_data: encodeCallback('q.cm', id, m),
        })),
      );
    }
    keyboard.push([
      { text: ctx.t('queue:btn_done'), callback_data: encodeCallback('q.cm', id, 'done') },
      cancel,
    ]);
    return {
      text: ctx.t('queue:conclude_measures', { id, chosen: measuresText(ctx, draft.measures) }),
      keyboard,
    };
  }
  if (step === 'points') {
    return {
      text: ctx.t('queue:conclude_points', { id }),
      keyboard: [
        POINT_CHOICES.map((p) => ({ text: p, callback_data: encodeCallback('q.cp', id, p) })),
        [cancel],
      ],
    };
  }
  if (step === 'note') {
    return {
      text: ctx.t('queue:conclude_note', { id }),
      keyboard: [[{ text: ctx.t('queue:btn_skip'), callback_data: encodeCallback('q.cn', id) }, cancel]],
    };
  }
  return {
    text: ctx.t('queue:conclude_confirm', {
      id,
      finding: ctx.t(`queue:finding_${draft.finding}`),
      measures: measuresText(ctx, draft.measures),
      points: draft.points ?? ctx.t('queue:measures_none'),
      note: draft.note || ctx.t('queue:measures_none'),
    }),
    keyboard: [[{ text: ctx.t('queue:btn_confirm'), callback_data: encodeCallback('q.cc', id) }, cancel]],
  };
}

/** Shows the wizard's next question by editing the pressed message, so the dialogue stays one message. */
function showWizardInPlace(ctx: BotContext, state: WizardState): void {
  const { text, keyboard } = wizardView(ctx, state);
  editPressedMessage(ctx, text, keyboard);
}

/** Starts the conclusion dialogue for an item at the version the officer saw. */
export async function startConclusion(ctx: BotContext, item: ItemRow, version: number): Promise<void> {
  const state: WizardState = { itemId: item.id, version, draft: { ...EMPTY_DRAFT } };
  await saveWizard(ctx, state);
  const { text, keyboard } = wizardView(ctx, state);
  ctx.replyText(text, { reply_markup: { inline_keyboard: keyboard } });
}

/** Loads the wizard a button belongs to; answers the press with "expired" when there is none. */
async function pressedWizard(ctx: BotContext, data: CallbackData): Promise<WizardState | null> {
  const id = intArg(data.args[0]);
  const state = id ? await wizardFor(ctx, id) : null;
  if (!state) answerCallback(ctx, ctx.t('queue:conclude_expired'), true);
  return state;
}

/** Button `q.cf|<id>|<finding>`: the finding; measures chosen before are dropped (they depend on it). */
export async function findingAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const state = await pressedWizard(ctx, data);
  if (!state) return;
  const finding = data.args[1] as Finding;
  if (!FINDINGS.includes(finding)) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  state.draft = { ...EMPTY_DRAFT, finding };
  await saveWizard(ctx, state);
  showWizardInPlace(ctx, state);
  answerCallback(ctx);
}

/** Button `q.cm|<id>|<measure|done>`: toggles a measure, or finishes choosing them. */
export async function measureAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const state = await pressedWizard(ctx, data);
  if (!state) return;
  const choice = data.args[1];
  if (choice === 'done') state.draft = { ...state.draft, measuresDone: true };
  else if ((MEASURES as readonly string[]).includes(choice ?? ''))
    state.draft = toggleMeasure(state.draft, choice as Measure);
  else {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  await saveWizard(ctx, state);
  showWizardInPlace(ctx, state);
  answerCallback(ctx);
}

/** Button `q.cp|<id>|<points>`: 0.5, 1, 1.5 or 2 points. */
export async function pointsAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const state = await pressedWizard(ctx, data);
  if (!state) return;
  const points = data.args[1];
  if (
    !(POINT_CHOICES as readonly string[]).includes(points ?? '') ||
    !state.draft.measures.includes('points')
  ) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  state.draft = { ...state.draft, points: Number(points) };
  await saveWizard(ctx, state);
  showWizardInPlace(ctx, state);
  answerCallback(ctx);
}

/** Button `q.cn|<id>`: no note. */
export async function skipNoteAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const state = await pressedWizard(ctx, data);
  if (!state) return;
  state.draft = { ...state.draft, note: '' };
  await saveWizard(ctx, state);
  showWizardInPlace(ctx, state);
  answerCallback(ctx);
}

/** Button `q.cx|<id>`: leaves the wizard without changing the item. */
export async function cancelConclusionAction(ctx: BotContext, _data: CallbackData): Promise<void> {
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  ctx.replyText(ctx.t('queue:conclude_cancelled'));
  answerCallback(ctx);
}

/** The wizard's text step: the note, once the buttons before it are done. Returns false if text is not expected now. */
export async function conclusionTextStep(
  ctx: BotContext,
  text: string,
  data: Record<string, unknown>,
): Promise<void> {
  const id = typeof data.itemId === 'number' ? data.itemId : 0;
  const state = await wizardFor(ctx, id);
  if (!state) return;
  if (wizardStep(state.draft) !== 'note') {
    // Text while a button is expected: ask the current question again.
    const { text: question, keyboard } = wizardView(ctx, state);
    ctx.replyText(question, { reply_markup: { inline_keyboard: keyboard } });
    return;
  }
  const note = text.trim();
  if (Array.from(note).length > MAX_NOTE_LENGTH) {
    ctx.replyText(ctx.t('queue:conclude_note_too_long', { max: MAX_NOTE_LENGTH }));
    return;
  }
  state.draft = { ...state.draft, note };
  await saveWizard(ctx, state);
  const view = wizardView(ctx, state);
  ctx.replyText(view.text, { reply_markup: { inline_keyboard: view.keyboard } });
}

/**
 * Button `q.cc|<id>`: concludes the item (optimistic lock on the version the wizard started from),
 * then records points and flags, raises a must-talk reminder, and gives the reporter feedback.
 */
export async function confirmConclusionAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const state = await pressedWizard(ctx, data);
  if (!state) return;
  answerCallback(ctx);
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  const conclusion = draftConclusion(state.draft);
  if (!conclusion || !validateConclusion(conclusion).ok) {
    ctx.replyText(ctx.t('queue:conclude_invalid'));
    return;
  }
  const item = await loadVisibleItem(ctx.db, state.itemId, viewerOf(ctx));
  if (!item) {
    ctx.replyText(ctx.t('queue:not_found', { id: state.itemId }));
    return;
  }
  const updated = await applyTransition(
    ctx,
    item,
    state.version,
    'conclude',
    { conclusion: { ...conclusion } },
    { finding: conclusion.finding, measures: conclusion.measures, points: conclusion.points },
  );
  if (!updated) return;
  const notes: string[] = [
    ctx.t('queue:conclude_done', { id: item.id, finding: ctx.t(`queue:finding_${conclusion.finding}`) }),
  ];
  if (conclusion.points !== null) notes.push(await deductPoints(ctx, updated, conclusion.points));
  if (needsMustTalk(updated.domain as Domain, conclusion.finding)) {
    await ctx.db
      .insert(reminders)
      .values({ kind: 'must_talk', unitCode: updated.unitCode, itemId: updated.id });
    notes.push(ctx.t('queue:must_talk_created', { unit: updated.unitCode }));
  }
  await sendFeedback(ctx, updated);
  replyWithState(ctx, updated, notes.join('\n'));
}

/**
 * Records a deduction against the unit's head for this year and posts each newly reached flag to
 * the section chat: unit code and flag only. Items only admins may see are not posted there.
 */
async function deductPoints(ctx: BotContext, item: ItemRow, points: number): Promise<string> {
  const year = cardYear(ctx.services.now(), ctx.services.config.timeZone);
  const before = await unitDeductions(ctx.db, item.unitCode);
  const [unit] = await ctx.db
    .select({ headName: units.headName })
    .from(units)
    .where(eq(units.code, item.unitCode));
  await ctx.db
    .insert(pointsDeductions)
    .values({ unitCode: item.unitCode, headName: unit?.headName ?? null, year, points, itemId: item.id });
  const flags = newlyCrossedFlags(before, { year, points }, year);
  const total = pointsFlags([...before, { year, points }], year).yearTotal;
  const section = await getSectionChat(ctx.db);
  const lines = [ctx.t('queue:points_recorded', { points, unit: item.unitCode, year: total })];
  for (const flag of flags) {
    const alert = { unit: item.unitCode, flag: ctx.t(`queue:flag_${flag}`) };
    if (section && !item.adminsOnly) {
      // The section chat speaks Chinese, the section's working language.
      const t = translatorFor('zh-CN');
      ctx.out.sendText(
        section.chatId,
        t('queue:points_alert', { unit: item.unitCode, flag: t(`queue:flag_${flag}`) }),
      );
    }
    lines.push(ctx.t('queue:points_alert', alert));
  }
  await appendAudit(ctx.db, {
    actorId: ctx.person?.telegramId ?? null,
    action: 'item.points',
    itemId: item.id,
    details: { unit: item.unitCode, year, points, flags },
  });
  return lines.join('\n');
}

/**
 * 向举报人反馈: the reporter (if the bot can reach them) learns in general terms, in their own
 * language, that their report was concluded — no finding details, no officer.
 */
async function sendFeedback(ctx: BotContext, item: ItemRow): Promise<void> {
  const reporterId = reporterIdOf(item);
  if (!reporterId || (item.sourceKind !== 'monitor' && item.sourceKind !== 'liaison')) return;
  const reporter = await personById(ctx.db, reporterId);
  if (!reporter || reporter.revokedAt) return;
  const t = translatorFor(languageFor(reporter.language));
  ctx.out.sendText(reporterId, t('queue:feedback_concluded', { id: item.id }), {}, `feedback:${item.id}`);
  await appendAudit(ctx.db, { actorId: null, action: 'item.feedback', itemId: item.id });
}
