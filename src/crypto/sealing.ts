/**
 * Encryption at rest: the process-wide keyring and the sealed-value format.
 *
 * A sealed value is `v2.<keyId>.<nonce>.<ciphertext>.<tag>` (base64 parts): AES-256-GCM under a subkey
 * derived (HKDF) from the data key, with a fresh 12-byte random nonce per value, so equal texts never
 * look equal in the database, and with the value's place — table, column and row — as associated data,
 * so a value copied into another column or another row does not open (a database writer without the
 * key cannot redirect a reporter's sealed link to another item, nor make the bot publish an item's text
 * as an officer's name). `v1.…` values (release 0.1.0: the data key itself, no associated data) and
 * values in clear are read only while a database still holds them (see allowLegacyValues); rotate-key
 * rewrites them. A blind index is `<keyId>.<HMAC-SHA-256>` under a second HKDF subkey: equal inputs give
 * equal indexes under one key, which is all an equality lookup needs, and a short text cannot be
 * recovered from it without the key (unlike a plain hash). Each use prefixes its input with a purpose,
 * so the index of a person in one table never equals the index of the same person in another.
 *
 * The keyring is configured once at start (the first key seals, every key unseals) because drizzle's
 * column mappers are synchronous and have no context to carry a key in.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const FORMAT_V2 = 'v2';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

interface RingKey {
  id: string;
  /** The data key itself: v1 values were sealed with it. */
  dataKey: Buffer;
  /** HKDF subkey for v2 values. */
  sealKey: Buffer;
  /** HKDF subkey for blind indexes. */
  indexKey: Buffer;
}

let ring: RingKey[] | null = null;
/** Which older forms unsealAt still reads: only while the database holds them (allowLegacyValues). */
let legacy = { v1: true, clear: true };

/** Thrown when a value cannot be sealed or unsealed: no keyring, an unknown key, or tampered bytes. */
export class SealingError extends Error {}

/** The id of a key: the first 8 hex digits of its SHA-256, safe to store and log. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A fresh random 32-byte data key. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Parses a keyring as written in DATA_KEY or data.key: comma-separated base64 keys of 32 bytes, current first. */
export function parseKeyring(text: string): Buffer[] {
  const parts = text
    .split(/[,\s]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new SealingError('no key: expected base64 of 32 random bytes');
  return parts.map((part, index) => {
    const key = Buffer.from(part, 'base64');
    if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== part.replace(/=+$/, '')) {
      throw new SealingError(
        `key ${index + 1} is not base64 of 32 bytes (generate one: openssl rand -base64 32)`,
      );
    }
    return key;
  });
}

/** Formats a keyring for DATA_KEY or data.key: comma-separated base64, current first. */
export function formatKeyring(keys: readonly Buffer[]): string {
  return keys.map((key) => key.toString('base64')).join(',');
}

/** Makes `keys` the process's keyring: the first seals and indexes, every one unseals and is tried in lookups. */
export function configureKeyring(keys: readonly Buffer[]): void {
  if (keys.length === 0) throw new SealingError('the keyring needs at least one key');
  const seen = new Set<string>();
  ring = keys.map((dataKey) => {
    if (dataKey.length !== KEY_BYTES) throw new SealingError('every key must be 32 bytes');
    const id = keyIdOf(dataKey);
    if (seen.has(id)) throw new SealingError(`key ${id} appears twice in the keyring`);
    seen.add(id);
    const indexKey = Buffer.from(
      hkdfSync('sha256', dataKey, Buffer.alloc(0), 'liaison-bot blind index v1', 32),
    );
    const sealKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'liaison-bot seal v2', 32));
    return { id, dataKey: Buffer.from(dataKey), sealKey, indexKey };
  });
}

/**
 * A 32-byte subkey derived (HKDF) from the current data key for `info`, with that key's id: for keys
 * that are made once and then kept sealed in the database (src/crypto/person-numbers.ts).
 */
export function subkeyOfCurrentKey(info: string): { keyId: string; key: Buffer } {
  const key = current();
  return { keyId: key.id, key: Buffer.from(hkdfSync('sha256', key.dataKey, Buffer.alloc(0), info, 32)) };
}

/** True while values in clear from before sealing are still read (see allowLegacyValues). */
export function clearValuesAllowed(): boolean {
  return legacy.clear;
}

/** True once configureKeyring has run. */
export function isKeyringConfigured(): boolean {
  return ring !== null;
}

function keys(): RingKey[] {
  if (!ring) throw new SealingError('the data keyring is not configured (DATA_KEY)');
  return ring;
}

function current(): RingKey {
  return keys()[0] as RingKey;
}

/** The id of the key new values are sealed under. */
export function currentKeyId(): string {
  return current().id;
}

/** The ids of every key in the ring, current first. */
export function keyringIds(): string[] {
  return keys().map((key) => key.id);
}

/** Encrypts a text under the current key with a fresh nonce. */
export function seal(plaintext: string): string {
  const key = current();
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.dataKey, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    FORMAT,
    key.id,
    nonce.toString('base64'),
    body.toString('base64'),
    cipher.getAuthTag().toString('base64'),
  ].join('.');
}

/** True for a value in the sealed format (whatever its key). */
export function isSealed(value: string): boolean {
  return value.startsWith(`${FORMAT}.`) && value.split('.').length === 5;
}

/** The key id a sealed value or blind index was made under, or null for a value in clear. */
export function keyIdOfValue(value: string): string | null {
  if (isSealed(value) || isSealedV2(value)) return value.split('.')[1] ?? null;
  const dot = value.indexOf('.');
  return dot === 8 ? value.slice(0, 8) : null;
}

/**
 * Decrypts a sealed value with whichever ring key sealed it. A value not in the sealed format is
 * returned as is: rows written before sealing existed stay readable until sealLegacyRows seals them.
 */
export function unseal(value: string): string {
  if (!isSealed(value)) return value;
  const [, keyId, nonce, body, tag] = value.split('.') as [string, string, string, string, string];
  const key = keys().find((candidate) => candidate.id === keyId);
  if (!key) throw new SealingError(`value sealed under key ${keyId}, which is not in the keyring`);
  const tagBytes = Buffer.from(tag, 'base64');
  if (tagBytes.length !== TAG_BYTES) throw new SealingError('sealed value is damaged');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.dataKey, Buffer.from(nonce, 'base64'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // GCM's tag check failed: the bytes were changed, or a key with a colliding id is not the one.
    throw new SealingError(`sealed value under key ${keyId} failed authentication`);
  }
}

/** Where a sealed value lives; bound to it as associated data, so it opens nowhere else. */
export interface SealedPlace {
  table: string;
  column: string;
  /** The row's key (its primary key, or the key of the row it belongs to). */
  row: string | number;
}

/**
 * The place of a value bound to its table and column only: for the columns drizzle's mappers seal,
 * which see the value but not its row. Values whose substitution between rows would redirect a
 * message (an item's reporter) are sealed by their module with the row as well.
 */
export function columnPlace(table: string, column: string): SealedPlace {
  return { table, column, row: '*' };
}

function associatedData(place: SealedPlace): Buffer {
  return Buffer.from(`liaison-bot|${FORMAT_V2}|${place.table}|${place.column}|${place.row}`, 'utf8');
}

function describePlace(place: SealedPlace): string {
  return `${place.table}.${place.column} (row ${place.row})`;
}

/**
 * Says which older forms unsealAt still reads: v1 values and values in clear, accepted only while a
 * database still holds rows written before this format (the start-up check and rotate-key decide).
 */
export function allowLegacyValues(allowed: { v1: boolean; clear: boolean }): void {
  legacy = { ...allowed };
}

/** Encrypts a text for one place (table, column, row) under the current key, with a fresh nonce. */
export function sealAt(place: SealedPlace, plaintext: string): string {
  const key = current();
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.sealKey, nonce);
  cipher.setAAD(associatedData(place));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    FORMAT_V2,
    key.id,
    nonce.toString('base64'),
    body.toString('base64'),
    cipher.getAuthTag().toString('base64'),
  ].join('.');
}

/** True for a value in the current sealed format (whatever its key). */
export function isSealedV2(value: string): boolean {
  return value.startsWith(`${FORMAT_V2}.`) && value.split('.').length === 5;
}

/**
 * Decrypts a value sealed for `place`. A value sealed for another place, or changed, is refused; so is
 * a value in an older form (v1, or clear) once the database holds none any more. Errors name the place,
 * never the content.
 */
export function unsealAt(place: SealedPlace, value: string): string {
  if (isSealedV2(value)) {
    const [, keyId, nonce, body, tag] = value.split('.') as [string, string, string, string, string];
    const key = keys().find((candidate) => candidate.id === keyId);
    if (!key) {
      throw new SealingError(
        `${describePlace(place)} is sealed under key ${keyId}, which is not in the keyring`,
      );
    }
    const tagBytes = Buffer.from(tag, 'base64');
    if (tagBytes.length !== TAG_BYTES)
      throw new SealingError(`${describePlace(place)}: sealed value is damaged`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.sealKey, Buffer.from(nonce, 'base64'));
      decipher.setAAD(associatedData(place));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealingError(
        `${describePlace(place)}: sealed value failed authentication (made for another place, or changed)`,
      );
    }
  }
  if (isSealed(value)) {
    if (!legacy.v1)
      throw new SealingError(`${describePlace(place)} holds a value in the old v1 format: refused`);
    return unseal(value);
  }
  if (!legacy.clear)
    throw new SealingError(`${describePlace(place)} holds a value that is not sealed: refused`);
  return value;
}

/** The format a stored value is in: 'v2', 'v1' or 'clear'. */
export function formatOfValue(value: string): 'v2' | 'v1' | 'clear' {
  if (isSealedV2(value)) return 'v2';
  return isSealed(value) ? 'v1' : 'clear';
}

/** What a blind index is for; the purpose is part of its input, so indexes of one person differ by use. */
export type IndexPurpose = 'person' | 'chat' | 'ledger' | 'order' | 'reply' | 'reporter' | 'content' | 'edit';

/** The blind index of `value` for `purpose` under the current key. */
export function blindIndexFor(purpose: IndexPurpose, value: string): string {
  return blindIndex(`${purpose}:${value}`);
}

/** Where keyed chat numbers start: above every Telegram user id (they are below 2^50), within safe integers. */
const CHAT_KEY_BASE = 2 ** 50;

/**
 * A keyed number standing for a private chat, for the outbox's per-chat order and rate limits: equal for
 * one chat under one key, and without the key it says neither whose chat it is nor that two numbers
 * under different keys are one chat. 48 bits of HMAC above CHAT_KEY_BASE, so it never equals a real id.
 */
export function chatKeyFor(chatId: number): number {
  return keyedNumberUnder(current(), 'chat', chatId);
}

/** What a keyed number stands for; the purpose is part of its input, so one person's numbers differ by table. */
export type NumberPurpose = 'chat' | 'dialogue';

function keyedNumberUnder(key: RingKey, purpose: NumberPurpose, id: number): number {
  const mac = createHmac('sha256', key.indexKey).update(`${purpose}:${id}`, 'utf8').digest();
  return CHAT_KEY_BASE + mac.readUIntBE(0, 6);
}

/** The keyed number of `id` for `purpose` under the current key (see chatKeyFor). */
export function keyedNumberFor(purpose: NumberPurpose, id: number): number {
  return keyedNumberUnder(current(), purpose, id);
}

/** The keyed numbers of `id` for `purpose` under every key of the ring, current first (a rotation may be half done). */
export function keyedNumbersFor(purpose: NumberPurpose, id: number): number[] {
  return keys().map((key) => keyedNumberUnder(key, purpose, id));
}

/** True for a number made by chatKeyFor (not a real chat id). */
export function isChatKey(value: number): boolean {
  return value >= CHAT_KEY_BASE;
}

/** The blind index of `value` for `purpose` under every key of the ring (a rotation may be half done). */
export function blindIndexesFor(purpose: IndexPurpose, value: string): string[] {
  return blindIndexes(`${purpose}:${value}`);
}

function indexUnder(key: RingKey, value: string): string {
  return `${key.id}.${createHmac('sha256', key.indexKey).update(value, 'utf8').digest('base64url')}`;
}

/** The blind index of a value under the current key: for storing, and equality lookups. */
export function blindIndex(value: string): string {
  return indexUnder(current(), value);
}

/** The blind index of a value under every key in the ring: a lookup must match any of them while a rotation runs. */
export function blindIndexes(value: string): string[] {
  return keys().map((key) => indexUnder(key, value));
}
