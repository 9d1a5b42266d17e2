import { describe, expect, it } from 'vitest';
import { alertBatchTime } from '../../src/domain/alert-batches.js';

describe('alertBatchTime', () => {
  it('posts at the next multiple of the batch length, the same instant for the whole window', () => {
    expect(alertBatchTime(new Date('2026-03-02T01:00:00.001Z'), 10)).toEqual(
      new Date('2026-03-02T01:10:00Z'),
    );
    expect(alertBatchTime(new Date('2026-03-02T01:09:59.999Z'), 10)).toEqual(
      new Date('2026-03-02T01:10:00Z'),
    );
    // Exactly on a boundary is the start of a window, not its end.
    expect(alertBatchTime(new Date('2026-03-02T01:10:00Z'), 10)).toEqual(new Date('2026-03-02T01:20:00Z'));
    expect(alertBatchTime(new Date('2026-03-02T23:59:00Z'), 60)).toEqual(new Date('2026-03-03T00:00:00Z'));
  });

  it('posts at once when batching is off', () => {
    expect(alertBatchTime(new Date('2026-03-02T01:00:00Z'), 0)).toBeNull();
  });
});
