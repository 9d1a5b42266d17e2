import { describe, expect, it } from 'vitest';
import { backoffMs } from '../src/backoff.js';

describe('backoffMs', () => {
  it('doubles from baseMs at attempt 0 and stops at maxMs', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      backoffMs(attempt, { baseMs: 500, maxMs: 5000 }),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });

  it('stops doubling at maxExponent even when maxMs is further away', () => {
    const options = { baseMs: 500, maxMs: 60_000, maxExponent: 7 };
    expect(backoffMs(6, options)).toBe(32_000);
    expect(backoffMs(7, options)).toBe(60_000);
    expect(backoffMs(6, { baseMs: 500, maxMs: 60_000, maxExponent: 5 })).toBe(16_000);
    expect(backoffMs(100, { baseMs: 500, maxMs: 60_000, maxExponent: 5 })).toBe(16_000);
  });

  it('keeps every caller’s numbers: updates, sends, records, polling and getMe', () => {
    // The update processor: 1 s, 2 s, 4 s … up to a minute (its attempt counts from 1).
    expect(
      [1, 2, 3, 7, 8].map((attempts) => backoffMs(attempts - 1, { baseMs: 1000, maxMs: 60_000 })),
    ).toEqual([1000, 2000, 4000, 60_000, 60_000]);
    // A transient send failure: 1 s after the first, capped at 2 ** 7 × 500 ms, then a minute.
    expect(
      [1, 6, 7, 20].map((attempts) => backoffMs(attempts, { baseMs: 500, maxMs: 60_000, maxExponent: 7 })),
    ).toEqual([1000, 32_000, 60_000, 60_000]);
    // getUpdates and getMe failures: 1 s after the first, at most 30 s.
    expect(
      [1, 5, 6, 30].map((failures) => backoffMs(failures, { baseMs: 500, maxMs: 30_000, maxExponent: 6 })),
    ).toEqual([1000, 16_000, 30_000, 30_000]);
  });

  it('is the same as the formula written out, for any numbers', () => {
    for (const attempt of [-1, 0, 0.5, 3, 9, 40]) {
      for (const maxExponent of [undefined, 0, 2, 6]) {
        const cap = maxExponent ?? Number.POSITIVE_INFINITY;
        expect(backoffMs(attempt, { baseMs: 250, maxMs: 20_000, maxExponent })).toBe(
          Math.min(20_000, 250 * 2 ** Math.min(attempt, cap)),
        );
      }
    }
  });
});
