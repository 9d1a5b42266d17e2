/**
 * Every inline button's callback data, as one typed codec per button: an action name and typed
 * fields, written as `action|a|b` (the wire format buttons sent before this module had, so buttons
 * already in people's chats keep working) and read back with each field parsed and range-checked
 * here, once. Telegram allows 64 bytes; a codec refuses to write more. Lives below the bot because a
 * use case that messages someone else (a question to a reporter) puts a button on that message.
 */
import { AGENCY_CODES } from './domain/agencies.js';
import { FINDINGS, ITEM_ACTIONS, MEASURES } from './domain/item-state.js';
import { MUST_REMOVE_OUTCOMES } from './domain/must-remove.js';
import { DOMAINS } from './domain/tip-code.js';
import { decodeFilter, encodeFilter, type QueueFilter } from './domain/triage.js';

/** Telegram's limit on callback_data, in bytes. */
export const MAX_CALLBACK_BYTES = 64;

/** A decoded button press: an action name and its raw arguments (typed by the action's codec). */
export interface CallbackData {
  action: string;
  args: string[];
}

const ACTION = /^[a-z][a-z0-9_.]{0,23}$/;
const ARG = /^[\w.-]{0,40}$/;

/** Encodes an action and its arguments as `action|a|b`; throws if the result would not fit in 64 bytes. */
export function encodeCallback(action: string, ...args: Array<string | number>): string {
  if (!ACTION.test(action)) throw new Error(`invalid callback action ${action}`);
  const parts = args.map(String);
  for (const part of parts) if (!ARG.test(part)) throw new Error('invalid callback argument');
  const data = [action, ...parts].join('|');
  if (Buffer.byteLength(data) > MAX_CALLBACK_BYTES) throw new Error('callback data over 64 bytes');
  return data;
}

/** Decodes callback data into action and arguments; null for anything the bot did not make (forged or garbage). */
export function decodeCallback(data: string | undefined): CallbackData | null {
  if (typeof data !== 'string' || Buffer.byteLength(data) > MAX_CALLBACK_BYTES) return null;
  const [action, ...args] = data.split('|');
  if (action === undefined || !ACTION.test(action)) return null;
  if (!args.every((arg) => ARG.test(arg))) return null;
  return { action, args };
}

/** One field of a button: how a value is written, and how it is read back (null when malformed or out of range). */
export interface Field<T> {
  write(value: T): string;
  read(text: string | undefined): T | null;
}

/** A whole number from `min` to `max` written in decimal (at most 15 digits, so it stays a safe integer). */
export function integer(min: number, max: number): Field<number> {
  return {
    write: (value) => String(value),
    read(text) {
      if (text === undefined || !/^\d{1,15}$/.test(text)) return null;
      const value = Number(text);
      return value >= min && value <= max ? value : null;
    },
  };
}

/** One of a fixed list of words. */
export function oneOf<const T extends string>(values: readonly T[]): Field<T> {
  return {
    write: (value) => value,
    read: (text) => ((values as readonly string[]).includes(text ?? '') ? (text as T) : null),
  };
}

/** Reads `field`, falling back to `fallback` when the text is missing or unreadable (never fails). */
export function withDefault<T>(field: Field<T>, fallback: T): Field<T> {
  return { write: field.write, read: (text) => field.read(text) ?? fallback };
}

type FieldValue<F> = F extends Field<infer T> ? T : never;
type Values<F extends Record<string, Field<unknown>>> = { [K in keyof F]: FieldValue<F[K]> };

/** A button's codec: its action and fields, in order. */
export interface Button<T> {
  readonly action: string;
  /** The callback data for these values; throws if it would not fit in 64 bytes. */
  encode(values: T): string;
  /** The values of a press of this button, or null when it is another action or any field is unreadable. */
  decode(data: CallbackData): T | null;
}

/** Declares a button: its action name and its fields, written in the order given. */
export function button<const F extends Record<string, Field<unknown>>>(
  action: string,
  fields: F,
): Button<Values<F>> {
  const names = Object.keys(fields) as Array<keyof F & string>;
  if (!ACTION.test(action)) throw new Error(`invalid callback action ${action}`);
  return {
    action,
    encode: (values) =>
      encodeCallback(action, ...names.map((name) => (fields[name] as Field<unknown>).write(values[name]))),
    decode(data) {
      if (data.action !== action) return null;
      const values: Record<string, unknown> = {};
      for (const [index, name] of names.entries()) {
        const value = (fields[name] as Field<unknown>).read(data.args[index]);
        if (value === null) return null;
        values[name] = value;
      }
      return values as Values<F>;
    },
  };
}

/** An item number, a version or a question number: 1 to 999,999,999. */
/** The screens of the guided /tip, as stored in the dialogues table ('attachments' is the last, the review). */
export const TIP_STEPS = ['domain', 'unit', 'text', 'attachments', 'edit'] as const;
/** The steps of the guided /tip the last screen's Edit can go back to. */
export const TIP_EDITABLE_STEPS = ['domain', 'unit', 'text'] as const;

const id = integer(1, 999_999_999);
/** A Telegram user id (they pass 10 digits). */
const telegramId = integer(1, Number.MAX_SAFE_INTEGER);
/** A queue view, encoded by the domain's filter codec (`snew.dF.uHPZ.m.o`). */
const filter: Field<QueueFilter> = { write: encodeFilter, read: (text) => decodeFilter(text ?? '') };
/** A unit code of the directory's shape. */
const unitCode: Field<string> = {
  write: (value) => value,
  read: (text) => (text !== undefined && /^[A-Z][A-Z0-9]{1,9}$/.test(text) ? text : null),
};

/** Points one deduction may take, as the conclusion's buttons offer them. */
export const POINT_CHOICES = ['0.5', '1', '1.5', '2'] as const;

/** Every button of the bot, by what it does. */
export const BUTTONS = {
  /** A page of the queue under a filter (a stale page falls back to page 1). */
  queuePage: button('q.p', { filter, page: withDefault(integer(1, 999_999_999), 1) }),
  /** The choices of one filter dimension: status, domain or unit. */
  queueFilter: button('q.f', { filter, dimension: oneOf(['s', 'd', 'u']) }),
  /** Opens an item from the queue. */
  showItem: button('q.s', { id }),
  /** A state-machine action at the version the officer saw. */
  itemAction: button('q.a', { id, version: id, action: oneOf(ITEM_ACTIONS) }),
  /** Forwards to one of the nine agencies. */
  forward: button('q.fa', { id, version: id, agency: oneOf(AGENCY_CODES) }),
  /** Asks whom to assign the item to. */
  assignChoices: button('q.as', { id, version: id }),
  /** Assigns (or reassigns) to one officer. */
  assignTo: button('q.at', { id, version: id, officer: telegramId }),
  /** Asks which of the unit's heads the item is about (correcting the head recorded when it arrived). */
  headChoices: button('q.hh', { id, version: id }),
  /** Records that the item is about choice `index` of the unit's heads (in the order of their first tenure). */
  headTo: button('q.ht', { id, version: id, index: integer(0, 29) }),
  /** The conclusion's finding. */
  finding: button('q.cf', { id, finding: oneOf(FINDINGS) }),
  /** Toggles a measure or the finding "investigated by discipline or law-enforcement bodies", or finishes choosing them. */
  measure: button('q.cm', { id, measure: oneOf([...MEASURES, 'investigated', 'done']) }),
  /** The points deducted. */
  points: button('q.cp', { id, points: oneOf(POINT_CHOICES) }),
  /** No note. */
  skipNote: button('q.cn', { id }),
  /** Concludes with the draft shown. */
  confirmConclusion: button('q.cc', { id }),
  /** Leaves the conclusion dialogue. */
  cancelConclusion: button('q.cx', { id }),
  /** The card's "ask the reporter": the officer's next private text is the question (relayed as /ask). */
  askReporter: button('q.ak', { id }),
  /** Leaves the pending question to item `id` without relaying anything. */
  cancelAsk: button('q.akx', { id }),
  /** A reporter's "Answer" under a relayed question. */
  answer: button('q.ans', { questionId: id }),
  /** /head: the person asked about is the same as candidate `index`. */
  headSame: button('h.same', { index: integer(0, 9) }),
  /** /head: the person asked about is someone new with the same name. */
  headNew: button('h.new', {}),
  /** /head: leave the same-person question. */
  headCancel: button('h.x', {}),
  /** /heads (admins): asks which outcome to record for 必下 mark `id`. */
  mustRemoveChoices: button('h.mr', { id }),
  /** /heads (admins): records the outcome of 必下 mark `id`. */
  mustRemoveResolve: button('h.mo', { id, outcome: oneOf(MUST_REMOVE_OUTCOMES) }),
  /** /talks: mark obligation `id` done (a note may follow). */
  talkDone: button('t.done', { id }),
  /** /talks: mark obligation `id` not needed (a reason must follow). */
  talkNotNeeded: button('t.nn', { id }),
  /** /talks: done without a note. */
  talkSkipNote: button('t.skip', { id }),
  /** /talks: leave the note or reason question. */
  talkCancel: button('t.x', {}),
  /** Guided /tip: the domain. */
  tipDomain: button('tip.domain', { domain: oneOf(DOMAINS) }),
  /** Guided /tip: a unit. */
  tipUnit: button('tip.unit', { unit: unitCode }),
  /** Guided /tip: type the unit instead. */
  tipTypeUnit: button('tip.type', {}),
  /** Guided /tip: no more attachments. */
  tipDone: button('tip.done', {}),
  /** Guided /tip: submit the draft. */
  tipSubmit: button('tip.submit', {}),
  /** Guided /tip: leave. */
  tipCancel: button('tip.cancel', {}),
  /** Guided /tip: back from step `from` (the step the button was sent on, so an old one is stale). */
  tipBack: button('tip.back', { from: oneOf(TIP_STEPS) }),
  /** Guided /tip: on the last screen, choose a step to change. */
  tipEdit: button('tip.edit', {}),
  /** Guided /tip: change this step's answer, keeping every other one. */
  tipGoto: button('tip.goto', { step: oneOf(TIP_EDITABLE_STEPS) }),
  /** Guided /tip: keep the text already written and go on. */
  tipKeep: button('tip.keep', {}),
} as const;
