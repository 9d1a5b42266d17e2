import type { Audience } from '../domain/roles.js';
import type { BotContext } from './context.js';

/**
 * `/start <payload>` handlers other than invites, by payload prefix: e.g. `show-12` opens item 12
 * from a button in the section chat. Prefixes use letters only and end before the first '-'.
 */
export interface DeepLinkHandler {
  audience: readonly Audience[];
  handle(ctx: BotContext, argument: string): Promise<void> | void;
}

const handlers = new Map<string, DeepLinkHandler>();

/** Registers the handler for payloads `<prefix>-<argument>`. */
export function registerDeepLink(prefix: string, handler: DeepLinkHandler): void {
  if (!/^[a-z]+$/.test(prefix)) throw new Error(`invalid deep link prefix ${prefix}`);
  handlers.set(prefix, handler);
}

/** The handler and argument for a payload, or null if the payload is not a registered deep link. */
export function matchDeepLink(payload: string): { handler: DeepLinkHandler; argument: string } | null {
  const match = /^([a-z]+)-([\w-]{1,40})$/.exec(payload);
  const handler = match ? handlers.get(match[1] as string) : undefined;
  return handler && match ? { handler, argument: match[2] as string } : null;
}
