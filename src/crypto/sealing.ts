/**
 * Encryption at rest: the process-wide keyring and the sealed-value format.
 *
 * A sealed value is `v1.<keyId>.<nonce>.<ciphertext>.<tag>` (base64 parts): AES-256-GCM with a fresh
 * 12-byte random nonce per value, so equal texts never look equal in the database. A blind index is
 * `<keyId>.<HMAC-SHA-256>` under a key derived (HKDF) from the data key: equal inputs give equal
 * indexes under one key, which is all an equality lookup needs, and a short text cannot be recovered
 * from it without the key (unlike a plain hash).
 *
 * The keyring is configured once at start (the first key seals, every key unseals) because drizzle's
 * column mappers are synchronous and have no context to carry a key in.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

interface RingKey {
  id: string;
  dataKey: Buffer;
  indexKey: Buffer;
}

let ring: RingKey[] | null = null;

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
    return { id, dataKey: Buffer.from(dataKey), indexKey };
  });
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
  if (isSealed(value)) return value.split('.')[1] ?? null;
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
