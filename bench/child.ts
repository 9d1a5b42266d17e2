/** Runs a benchmark target in its own process, so its memory and event loop are its own. */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetFigures } from './targets/figures.js';

/** A message a target sends to the bench over IPC. */
export type TargetMessage =
  | { type: 'ready'; port?: number }
  | TargetFigures
  | { type: 'result'; result: unknown; maxRssKb: number }
  | { type: 'stopped'; maxRssKb: number };

/** A forked target process and how to talk to it. */
export interface TargetProcess {
  child: ChildProcess;
  /** Everything the target printed, for error reports. */
  output(): string;
  /** Resolves with the next message of `type`; rejects if the process exits first. */
  next<T extends TargetMessage['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<TargetMessage, { type: T }>>;
  send(message: unknown): void;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Forks `targets/<name>.js` (compiled next to this file) with `env` (plus PATH) and optional node flags. */
export function forkTarget(
  name: string,
  env: Record<string, string>,
  execArgv: string[] = [],
): TargetProcess {
  const child = fork(join(here, 'targets', `${name}.js`), [], {
    env: { PATH: process.env.PATH ?? '', ...env },
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const inbox: TargetMessage[] = [];
  const waiters = new Set<() => void>();
  child.on('message', (message) => {
    inbox.push(message as TargetMessage);
    for (const wake of [...waiters]) wake();
  });
  const output = () => chunks.join('').slice(-4000);
  if (process.env.BENCH_TARGET_OUTPUT) {
    child.once('exit', () => process.stderr.write(`[${name} output]\n${chunks.join('').slice(0, 3000)}\n`));
  }
  return {
    child,
    output,
    exited,
    send: (message) => child.send(message as never),
    next(type, timeoutMs = 300_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = inbox.findIndex((message) => message.type === type);
          if (index < 0) return false;
          const [found] = inbox.splice(index, 1);
          cleanup();
          resolve(found as never);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`target ${name} sent no ${type} in ${timeoutMs} ms:\n${output()}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          if (check()) return;
          cleanup();
          reject(new Error(`target ${name} exited (${code}) before ${type}:\n${output()}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          child.off('exit', onExit);
        };
        const wake = () => void check();
        if (check()) return;
        waiters.add(wake);
        child.once('exit', onExit);
      });
    },
  };
}

/** Peak resident set of this process so far, in MB. */
export function peakRssMb(maxRssKb = process.resourceUsage().maxRSS): number {
  return maxRssKb / 1024;
}
