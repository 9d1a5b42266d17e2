/** The shape of an exponential back-off: where it starts, where it stops, and when it stops doubling. */
export interface BackoffOptions {
  /** The delay at attempt 0, in milliseconds; each attempt after that doubles it. */
  baseMs: number;
  /** The longest delay, in milliseconds, whatever the attempt. */
  maxMs: number;
  /** The exponent stops growing here (attempts beyond it get `baseMs * 2 ** maxExponent`, capped); none by default. */
  maxExponent?: number;
}

/**
 * The delay before retrying after `attempt`: `baseMs * 2 ** attempt`, with the exponent capped at
 * `maxExponent` and the result at `maxMs`. Every retry loop of the bot (updates, sends, polling,
 * getMe at start) backs off through this one formula, each with its own numbers, e.g.
 * `backoffMs(3, { baseMs: 500, maxMs: 60_000 })` is 4 s.
 */
export function backoffMs(
  attempt: number,
  { baseMs, maxMs, maxExponent = Number.POSITIVE_INFINITY }: BackoffOptions,
): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, maxExponent));
}
