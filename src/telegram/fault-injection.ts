import type { Update } from 'telegraf/types';
import type { Fault } from '../config.js';
import type { UpdateHandler } from './update-processor.js';

function textOf(update: Update): string {
  const message = 'message' in update ? update.message : undefined;
  return message && 'text' in message ? message.text : '';
}

/**
 * Wraps the update handler with the faults the end-to-end tests ask for (FAULT_INJECTION),
 * so they can prove retries on the real process; returns the handler unchanged otherwise.
 */
export function withInjectedFaults(handler: UpdateHandler, faults: readonly Fault[]): UpdateHandler {
  if (!faults.includes('handler-throws-once')) return handler;
  const failedOnce = new Set<number>();
  return async (update, tx, out, log) => {
    if (textOf(update).includes('#fault') && !failedOnce.has(update.update_id)) {
      failedOnce.add(update.update_id);
      throw new Error('injected fault: handler-throws-once');
    }
    await handler(update, tx, out, log);
  };
}

/** Kills the process without any cleanup after a stored batch containing "#crash" (crash-after-store). */
export function crashAfterStoreIfAsked(updates: readonly Update[], faults: readonly Fault[]): void {
  if (faults.includes('crash-after-store') && updates.some((update) => textOf(update).includes('#crash'))) {
    process.kill(process.pid, 'SIGKILL');
  }
}
