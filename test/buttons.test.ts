import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUTTONS,
  button,
  decodeCallback,
  encodeCallback,
  integer,
  MAX_CALLBACK_BYTES,
  oneOf,
} from '../src/buttons.js';
import { DEFAULT_FILTER } from '../src/domain/triage.js';

describe('buttons', () => {
  it('keeps the wire format of buttons sent before the codecs (action|a|b)', () => {
    expect(BUTTONS.itemAction.encode({ id: 12, version: 3, action: 'accept' })).toBe('q.a|12|3|accept');
    expect(
      BUTTONS.queuePage.encode({ filter: { ...DEFAULT_FILTER, status: 'new', mine: true }, page: 2 }),
    ).toBe('q.p|snew.m|2');
    expect(BUTTONS.answer.encode({ questionId: 7 })).toBe('q.ans|7');
    expect(BUTTONS.tipDone.encode({})).toBe('tip.done');
    expect(BUTTONS.forward.decode({ action: 'q.fa', args: ['5', '2', 'AUD'] })).toEqual({
      id: 5,
      version: 2,
      agency: 'AUD',
    });
  });

  it('reads each field in range or not at all', () => {
    const decode = (data: string) => {
      const parsed = decodeCallback(data);
      return parsed ? BUTTONS.itemAction.decode(parsed) : null;
    };
    expect(decode('q.a|12|3|accept')).toEqual({ id: 12, version: 3, action: 'accept' });
    expect(decode('q.a|0|3|accept')).toBeNull();
    expect(decode('q.a|12|3|explode')).toBeNull();
    expect(decode('q.a|12|3')).toBeNull();
    expect(decode('q.a|1234567890|3|accept')).toBeNull();
    expect(decode('q.s|12')).toBeNull();
    expect(BUTTONS.queuePage.decode({ action: 'q.p', args: ['', 'x'] })).toEqual({
      filter: DEFAULT_FILTER,
      page: 1,
    });
    expect(BUTTONS.queuePage.decode({ action: 'q.p', args: ['zz', '1'] })).toBeNull();
  });

  it('takes a 10-digit Telegram id for the assignee (the old parser stopped at 9 digits)', () => {
    const data = BUTTONS.assignTo.encode({ id: 4, version: 2, officer: 7_123_456_789 });
    expect(data).toBe('q.at|4|2|7123456789');
    expect(BUTTONS.assignTo.decode(decodeCallback(data) ?? { action: '', args: [] })).toEqual({
      id: 4,
      version: 2,
      officer: 7_123_456_789,
    });
  });

  it('never writes more than 64 bytes, and decodes only what it could have written', () => {
    expect(() => encodeCallback('q.a', 'x'.repeat(40), 'y'.repeat(30))).toThrow(/64 bytes/);
    expect(() => encodeCallback('Q!', 1)).toThrow();
    expect(decodeCallback('q.a|'.padEnd(MAX_CALLBACK_BYTES + 1, '1'))).toBeNull();
    expect(decodeCallback(undefined)).toBeNull();
    const codec = button('t.x', { id: integer(1, 99), word: oneOf(['a', 'b'] as const) });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        fc.constantFrom('a' as const, 'b' as const),
        (id, word) => {
          const data = codec.encode({ id, word });
          expect(Buffer.byteLength(data)).toBeLessThanOrEqual(MAX_CALLBACK_BYTES);
          expect(codec.decode(decodeCallback(data) ?? { action: '', args: [] })).toEqual({ id, word });
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (garbage) => {
        const parsed = decodeCallback(garbage);
        if (parsed) for (const codec of Object.values(BUTTONS)) codec.decode(parsed);
      }),
    );
  });

  it('every action name is unique', () => {
    const actions = Object.values(BUTTONS).map((codec) => codec.action);
    expect(new Set(actions).size).toBe(actions.length);
  });
});
