/**
 * Person numbers: how the database names an enrolled person (issue 14) without their Telegram id.
 *
 * Every column that names a person (people's key, who created or used an invite, an audit row's actor,
 * an item's assignee, an addition's author, who settled an obligation) holds a *person number*: the
 * Telegram id put through a keyed permutation of the 52-bit numbers, shifted above 2^52 so it never
 * equals a real id. Equal ids give equal numbers (lookups, joins and grouping keep working in SQL), a
 * reader without the key cannot turn a number back into an id, and the bot can (it must write to
 * the person). The column type in src/db/schema.ts applies it on the way in and out, so the code above
 * the schema still works with Telegram ids.
 *
 * The permutation is a ten-round Feistel network over two 26-bit halves, each round an HMAC-SHA-256
 * of the round and the half under the person-number key. Its key is made once per database from the
 * data key current at the time and is then kept in the database sealed under the data key
 * (src/people/numbering.ts), so rotate-key reseals it rather than renumbering every row: an old data key
 * together with a backup from before a rotation still recovers it (docs/threat-model.md says so).
 */
import { createHmac } from 'node:crypto';
import { clearValuesAllowed, currentKeyId, SealingError, subkeyOfCurrentKey } from './sealing.js';

/** Person numbers are in [BASE, 2·BASE): above every Telegram user id (at most 52 bits) and the outbox's chat keys. */
const BASE = 2 ** 52;
const HALF_BITS = 26;
const HALF = 2 ** HALF_BITS;
const ROUNDS = 10;
/** The HKDF info a database's person-number key is derived with from the data key current when it is made. */
export const PERSON_NUMBER_KEY_INFO = 'liaison-bot person numbers v1';

/** The key loaded from the database (useKey); until then, the one derived from the current data key. */
let loaded: Buffer | null = null;
let derived: { keyId: string; key: Buffer } | null = null;
/** Ids and numbers already computed under `cacheFor`; the bot asks for the same few people again and again. */
const numbers = new Map<number, number>();
const ids = new Map<number, number>();
let cacheFor: Buffer | null = null;
const CACHE_LIMIT = 50_000;

function activeKey(): Buffer {
  if (loaded) return loaded;
  // Derived once per data key (HKDF costs more than the permutation's cache lookup).
  if (derived?.keyId !== currentKeyId()) derived = subkeyOfCurrentKey(PERSON_NUMBER_KEY_INFO);
  return derived.key;
}

function cacheOf(key: Buffer): void {
  if (cacheFor === key && numbers.size < CACHE_LIMIT) return;
  numbers.clear();
  ids.clear();
  cacheFor = key;
}

function round(key: Buffer, index: number, half: number): number {
  const input = Buffer.alloc(5);
  input.writeUInt8(index, 0);
  input.writeUInt32BE(half, 1);
  return createHmac('sha256', key).update(input).digest().readUInt32BE(0) % HALF;
}

function permute(key: Buffer, value: number): number {
  let left = Math.floor(value / HALF);
  let right = value % HALF;
  for (let index = 0; index < ROUNDS; index += 1) {
    [left, right] = [right, (left ^ round(key, index, right)) >>> 0];
  }
  return left * HALF + right;
}

function unpermute(key: Buffer, value: number): number {
  let left = Math.floor(value / HALF);
  let right = value % HALF;
  for (let index = ROUNDS - 1; index >= 0; index -= 1) {
    [left, right] = [(right ^ round(key, index, left)) >>> 0, left];
  }
  return left * HALF + right;
}

/**
 * Makes `key` (from the database, see src/people/numbering.ts) the person-number key of this process;
 * null goes back to the one derived from the current data key (what a new database gets).
 */
export function usePersonNumberKey(key: Buffer | null): void {
  loaded = key ? Buffer.from(key) : null;
}

/** The key a new database's person numbers are made with: derived from the current data key. */
export function newPersonNumberKey(): Buffer {
  return subkeyOfCurrentKey(PERSON_NUMBER_KEY_INFO).key;
}

/** The person number of a Telegram user id. */
export function personNumberOf(telegramId: number): number {
  if (!Number.isSafeInteger(telegramId) || telegramId < 0 || telegramId >= BASE) {
    throw new SealingError('a Telegram user id is a whole number below 2^52');
  }
  const key = activeKey();
  cacheOf(key);
  const known = numbers.get(telegramId);
  if (known !== undefined) return known;
  const number = BASE + permute(key, telegramId);
  numbers.set(telegramId, number);
  ids.set(number, telegramId);
  return number;
}

/** True for a person number (not a Telegram id in clear). */
export function isPersonNumber(value: number): boolean {
  return value >= BASE && value < 2 * BASE;
}

/**
 * The Telegram id behind a person number read from `place` (a table and column, for the error). A
 * Telegram id in clear reads as itself only while a database from before person numbers is being
 * converted (clear values allowed); afterwards it is refused, so a writer without the key cannot plant
 * a chosen id (say, to have an item's alerts sent to someone else).
 */
export function telegramIdOfPersonNumber(value: number, place: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new SealingError(`not a person number in ${place}`);
  if (!isPersonNumber(value)) {
    if (value < BASE && clearValuesAllowed()) return value;
    throw new SealingError(`a Telegram id in clear in ${place}, refused`);
  }
  const key = activeKey();
  cacheOf(key);
  const known = ids.get(value);
  if (known !== undefined) return known;
  const id = unpermute(key, value - BASE);
  ids.set(value, id);
  numbers.set(id, value);
  return id;
}

/** Where the numbers of stableKeyedNumberFor start: the range of the outbox's chat keys (below person numbers). */
const KEYED_BASE = 2 ** 50;

/**
 * A keyed number standing for a person in one table (`purpose`), made with the person-number key, so
 * unlike the data key's keyed numbers it stays the same through rotate-key: a row keyed by it (a
 * guided dialogue in progress) is still found once the old data key has left the ring. 48 bits of
 * HMAC above 2^50, like the outbox's chat keys; never equal to a person number or a Telegram id.
 */
export function stableKeyedNumberFor(purpose: 'dialogue', telegramId: number): number {
  const key = createHmac('sha256', activeKey()).update('keyed numbers').digest();
  return (
    KEYED_BASE +
    createHmac('sha256', key).update(`${purpose}:${telegramId}`, 'utf8').digest().readUIntBE(0, 6)
  );
}
