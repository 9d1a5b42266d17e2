import { Writable } from 'node:stream';
import type { CliCommand } from '../../src/cli/command.js';
import { writeOutputFile } from '../../src/cli/output.js';
import type { AppConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { Harness } from './harness.js';

/** A stream that keeps what a CLI command printed. */
export function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Runs a CLI command on the harness's database, as `npm run cli` would (messages to `stderr`); returns its exit status. */
export function runCommand(
  command: CliCommand,
  harness: Harness,
  args: string[],
  stdout: Writable,
  config: AppConfig = harness.config,
  stderr: Writable | NodeJS.WritableStream = process.stderr,
): Promise<number> {
  return command.run({
    config,
    database: harness.database,
    logger: createLogger('silent'),
    args,
    stdout,
    stderr,
    writeOutput: writeOutputFile,
  });
}
