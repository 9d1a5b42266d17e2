import { BUTTONS, type CallbackData } from '../../../buttons.js';
import { clearDialogue, getDialogue, setDialogue } from '../../../dialogues.js';
import type { HeadIdentity } from '../../../domain/heads.js';
import { isLocalDate } from '../../../domain/local-date.js';
import { MUST_REMOVE_OUTCOMES } from '../../../domain/must-remove.js';
import { TALK_OCCASIONS, type TalkOccasion } from '../../../domain/obligations.js';
import { SECTION_ROLES } from '../../../domain/roles.js';
import { type HeadChangeRequest, listHeads, recordHeadChange } from '../../../heads/tenures.js';
import { addTalk, listWorklist, resolveMark, settleObligation } from '../../../heads/worklist.js';
import type { BotContext } from '../../context.js';
import { answerCallback, editPressedMessage, Feature } from '../../feature.js';
import { cardText, headLabel, obligationWhat } from './render.js';

type Keyboard = { text: string; callback_data: string }[][];

/** Talks and audits shown with buttons in one /talks reply (Telegram keeps keyboards short). */
const MAX_TALK_BUTTONS = 10;

function acting(ctx: BotContext) {
  return {
    actorId: ctx.person?.telegramId ?? ctx.from?.id ?? null,
    now: ctx.services.now(),
    timeZone: ctx.services.config.timeZone,
  };
}

/** ADMIN_ONLY_UNITS are hidden from officers on the worklist, as their items are. */
function hiddenUnits(ctx: BotContext): readonly string[] {
  return ctx.person?.role === 'admin' ? [] : ctx.services.config.adminOnlyUnits;
}

/**
 * Reads `/head <UNIT> <name> [title] [YYYY-MM-DD]`: the last word is the first day when it is a date;
 * whatever lies between the name and the date is the title.
 */
export function parseHeadArguments(args: readonly string[]): HeadChangeRequest | null {
  const [unit, name, ...rest] = args;
  if (!unit || !name) return null;
  const last = rest.at(-1);
  const from = last !== undefined && isLocalDate(last) ? last : null;
  const titleWords = from === null ? rest : rest.slice(0, -1);
  if (titleWords.some((w) => /^\d{4}-\d{1,2}-\d{1,2}$/.test(w))) return null;
  return { unitCode: unit.toUpperCase(), name, title: titleWords.join(' ') || null, from };
}

async function replyHeadOutcome(ctx: BotContext, request: HeadChangeRequest): Promise<void> {
  const outcome = await recordHeadChange(ctx.db, request, acting(ctx));
  if (outcome.kind === 'unknown_unit') {
    ctx.replyText(ctx.t('heads:unknown_unit', { unit: request.unitCode }));
    return;
  }
  if (outcome.kind === 'refused') {
    ctx.replyText(
      ctx.t(`heads:refused_${outcome.reason}`, {
        unit: request.unitCode,
        name: outcome.conflict?.name ?? request.name,
        from: outcome.conflict?.from ?? '',
      }),
    );
    return;
  }
  if (outcome.kind === 'ask_same_person') {
    if (ctx.from) {
      await setDialogue(ctx.db, ctx.from.id, {
        kind: 'heads',
        step: 'same_person',
        data: { ...request, candidates: outcome.candidates.map((c) => c.person.key) },
      });
    }
    const lines = [ctx.t('heads:same_person_question', { name: request.name })];
    const keyboard: Keyboard = [];
    outcome.candidates.slice(0, 10).forEach((candidate, index) => {
      const where =
        candidate.tenures
          .map((t) =>
            ctx.t('heads:tenure_span', {
              unit: t.unitCode,
              from: t.from,
              to: t.to ?? ctx.t('heads:in_office'),
            }),
          )
          .join(ctx.t('queue:list_separator')) || ctx.t('heads:no_tenure');
      lines.push(ctx.t('heads:same_person_candidate', { n: index + 1, name: candidate.person.name, where }));
      keyboard.push([
        {
          text: ctx.t('heads:btn_same_person', { n: index + 1 }),
          callback_data: BUTTONS.headSame.encode({ index }),
        },
      ]);
    });
    keyboard.push([
      { text: ctx.t('heads:btn_new_person'), callback_data: BUTTONS.headNew.encode({}) },
      { text: ctx.t('queue:btn_cancel'), callback_data: BUTTONS.headCancel.encode({}) },
    ]);
    ctx.replyText(lines.join('\n'), { reply_markup: { inline_keyboard: keyboard } });
    return;
  }
  const lines = [
    ctx.t('heads:recorded', {
      unit: outcome.started.unitCode,
      head: headLabel(ctx.t, outcome.started.name, outcome.started.title),
      from: outcome.started.from,
    }),
  ];
  for (const ended of outcome.ended) {
    lines.push(ctx.t('heads:recorded_ended', { unit: ended.unitCode, name: ended.name, to: ended.to ?? '' }));
  }
  if (outcome.obligations > 0)
    lines.push(ctx.t('heads:recorded_obligations', { count: outcome.obligations }));
  ctx.replyText(lines.join('\n'));
}

/** /head <UNIT> <name> [title] [YYYY-MM-DD] (admins): this person heads the unit from that day. */
async function headCommand(ctx: BotContext & { args: string[] }): Promise<void> {
  const request = parseHeadArguments(ctx.args);
  if (!request) {
    ctx.replyText(ctx.t('heads:usage_head'));
    return;
  }
  await replyHeadOutcome(ctx, request);
}

/** The pending /head change of the presser, or null when the question expired. */
async function pendingHead(ctx: BotContext): Promise<(HeadChangeRequest & { candidates: string[] }) | null> {
  if (!ctx.from) return null;
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  if (dialogue?.kind !== 'heads' || dialogue.step !== 'same_person') return null;
  const data = dialogue.data as Partial<HeadChangeRequest & { candidates: string[] }>;
  if (typeof data.unitCode !== 'string' || typeof data.name !== 'string' || !Array.isArray(data.candidates))
    return null;
  return {
    unitCode: data.unitCode,
    name: data.name,
    title: typeof data.title === 'string' ? data.title : null,
    from: typeof data.from === 'string' ? data.from : null,
    candidates: data.candidates.filter((c): c is string => typeof c === 'string'),
  };
}

async function answerSamePerson(ctx: BotContext, identity: (candidates: string[]) => HeadIdentity | null) {
  const pending = await pendingHead(ctx);
  const chosen = pending ? identity(pending.candidates) : null;
  if (!pending || !chosen || !ctx.from) {
    answerCallback(ctx, ctx.t('heads:question_expired'), true);
    return;
  }
  await clearDialogue(ctx.db, ctx.from.id);
  answerCallback(ctx);
  const { candidates: _candidates, ...request } = pending;
  await replyHeadOutcome(ctx, { ...request, identity: chosen });
}

/** Button `h.same|<n>`: the person is candidate n (they keep their record). */
async function headSameAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.headSame.decode(data);
  await answerSamePerson(ctx, (candidates) => {
    const key = pressed ? candidates[pressed.index] : undefined;
    return key ? { kind: 'same', personKey: key } : null;
  });
}

/** Button `h.new`: someone new who has the same name (the two stay apart). */
async function headNewAction(ctx: BotContext): Promise<void> {
  await answerSamePerson(ctx, () => ({ kind: 'new' }));
}

/** Button `h.x`: leave the question; nothing is recorded. */
async function headCancelAction(ctx: BotContext): Promise<void> {
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  answerCallback(ctx);
  editPressedMessage(ctx, ctx.t('heads:cancelled'), []);
}

/** /heads [UNIT] (officers, admins): heads in office with this year's card, or one unit's over time. */
async function headsCommand(ctx: BotContext & { args: string[] }): Promise<void> {
  const unit = ctx.args[0]?.toUpperCase() ?? null;
  const admin = ctx.person?.role === 'admin';
  const outcome = await listHeads(
    ctx.db,
    { unitCode: unit },
    { now: ctx.services.now(), timeZone: ctx.services.config.timeZone, admin },
  );
  if (outcome.kind === 'unknown_unit') {
    ctx.replyText(ctx.t('heads:unknown_unit', { unit: unit ?? '' }));
    return;
  }
  const lines = [unit ? ctx.t('heads:list_unit_title', { unit }) : ctx.t('heads:list_title')];
  const keyboard: Keyboard = [];
  if (outcome.lines.length === 0) lines.push(ctx.t(unit ? 'heads:list_unit_empty' : 'heads:list_empty'));
  for (const line of outcome.lines) {
    const span =
      line.from === null
        ? ctx.t('heads:no_tenure_here')
        : ctx.t('heads:tenure_span', {
            unit: line.unitCode,
            from: line.from,
            to: line.to ?? ctx.t('heads:in_office'),
          });
    lines.push(
      ctx.t('heads:list_line', {
        head: headLabel(ctx.t, line.name, line.title),
        span,
        card: cardText(ctx.t, line.card),
      }),
    );
    for (const mark of line.mustRemove) {
      lines.push(ctx.t('heads:must_remove_line', { since: mark.raisedOn }));
      keyboard.push([
        {
          text: ctx.t('heads:btn_record_outcome', { name: line.name ?? line.unitCode, unit: mark.unitCode }),
          callback_data: BUTTONS.mustRemoveChoices.encode({ id: mark.id }),
        },
      ]);
    }
  }
  ctx.replyText(lines.join('\n'), keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {});
}

/** Button `h.mr|<id>` (admins): the outcomes an admin may record for a 必下 mark. */
async function mustRemoveChoicesAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.mustRemoveChoices.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  answerCallback(ctx);
  ctx.replyText(ctx.t('heads:outcome_question'), {
    reply_markup: {
      inline_keyboard: MUST_REMOVE_OUTCOMES.map((outcome) => [
        {
          text: ctx.t(`heads:outcome_${outcome}`),
          callback_data: BUTTONS.mustRemoveResolve.encode({ id: pressed.id, outcome }),
        },
      ]),
    },
  });
}

/** Button `h.mo|<id>|<outcome>` (admins): records the outcome; the mark leaves /heads and the digest. */
async function mustRemoveResolveAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.mustRemoveResolve.decode(data);
  if (!pressed) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  answerCallback(ctx);
  const outcome = await resolveMark(ctx.db, { id: pressed.id, outcome: pressed.outcome }, acting(ctx));
  if (outcome.kind === 'resolved') {
    editPressedMessage(
      ctx,
      ctx.t('heads:outcome_recorded', {
        name: outcome.name ?? ctx.t('heads:unknown_head'),
        unit: outcome.mark.unitCode,
        outcome: ctx.t(`heads:outcome_${pressed.outcome}`),
      }),
      [],
    );
  } else {
    editPressedMessage(ctx, ctx.t('heads:outcome_already'), []);
  }
}

/** Reads a talk occasion: its name (post_adjusted), its number in the document's order (1–8), or its Chinese words. */
export function parseOccasion(
  word: string | undefined,
  labels: (o: TalkOccasion) => string[],
): TalkOccasion | null {
  if (!word) return null;
  const lower = word.toLowerCase();
  const byName = TALK_OCCASIONS.find((o) => o === lower);
  if (byName) return byName;
  if (/^[1-8]$/.test(word)) return TALK_OCCASIONS[Number(word) - 1] ?? null;
  return TALK_OCCASIONS.find((o) => labels(o).some((label) => label.includes(word))) ?? null;
}

async function talksAdd(ctx: BotContext & { args: string[] }): Promise<void> {
  const [, unit, occasionWord] = ctx.args;
  const occasion = parseOccasion(occasionWord, (o) => [ctx.t(`heads:occasion_${o}`)]);
  if (!unit || !occasion) {
    ctx.replyText(ctx.t('heads:usage_talks_add'));
    return;
  }
  const outcome = await addTalk(
    ctx.db,
    { unitCode: unit, occasion, nonce: String(ctx.update.update_id) },
    { ...acting(ctx), hiddenUnits: hiddenUnits(ctx) },
  );
  if (outcome.kind === 'unknown_unit' || outcome.kind === 'hidden') {
    ctx.replyText(ctx.t('heads:unknown_unit', { unit: unit.toUpperCase() }));
    return;
  }
  if (outcome.kind === 'exists') {
    ctx.replyText(ctx.t('heads:talk_exists'));
    return;
  }
  ctx.replyText(
    ctx.t('heads:talk_added', {
      what: obligationWhat(ctx.t, outcome.obligation),
      unit: outcome.obligation.unitCode,
      head: headLabel(ctx.t, outcome.name, null),
      due: outcome.obligation.dueOn,
    }),
  );
}

/** /talks (officers, admins): the worklist of talks and audits, oldest due first; `/talks add <UNIT> <occasion>`. */
async function talksCommand(ctx: BotContext & { args: string[] }): Promise<void> {
  if (ctx.args[0] === 'add') {
    await talksAdd(ctx);
    return;
  }
  if (ctx.args.length > 0) {
    ctx.replyText(ctx.t('heads:usage_talks'));
    return;
  }
  const entries = await listWorklist(ctx.db, {
    now: ctx.services.now(),
    timeZone: ctx.services.config.timeZone,
    hiddenUnits: hiddenUnits(ctx),
  });
  const lines = [ctx.t('heads:talks_title', { count: entries.length })];
  if (entries.length === 0) lines.push(ctx.t('heads:talks_empty'));
  const keyboard: Keyboard = [];
  for (const entry of entries) {
    lines.push(
      ctx.t(entry.overdue ? 'heads:talks_line_overdue' : 'heads:talks_line', {
        id: entry.id,
        what: obligationWhat(ctx.t, entry),
        unit: entry.unitCode,
        head: headLabel(ctx.t, entry.name, null),
        due: entry.dueOn,
      }) + (entry.itemId === null ? '' : ctx.t('heads:talks_line_item', { item: entry.itemId })),
    );
    if (keyboard.length < MAX_TALK_BUTTONS) {
      keyboard.push([
        {
          text: ctx.t('heads:btn_done', { id: entry.id }),
          callback_data: BUTTONS.talkDone.encode({ id: entry.id }),
        },
        {
          text: ctx.t('heads:btn_not_needed', { id: entry.id }),
          callback_data: BUTTONS.talkNotNeeded.encode({ id: entry.id }),
        },
      ]);
    }
  }
  ctx.replyText(lines.join('\n'), keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {});
}

/** Button `t.done|<id>`: asks for an optional note (sealed), with Skip. */
async function talkDoneAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.talkDone.decode(data);
  if (!pressed || !ctx.from) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  await setDialogue(ctx.db, ctx.from.id, { kind: 'talks', step: 'done', data: { id: pressed.id } });
  answerCallback(ctx);
  ctx.replyText(ctx.t('heads:done_prompt', { id: pressed.id }), {
    reply_markup: {
      inline_keyboard: [
        [
          { text: ctx.t('queue:btn_skip'), callback_data: BUTTONS.talkSkipNote.encode({ id: pressed.id }) },
          { text: ctx.t('queue:btn_cancel'), callback_data: BUTTONS.talkCancel.encode({}) },
        ],
      ],
    },
  });
}

/** Button `t.nn|<id>`: asks for the reason it is not needed (required). */
async function talkNotNeededAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.talkNotNeeded.decode(data);
  if (!pressed || !ctx.from) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  await setDialogue(ctx.db, ctx.from.id, { kind: 'talks', step: 'not_needed', data: { id: pressed.id } });
  answerCallback(ctx);
  ctx.replyText(ctx.t('heads:not_needed_prompt', { id: pressed.id }), {
    reply_markup: {
      inline_keyboard: [[{ text: ctx.t('queue:btn_cancel'), callback_data: BUTTONS.talkCancel.encode({}) }]],
    },
  });
}

async function settle(ctx: BotContext, id: number, action: 'done' | 'not_needed', text: string | null) {
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  const outcome = await settleObligation(
    ctx.db,
    { id, action, text },
    { ...acting(ctx), hiddenUnits: hiddenUnits(ctx) },
  );
  if (outcome.kind === 'not_found') ctx.replyText(ctx.t('heads:talk_not_found', { id }));
  else if (outcome.kind === 'refused') ctx.replyText(ctx.t(`heads:settle_refused_${outcome.reason}`, { id }));
  else
    ctx.replyText(
      ctx.t(action === 'done' ? 'heads:settled_done' : 'heads:settled_not_needed', {
        id,
        what: obligationWhat(ctx.t, outcome.obligation),
        unit: outcome.obligation.unitCode,
      }),
    );
}

/** Button `t.skip|<id>`: done, without a note. */
async function talkSkipNoteAction(ctx: BotContext, data: CallbackData): Promise<void> {
  const pressed = BUTTONS.talkSkipNote.decode(data);
  if (!pressed || !ctx.from) return answerCallback(ctx, ctx.t('common:button_unknown'), true);
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  if (dialogue?.kind !== 'talks' || dialogue.step !== 'done' || dialogue.data.id !== pressed.id) {
    return answerCallback(ctx, ctx.t('heads:question_expired'), true);
  }
  answerCallback(ctx);
  await settle(ctx, pressed.id, 'done', null);
}

/** Button `t.x`: leave the note or reason question; nothing changes. */
async function talkCancelAction(ctx: BotContext): Promise<void> {
  if (ctx.from) await clearDialogue(ctx.db, ctx.from.id);
  answerCallback(ctx);
  editPressedMessage(ctx, ctx.t('heads:cancelled'), []);
}

/** A text sent while a note or reason is asked for: settles the obligation with it. */
async function handleText(ctx: BotContext): Promise<boolean> {
  const message = ctx.message;
  if (!message || ctx.chat?.type !== 'private' || !ctx.from || !ctx.person) return false;
  if (!(SECTION_ROLES as readonly string[]).includes(ctx.person.role)) return false;
  const text = 'text' in message ? message.text : undefined;
  if (text === undefined || text.startsWith('/')) return false;
  const dialogue = await getDialogue(ctx.db, ctx.from.id);
  if (dialogue?.kind !== 'talks' || typeof dialogue.data.id !== 'number') return false;
  await settle(ctx, dialogue.data.id, dialogue.step === 'done' ? 'done' : 'not_needed', text);
  return true;
}

/** Heads as records: /head (admins), /heads and the /talks worklist (officers, admins), and their buttons. */
export const headsFeature = new Feature('heads')
  .command({ command: 'head', audience: ['admin'], descriptionKey: 'heads:cmd_head' }, headCommand)
  .command({ command: 'heads', audience: SECTION_ROLES, descriptionKey: 'heads:cmd_heads' }, headsCommand)
  .command({ command: 'talks', audience: SECTION_ROLES, descriptionKey: 'heads:cmd_talks' }, talksCommand)
  .action({ action: BUTTONS.headSame.action, audience: ['admin'] }, headSameAction)
  .action({ action: BUTTONS.headNew.action, audience: ['admin'] }, headNewAction)
  .action({ action: BUTTONS.headCancel.action, audience: ['admin'] }, headCancelAction)
  .action({ action: BUTTONS.mustRemoveChoices.action, audience: ['admin'] }, mustRemoveChoicesAction)
  .action({ action: BUTTONS.mustRemoveResolve.action, audience: ['admin'] }, mustRemoveResolveAction)
  .action({ action: BUTTONS.talkDone.action, audience: SECTION_ROLES }, talkDoneAction)
  .action({ action: BUTTONS.talkNotNeeded.action, audience: SECTION_ROLES }, talkNotNeededAction)
  .action({ action: BUTTONS.talkSkipNote.action, audience: SECTION_ROLES }, talkSkipNoteAction)
  .action({ action: BUTTONS.talkCancel.action, audience: SECTION_ROLES }, talkCancelAction);

headsFeature.composer.on('message', async (ctx, next) => {
  if (!(await handleText(ctx))) await next();
});
