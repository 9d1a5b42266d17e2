/**
 * One process per embedded database. PGlite is a whole PostgreSQL inside one process, with nothing that
 * stops a second process from opening the same files — and two engines writing one data directory
 * corrupt it. So whoever opens DATA_DIR first writes a lock file holding its pid; everyone else is
 * refused while that process lives. A lock left by a process that died (kill -9, a power cut) is
 * stale and taken over.
 *
 * Why not a library: the common ones (proper-lockfile) judge staleness by a file's age, which needs a
 * timer refreshing it and breaks a lock held by a process that is merely paused; the holder's pid, its
 * start time and the boot it belongs to say exactly whether it is still there.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Who holds a data directory, as written in its lock file. */
export interface LockHolder {
  pid: number;
  /** `bot` (npm start) or `cli` (npm run cli -- <command>). */
  role: 'bot' | 'cli';
  /** The CLI command, for a `cli` holder. */
  command?: string;
  host: string;
  startedAt: string;
  /** Linux: the boot the holder ran in, and its start time in that boot (so a reused pid is not it). */
  bootId?: string;
  processStart?: string;
  /** Random, so a process removes only its own lock. */
  token: string;
}

/** Thrown when another live process holds the data directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by ${describeHolder(holder)}; one process at a time may open the embedded database`,
    );
  }
}

/** A held lock; release it when the database is closed. */
export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

/** The lock file of a data directory. */
export function lockFilePath(dataDir: string): string {
  return join(resolve(dataDir), 'liaison-bot.lock');
}

/** "the bot (pid 123 on host, since …)" or "`npm run cli -- export` (pid …)", for messages. */
export function describeHolder(holder: LockHolder): string {
  const who = holder.role === 'bot' ? 'the bot' : `\`npm run cli -- ${holder.command ?? '…'}\``;
  return `${who} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`;
}

function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Linux's id of the current boot, or undefined elsewhere. */
function currentBootId(): string | undefined {
  return readProcFile('/proc/sys/kernel/random/boot_id')?.trim();
}

/** A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined. */
function processStartOf(pid: number): string | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** True while the holder process still runs (or might: one on another host is never judged dead). */
export function isHolderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  const bootId = currentBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStartOf(holder.pid);
  return !(holder.processStart && start && holder.processStart !== start);
}

function parseHolder(text: string): LockHolder | null {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.token !== 'string') return null;
    return parsed as LockHolder;
  } catch {
    return null;
  }
}

/** The live process holding `dataDir`, or null when it is free (or its lock is stale). */
export async function liveHolderOf(dataDir: string): Promise<LockHolder | null> {
  const holder = parseHolder(await readFile(lockFilePath(dataDir), 'utf8').catch(() => ''));
  return holder && isHolderAlive(holder) ? holder : null;
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lock file being written right now is briefly empty; one older than this with no holder is debris. */
const UNREADABLE_GRACE_MS = 2_000;
/** The stale-lock breaker's own lock lives only for a few file operations. */
const BREAKER_STALE_MS = 10_000;

/**
 * Removes the stale lock at `path` if it still is the one judged stale. Two processes may find the same
 * stale lock at once: a second, short-lived lock lets only one of them remove it, so neither can remove
 * the fresh lock the other has just taken.
 */
async function breakStaleLock(path: string, staleText: string): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await createExclusive(breaker, String(process.pid)))) {
    const age = await stat(breaker).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    // A breaker that died between its two steps leaves its file; after a while it is debris.
    if (age > BREAKER_STALE_MS) await rm(breaker, { force: true });
    return;
  }
  try {
    const now = await readFile(path, 'utf8').catch(() => null);
    if (now === staleText) await rm(path, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

/**
 * Locks `dataDir` for this process, or throws DataDirInUseError naming the live holder. A stale lock
 * (its process gone, or from before a reboot) is taken over.
 */
export async function lockDataDir(
  dataDir: string,
  role: { role: 'bot' | 'cli'; command?: string },
): Promise<DataDirLock> {
  await mkdir(resolve(dataDir), { recursive: true, mode: 0o700 });
  const path = lockFilePath(dataDir);
  const holder: LockHolder = {
    pid: process.pid,
    role: role.role,
    ...(role.command ? { command: role.command } : {}),
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...optional('bootId', currentBootId()),
    ...optional('processStart', processStartOf(process.pid)),
    token: randomBytes(12).toString('hex'),
  };
  const content = `${JSON.stringify(holder)}\n`;
  for (let attempt = 0; ; attempt += 1) {
    if (await createExclusive(path, content)) {
      return {
        path,
        holder,
        async release() {
          const now = await readFile(path, 'utf8').catch(() => null);
          if (now !== null && parseHolder(now)?.token === holder.token) await rm(path, { force: true });
        },
      };
    }
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) continue; // released in between: try again at once
    const existing = parseHolder(text);
    if (existing && isHolderAlive(existing)) throw new DataDirInUseError(resolve(dataDir), existing);
    if (!existing) {
      const age = await stat(path).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age < UNREADABLE_GRACE_MS && attempt < 40) {
        await sleep(50);
        continue;
      }
    }
    await breakStaleLock(path, text);
    if (attempt >= 40) throw new Error(`could not lock DATA_DIR ${resolve(dataDir)}: ${path} keeps changing`);
    await sleep(attempt < 3 ? 0 : 50);
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
