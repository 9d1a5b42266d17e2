import { BUTTONS, type CallbackData, POINT_CHOICES } from '../../../buttons.js';
import { clearDialogue, getDialogue, setDialogue } from '../../../dialogues.js';
import { FINDINGS, type Finding, MAX_NOTE_LENGTH, type Measure } from '../../../domain/item-state.js';
import {
  type ConclusionDraft,
  canRecordInvestigated,
  draftConclusion,
  EMPTY_DRAFT,
  measuresFor,
  parseDraft,
  toggleInvestigated,
  toggleMeasure,
  wizardStep,
} from '../../../domain/triage.js';
import { concludeItem } from '../../../items/conclusion.js';
import type { ItemRow } from '../../../items/store.js';
import type { BotContext } from '../../context.js';
import { answerCallback, editPressedMessage } from '../../feature.js';
import { type Keyboard, replyRefused, replyWithState, unitLabel, viewerOf } from './render.js';

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

/** The chosen measures in words, and the finding "investigated by discipline or law-enforcement bodies" when recorded. */
function measuresText(ctx: BotContext, measures: readonly Measure[], investigated = false): string {
  const words = [
    ...measures.map((m) => ctx.t(`queue:measure_${m}`)),
    ...(investigated ? [ctx.t('queue:investigated')] : []),
  ];
  return words.length > 0 ? words.join(ctx.t('queue:measure_separator')) : ctx.t('queue:measures_none');
}

/** The wizard's current question and its buttons. */
function wizardView(ctx: BotContext, state: WizardState): { text: string; keyboard: Keyboard } {
  const { itemId: id, draft } = state;
  const cancel = { text: ctx.t('queue:btn_cancel'), callback_data: BUTTONS.cancelConclusion.encode({ id }) };
  const step = wizardStep(draft);
  if (step === 'finding') {
    return {
      text: ctx.t('queue:conclude_finding', { id }),
      keyboard: [
        FINDINGS.map((f) => ({
          text: ctx.t(`queue:finding_${f}`),
          callback_data: BUTTONS.finding.encode({ id, finding: f }),
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
          callback_data: BUTTONS.measure.encode({ id, measure: m }),
        })),
      );
    }
    if (canRecordInvestigated(draft.finding)) {
      keyboard.push([
        {
          text: `${draft.investigated ? '✓ ' : ''}${ctx.t('queue:investigated')}`,
          callback_data: BUTTONS.measure.encode({ id, measure: 'investigated' }),
        },
      ]);
    }
    keyboard.push([
      { text: ctx.t('queue:btn_done'), callback_data: BUTTONS.measure.encode({ id, measure: 'done' }) },
      cancel,
    ]);
    return {
      text: ctx.t('queue:conclude_measures', {
        id,
        chosen: measuresText(ctx, draft.measures, draft.investigated),
      }),
      keyboard,
    };
  }
  if (step === 'points') {
    return {
      text: ctx.t('queue:conclude_points', { id }),
      keyboard: [
        POINT_CHOICES.map((p) => ({ text: p, callback_data: BUTTONS.points.encode({ id, points: p }) })),
        [cancel],
      ],
    };
  }
  if (step === 'note') {
    return {
      text: ctx.t('queue:conclude_note', { id }),
      keyboard: [[{ text: ctx.t('queue:btn_skip'), callback_data: BUTTONS.skipNote.encode({ id }) }, cancel]],
    };
  }
  return {
    text: ctx.t('queue:conclude_confirm', {
      id,
      finding: ctx.t(`queue:finding_${draft.finding}`),
      measures: measuresText(ctx, draft.measures, draft.investigated),
      points: draft.points ?? ctx.t('queue:measures_none'),
      note: draft.note || ctx.t('queue:measures_none'),
    }),
    keyboard: [
      [{ text: ctx.t('queue:btn_confirm'), callback_data: BUTTONS.confirmConclusion.encode({ id }) }, cancel],
    ],
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
async function pressedWizard(ctx: BotContext, id: number): Promise<WizardState | null> {
  const state = await wizardFor(ctx, id);
  if (!state) answerCallback(ctx, ctx.t('queue:conclude_expired'), true);
  return state;
}

/** Saves the changed draft and shows the next question in place of the pressed message. */
async function advance(ctx: BotContext, state: WizardState, draft: ConclusionDraft): Promise<void> {
  state.draft = draft;
  await saveWizard(ctx, state);
  showWizardInPlace(ctx, state);
  answerCallback(ctx);
}

/** Button `q.cf|<id>|<finding>`: the finding; measures chosen before are dropped (they depend on it). */
export async function findingAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.finding.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  const state = await pressedWizard(ctx, pressed.id);
  if (state) await advance(ctx, state, { ...EMPTY_DRAFT, finding: pressed.finding });
}

/** Button `q.cm|<id>|<measure|investigated|done>`: toggles a measure or the finding 被执纪执法部门查处, or finishes choosing them. */
export async function measureAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.measure.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  const state = await pressedWizard(ctx, pressed.id);
  if (!state) return;
  const { measure } = pressed;
  await advance(
    ctx,
    state,
    measure === 'done'
      ? { ...state.draft, measuresDone: true }
      : measure === 'investigated'
        ? toggleInvestigated(state.draft)
        : toggleMeasure(state.draft, measure),
  );
}

/** Button `q.cp|<id>|<points>`: 0.5, 1, 1.5 or 2 points. */
export async function pointsAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.points.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  const state = await pressedWizard(ctx, pressed.id);
  if (!state) return;
  if (!state.draft.measures.includes('points')) {
    answerCallback(ctx, ctx.t('common:button_unknown'), true);
    return;
  }
  await advance(ctx, state, { ...state.draft, points: Number(pressed.points) });
}

/** Button `q.cn|<id>`: no note. */
export async function skipNoteAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.skipNote.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  const state = await pressedWizard(ctx, pressed.id);
  if (state) await advance(ctx, state, { ...state.draft, note: '' });
}

/** Button `q.cx|<id>`: leaves the wizard without changing the item. */
export async function cancelConclusionAction(ctx: BotContext, _data: CallbackData): Promise<void> {
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  ctx.replyText(ctx.t('queue:conclude_cancelled'));
  answerCallback(ctx);
}

/** The wizard's text step: the note, once the buttons before it are done; text at any other step asks the current question again. */
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
 * Button `q.cc|<id>`: concludes the item (optimistic lock on the version the wizard started from);
 * the use case records points and flags, raises a must-talk reminder and gives the reporter feedback.
 */
export async function confirmConclusionAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.confirmConclusion.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  const state = await pressedWizard(ctx, pressed.id);
  if (!state) return;
  answerCallback(ctx);
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  const outcome = await concludeItem(
    ctx.db,
    ctx.out,
    { itemId: state.itemId, version: state.version, conclusion: draftConclusion(state.draft) },
    { viewer: viewerOf(ctx), now: ctx.services.now(), timeZone: ctx.services.config.timeZone },
  );
  if (outcome.kind === 'invalid') {
    ctx.replyText(ctx.t('queue:conclude_invalid'));
    return;
  }
  if (outcome.kind === 'not_found') {
    ctx.replyText(ctx.t('queue:not_found', { id: state.itemId }));
    return;
  }
  if (outcome.kind !== 'concluded') return replyRefused(ctx, outcome, state.itemId, 'queue:action_conclude');
  const { item, conclusion, points } = outcome;
  const notes: string[] = [
    ctx.t('queue:conclude_done', { id: item.id, finding: ctx.t(`queue:finding_${conclusion.finding}`) }),
  ];
  const unit = await unitLabel(ctx, item.unitCode);
  if (points) {
    const head = points.headName ?? ctx.t('heads:unknown_head');
    notes.push(
      ctx.t('queue:points_recorded', {
        points: points.points,
        unit,
        head,
        year: points.yearTotal,
      }),
    );
    for (const flag of points.flags) {
      notes.push(ctx.t('queue:points_alert', { unit, head, flag: ctx.t(`queue:flag_${flag}`) }));
    }
  }
  if (outcome.mustTalk) notes.push(ctx.t('queue:must_talk_created', { unit }));
  if (outcome.mustRemove) notes.push(ctx.t('heads:must_remove_raised', { unit }));
  await replyWithState(ctx, item, notes.join('\n'));
}
