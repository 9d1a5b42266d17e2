/** Telegram's limit on callback_data, in bytes. */
export const MAX_CALLBACK_BYTES = 64;

/** A decoded button press: an action name and its arguments. */
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

/** Decodes callback data; null for anything the bot did not make (forged or garbage). */
export function decodeCallback(data: string | undefined): CallbackData | null {
  if (typeof data !== 'string' || Buffer.byteLength(data) > MAX_CALLBACK_BYTES) return null;
  const [action, ...args] = data.split('|');
  if (action === undefined || !ACTION.test(action)) return null;
  if (!args.every((arg) => ARG.test(arg))) return null;
  return { action, args };
}

/** Parses a positive integer argument (an item number, a page), or null. */
export function intArg(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return null;
  const number = Number(value);
  return number > 0 ? number : null;
}
