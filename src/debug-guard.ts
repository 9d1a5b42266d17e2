// Imported by the entry points before anything that loads telegraf: the `debug` package reads DEBUG
// once, when it is first imported, and telegraf's namespaces print every Bot API call with its
// parameters, so DEBUG=telegraf:* (or *) would write tips, names and conclusions to the logs.

/** Every namespace telegraf 4.16 logs under (`grep -r "debug')(" node_modules/telegraf/lib`). */
export const TELEGRAF_NAMESPACES = [
  'telegraf:client',
  'telegraf:main',
  'telegraf:context',
  'telegraf:polling',
  'telegraf:webhook',
  'telegraf:session',
  'telegraf:scenes:context',
] as const;

/** The skip appended to DEBUG: `debug` never enables a namespace that matches a `-` entry. */
export const TELEGRAF_SKIP = '-telegraf*';

/** What the guard did at start, for the warning the entry point logs once its logger exists. */
export type DebugGuardOutcome =
  | { kind: 'none' }
  | { kind: 'silenced'; debug: string }
  | { kind: 'allowed'; debug: string };

/** `debug`'s template match: `*` matches any run of characters, everything else itself. */
function matchesTemplate(name: string, template: string): boolean {
  const pattern = template
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/** Whether DEBUG (as the `debug` package reads it) switches on any of telegraf's namespaces. */
export function enablesTelegraf(debug: string | undefined): boolean {
  const entries = (debug ?? '').trim().replace(/\s+/g, ',').split(',').filter(Boolean);
  const skips = entries.filter((entry) => entry.startsWith('-')).map((entry) => entry.slice(1));
  const names = entries.filter((entry) => !entry.startsWith('-'));
  return TELEGRAF_NAMESPACES.some(
    (namespace) =>
      !skips.some((skip) => matchesTemplate(namespace, skip)) &&
      names.some((name) => matchesTemplate(namespace, name)),
  );
}

/**
 * Takes telegraf's namespaces out of DEBUG (keeping the others), unless LOG_UNSAFE_DEBUG=1.
 * Must run before telegraf (and so `debug`) is imported.
 */
export function guardTelegrafDebug(env: NodeJS.ProcessEnv = process.env): DebugGuardOutcome {
  const debug = env.DEBUG;
  if (!enablesTelegraf(debug)) return { kind: 'none' };
  if (env.LOG_UNSAFE_DEBUG?.trim() === '1') return { kind: 'allowed', debug: debug ?? '' };
  env.DEBUG = `${debug},${TELEGRAF_SKIP}`;
  return { kind: 'silenced', debug: debug ?? '' };
}

/** What happened when this module was first imported (by src/main.ts and src/cli.ts, right after dotenv). */
export const debugGuard: DebugGuardOutcome = guardTelegrafDebug();
