import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** What a command writes to a file: bytes, text, or a stream of chunks (a backup). */
export type OutputContent = string | Uint8Array | AsyncIterable<Uint8Array>;

/**
 * A file being written in place of `path`: chunks go to a temporary file beside it, which replaces
 * `path` only once complete and on disk, so a failed or interrupted write never leaves half a file
 * where a whole one is expected (a backup cut short would look like a backup).
 */
export class AtomicFile {
  private readonly temporary: string;
  private fd: number | null;

  constructor(
    readonly path: string,
    mode = 0o600,
  ) {
    const target = resolve(path);
    this.temporary = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.partial`);
    this.fd = openSync(this.temporary, 'wx', mode);
  }

  /** Appends a chunk. */
  write(chunk: Uint8Array | string): void {
    if (this.fd === null) throw new Error(`${this.path} is already closed`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.fd, bytes, offset);
  }

  /** Flushes to disk and puts the file in place. */
  commit(): void {
    if (this.fd === null) throw new Error(`${this.path} is already closed`);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
    renameSync(this.temporary, resolve(this.path));
  }

  /** Drops the temporary file; `path` is left as it was. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.temporary, { force: true });
  }
}

/** Writes `content` to `path` atomically, readable by the owner only unless `mode` says otherwise. */
export async function writeOutputFile(path: string, content: OutputContent, mode = 0o600): Promise<void> {
  const file = new AtomicFile(path, mode);
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) file.write(content);
    else for await (const chunk of content) file.write(chunk);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}
