import { readFile } from 'node:fs/promises';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { OutputContent } from './output.js';

/** Exit statuses of every CLI command and of `npm start`: 0 ok, 1 failed, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Where a command writes. Data goes to `stdout` and only there; messages for the person at the console
 * go to `stderr` (so `export --format jsonl > f` gives a file of items). A command run inside the
 * running bot writes to the `npm run cli` process through the control socket, files included.
 */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Writes a file the operator named (`--out`), atomically and owner-only, in the CLI's own process. */
  writeOutput(path: string, content: OutputContent): Promise<void>;
}

/** What a command gets before any database is opened. */
export interface BareCliContext extends CliIo {
  config: AppConfig;
  logger: Logger;
  args: string[];
}

/** What a CLI command gets: the environment, an open database, its arguments and where to write. */
export interface CliContext extends BareCliContext {
  database: Database;
}

/** A CLI command: returns the exit status (EXIT). */
export interface CliCommand {
  usage: string;
  /**
   * May run inside the running bot when the bot holds DATA_DIR (the embedded database admits one
   * process): the CLI then sends it over the bot's control socket instead of refusing.
   */
  throughBot?: boolean;
  /**
   * Runs before the configured database is opened; a status ends the command there (for forms that
   * open nothing, like `backup --check`, or open their target themselves, like `restore`).
   */
  prepare?(ctx: BareCliContext): Promise<number | undefined>;
  run(ctx: CliContext): Promise<number>;
}

/**
 * Reads a file a command was given (a CSV to import), or says on stderr why it cannot and returns null
 * (the command then exits EXIT.failed). One wording for every import command.
 */
export async function readInputFile(file: string, stderr: NodeJS.WritableStream): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    stderr.write(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return null;
  }
}
