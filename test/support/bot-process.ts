import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { createScratchPostgres, provided, TEST_DATABASE_URL } from './database.js';
import { TEST_DATA_KEY } from './test-key.js';

/** The database a spawned bot uses: a temp PGlite folder, or a scratch Postgres database when TEST_DATABASE_URL is set. */
export interface BotDatabase {
  env: Record<string, string>;
  /** The working folder for the process (where ./data lands by default). */
  cwd: string;
  dispose(): Promise<void>;
}

/**
 * Creates a database (and working folder) for one end-to-end test: empty, as a new installation has
 * it, or with `migrated` a copy of the migrated template the global setup made, so the process skips
 * PGlite's initdb and the migrations (what a restart does) where the first start is not under test.
 */
export async function createBotDatabase(options: { migrated?: boolean } = {}): Promise<BotDatabase> {
  const cwd = await mkdtemp(join(tmpdir(), 'liaison-e2e-'));
  if (!TEST_DATABASE_URL) {
    const template = options.migrated ? provided('pgliteTemplateFolder') : undefined;
    if (template) await cp(template, join(cwd, 'data', 'pgdata'), { recursive: true });
    return {
      env: { DATA_KEY: TEST_DATA_KEY },
      cwd,
      dispose: () => rm(cwd, { recursive: true, force: true }),
    };
  }
  const scratch = await createScratchPostgres({
    template: options.migrated ? provided('postgresTemplate') : undefined,
  });
  return {
    env: { DATABASE_URL: scratch.url, DATA_KEY: TEST_DATA_KEY },
    cwd,
    async dispose() {
      await scratch.drop();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** A running bot process (`node dist/src/main.js`, what `npm start` runs after building). */
export class BotProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Starts the bot with exactly `env` (plus PATH) in `cwd`. */
  static start(env: Record<string, string>, cwd: string): BotProcess {
    const child = spawn(process.execPath, [join(packageRoot(), 'dist/src/main.js')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new BotProcess(child);
  }

  /** Resolves with the exit code and signal. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /** Sends SIGTERM and resolves with the exit status and how long the stop took. */
  async terminate(): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    this.child.kill('SIGTERM');
    const { code } = await this.exited;
    return { code, ms: Date.now() - started };
  }

  /** Kills the process at once, as a crash would (kill -9). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Everything the process printed so far. */
  text(): string {
    return this.output.join('');
  }
}
