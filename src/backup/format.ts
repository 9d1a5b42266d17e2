/**
 * The backup file: two header lines in clear, then the dump — gzip-compressed and encrypted with
 * AES-256-GCM under a key derived from the data key — then the 16-byte GCM tag.
 *
 *   LIAISON-BOT-BACKUP 1
 *   {"createdAt":…,"keyId":"1a2b3c4d","salt":…,"nonce":…,"cipher":"aes-256-gcm","compression":"gzip",…}
 *   <ciphertext><tag>
 *
 * The header says which data key (by id, never the key) opens it; both header lines are authenticated
 * with the body, so a changed byte anywhere, or a file cut short, fails the tag check. Why the whole
 * dump is encrypted and not only the values the bot seals: beside the sealed texts and names a
 * database holds who is enrolled (Telegram ids and roles), chat ids and the audit trail. Without the
 * data key a backup is useless — that is the point — so keep the key apart from the backups.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { keyIdOf } from '../crypto/sealing.js';

const MAGIC = 'LIAISON-BOT-BACKUP 1';
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 64 * 1024;

/** The clear header of a backup file. */
export interface BackupHeader {
  createdAt: string;
  /** The id of the data key the backup is encrypted under (src/crypto/sealing.ts keyIdOf). */
  keyId: string;
  salt: string;
  nonce: string;
  cipher: 'aes-256-gcm';
  compression: 'gzip';
  contents: string;
}

/** Thrown when a file is not a whole, unchanged backup that this keyring opens. */
export class BackupInvalidError extends Error {}

function backupKey(dataKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, salt, 'liaison-bot backup v1', 32));
}

/**
 * Encrypts the dump's lines into the bytes of a backup file, under `dataKey` (the current data key).
 * The key itself is never written: only its id.
 */
export async function* encryptBackup(lines: AsyncIterable<string>, dataKey: Buffer): AsyncGenerator<Buffer> {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const header: BackupHeader = {
    createdAt: new Date().toISOString(),
    keyId: keyIdOf(dataKey),
    salt: salt.toString('base64'),
    nonce: nonce.toString('base64'),
    cipher: 'aes-256-gcm',
    compression: 'gzip',
    contents:
      'a logical dump of every table of liaison-bot, encrypted whole; it does not contain the data key, which is needed to read it',
  };
  const headerBytes = Buffer.from(`${MAGIC}\n${JSON.stringify(header)}\n`, 'utf8');
  const cipher = createCipheriv('aes-256-gcm', backupKey(dataKey, salt), nonce);
  cipher.setAAD(headerBytes);
  yield headerBytes;
  const output = new PassThrough();
  const encrypting = pipeline(Readable.from(lines), createGzip(), cipher, output);
  encrypting.catch(() => {});
  try {
    for await (const chunk of output) yield chunk as Buffer;
    await encrypting;
  } finally {
    output.destroy();
  }
  yield cipher.getAuthTag();
}

/** Reads a backup file's header (and where its body starts), or throws BackupInvalidError. */
export async function readBackupHeader(
  path: string,
): Promise<{ header: BackupHeader; bodyStart: number; size: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const probe = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    await handle.read(probe, 0, probe.length, 0);
    const first = probe.indexOf(0x0a);
    const second = first >= 0 ? probe.indexOf(0x0a, first + 1) : -1;
    if (first < 0 || probe.subarray(0, first).toString('utf8') !== MAGIC) {
      throw new BackupInvalidError(`${path} is not a liaison-bot backup`);
    }
    if (second < 0) throw new BackupInvalidError(`${path} is cut short: its header is incomplete`);
    let header: BackupHeader;
    try {
      header = JSON.parse(probe.subarray(first + 1, second).toString('utf8')) as BackupHeader;
    } catch {
      throw new BackupInvalidError(`${path} has a damaged header`);
    }
    if (
      header.cipher !== 'aes-256-gcm' ||
      typeof header.keyId !== 'string' ||
      !header.salt ||
      !header.nonce
    ) {
      throw new BackupInvalidError(`${path} has a header this version cannot read`);
    }
    if (size < second + 1 + TAG_BYTES) throw new BackupInvalidError(`${path} is cut short`);
    return { header, bodyStart: second + 1, size };
  } finally {
    await handle.close();
  }
}

/**
 * Decrypts a backup file into its dump's lines. The tag is checked when the last line has been read:
 * a consumer must treat what it read as unverified until the iteration ends without an error.
 */
export async function* decryptBackup(path: string, keyring: readonly Buffer[]): AsyncGenerator<string> {
  const { header, bodyStart, size } = await readBackupHeader(path);
  const dataKey = keyring.find((key) => keyIdOf(key) === header.keyId);
  if (!dataKey) {
    throw new BackupInvalidError(
      `the backup is encrypted under data key ${header.keyId}, which this keyring does not have (it has ${keyring.map(keyIdOf).join(', ') || 'none'}): set DATA_KEY, or put the key file back, with that key`,
    );
  }
  const handle = await open(path, 'r');
  const tag = Buffer.alloc(TAG_BYTES);
  const headerBytes = Buffer.alloc(bodyStart);
  try {
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    await handle.read(headerBytes, 0, bodyStart, 0);
  } finally {
    await handle.close();
  }
  const decipher = createDecipheriv(
    'aes-256-gcm',
    backupKey(dataKey, Buffer.from(header.salt, 'base64')),
    Buffer.from(header.nonce, 'base64'),
  );
  decipher.setAAD(headerBytes);
  decipher.setAuthTag(tag);
  const lines = new PassThrough({ objectMode: true, highWaterMark: 256 });
  const decoder = new StringDecoder('utf8');
  let pending = '';
  // Splits the decompressed text into lines, waiting while the consumer is behind.
  const splitter = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += decoder.write(chunk);
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      let room = true;
      for (const part of parts) room = lines.write(part) && room;
      if (room) done();
      else lines.once('drain', () => done());
    },
    final(done) {
      pending += decoder.end();
      if (pending !== '') lines.write(pending);
      done();
    },
  });
  const body =
    size - TAG_BYTES > bodyStart
      ? createReadStream(path, { start: bodyStart, end: size - TAG_BYTES - 1 })
      : Readable.from([]);
  const reading = pipeline(body, decipher, createGunzip(), splitter).then(
    () => lines.end(),
    (error: unknown) => lines.destroy(describeFailure(path, error)),
  );
  try {
    for await (const line of lines) yield line as string;
  } finally {
    // A consumer that stops early must not leave the file open behind it.
    splitter.destroy();
    lines.destroy();
    await reading.catch(() => {});
  }
}

function describeFailure(path: string, error: unknown): BackupInvalidError {
  const message = error instanceof Error ? error.message : String(error);
  if (/authenticate/i.test(message)) {
    return new BackupInvalidError(`${path} was changed or cut short: its contents fail the integrity check`);
  }
  return new BackupInvalidError(`${path} is damaged (${message})`);
}
