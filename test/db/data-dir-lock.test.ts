import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirInUseError,
  type LockHolder,
  liveHolderOf,
  lockDataDir,
  lockFilePath,
} from '../../src/db/data-dir-lock.js';
import { packageRoot } from '../../src/paths.js';

/** The pid of a process that has exited (so it is certainly not running). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

function staleHolder(overrides: Partial<LockHolder>): LockHolder {
  return {
    pid: deadPid(),
    role: 'bot',
    host: hostname(),
    startedAt: new Date(0).toISOString(),
    token: 'stale',
    ...overrides,
  };
}

describe('the data directory lock', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lock-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses a second holder while the first lives, naming it, and frees the folder on release', async () => {
    const first = await lockDataDir(dataDir, { role: 'bot' });
    const second = await lockDataDir(dataDir, { role: 'cli', command: 'export' }).catch((error) => error);
    expect(second).toBeInstanceOf(DataDirInUseError);
    expect((second as DataDirInUseError).holder).toMatchObject({ pid: process.pid, role: 'bot' });
    expect((second as Error).message).toContain(`the bot (pid ${process.pid}`);
    expect(await liveHolderOf(dataDir)).toMatchObject({ pid: process.pid });
    await first.release();
    expect(await liveHolderOf(dataDir)).toBeNull();
    const third = await lockDataDir(dataDir, { role: 'cli', command: 'export' });
    await third.release();
  });

  it('takes over a lock whose process is gone', async () => {
    await writeFile(lockFilePath(dataDir), JSON.stringify(staleHolder({})));
    expect(await liveHolderOf(dataDir)).toBeNull();
    const lock = await lockDataDir(dataDir, { role: 'bot' });
    expect(JSON.parse(await readFile(lockFilePath(dataDir), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over a lock from before a reboot, or from an earlier process that had the same pid', async () => {
    // This very process's pid, but another boot: the lock cannot be ours.
    await writeFile(
      lockFilePath(dataDir),
      JSON.stringify(staleHolder({ pid: process.pid, bootId: 'another-boot', token: 'old-boot' })),
    );
    const afterReboot = await lockDataDir(dataDir, { role: 'bot' });
    await afterReboot.release();
    await writeFile(
      lockFilePath(dataDir),
      JSON.stringify(staleHolder({ pid: process.pid, processStart: '1', token: 'old-process' })),
    );
    const reused = await lockDataDir(dataDir, { role: 'bot' });
    await reused.release();
  });

  it('takes over an unreadable lock file once it is older than a moment', async () => {
    await writeFile(lockFilePath(dataDir), '');
    const old = new Date(Date.now() - 60_000);
    const { utimes } = await import('node:fs/promises');
    await utimes(lockFilePath(dataDir), old, old);
    const lock = await lockDataDir(dataDir, { role: 'bot' });
    await lock.release();
  });

  it('release removes only its own lock', async () => {
    const lock = await lockDataDir(dataDir, { role: 'bot' });
    const other = staleHolder({ pid: process.pid, token: 'someone-else' });
    await writeFile(lockFilePath(dataDir), JSON.stringify(other));
    await lock.release();
    expect(JSON.parse(await readFile(lockFilePath(dataDir), 'utf8'))).toMatchObject({
      token: 'someone-else',
    });
  });

  it('of six processes racing for a folder with a stale lock, exactly one gets it', async () => {
    await writeFile(lockFilePath(dataDir), JSON.stringify(staleHolder({})));
    const module = join(packageRoot(), 'dist/src/db/data-dir-lock.js');
    // A winner holds the lock until every contender has answered (its stdin closes), so one that
    // starts late on a loaded machine still finds it held.
    const script = `
      const { lockDataDir } = await import(${JSON.stringify(module)});
      try {
        const lock = await lockDataDir(${JSON.stringify(dataDir)}, { role: 'cli', command: 'race' });
        process.stdout.write('won');
        process.stdin.resume();
        await new Promise((resolve) => process.stdin.once('end', resolve));
        await lock.release();
      } catch (error) {
        process.stdout.write(error.constructor.name);
      }`;
    const children = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const closed = new Promise((resolve) => child.once('close', resolve));
      const outcome = new Promise<string>((resolve) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        void closed.then(() => resolve(''));
      });
      return { child, closed, outcome };
    });
    const outcomes = await Promise.all(children.map(({ outcome }) => outcome));
    for (const { child } of children) child.stdin.end();
    await Promise.all(children.map(({ closed }) => closed));
    expect(outcomes.filter((outcome) => outcome === 'won')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'DataDirInUseError')).toHaveLength(5);
  });
});
