import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/** What one run of the real CLI process printed, apart per stream, and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/src/cli.js <args>` (what `npm run cli --` runs) with exactly `env` (plus PATH) in
 * `cwd`, optionally feeding `input` on stdin; resolves once it exited.
 */
export function runCliProcess(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  options: { timeoutMs?: number; entry?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [join(packageRoot(), options.entry ?? 'dist/src/cli.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
