import { describe, expect, it } from 'vitest';
import { markdownTable, median, met, percentile, summarize, textTable } from '../../bench/stats.js';

describe('bench statistics', () => {
  it('takes percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted samples and takes medians of odd and even counts', () => {
    expect(summarize([30, 10, 20])).toEqual({ count: 3, p50: 20, p95: 30, p99: 30, max: 30 });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('judges a target on the value or on the ratio, and a missing figure as not met', () => {
    expect(
      met({ section: '1', figure: 'p99', value: 49, unit: 'ms', targetOn: 'value', goal: { atMost: 50 } }),
    ).toBe(true);
    expect(
      met({ section: '1', figure: 'p99', value: 51, unit: 'ms', targetOn: 'value', goal: { atMost: 50 } }),
    ).toBe(false);
    expect(
      met({
        section: '1',
        figure: 't',
        value: 10,
        unit: '/s',
        ratio: 0.4,
        targetOn: 'ratio',
        goal: { atLeast: 0.5 },
      }),
    ).toBe(false);
    expect(
      met({ section: '3', figure: 'lost', value: 0, unit: '', targetOn: 'value', goal: { equals: 0 } }),
    ).toBe(true);
    expect(met({ section: '1', figure: 'x', value: Number.NaN, unit: '', goal: { atMost: 1 } })).toBe(false);
    expect(met({ section: '1', figure: 'x', value: 1, unit: '' })).toBeUndefined();
  });

  it('prints the same rows as Markdown and as text, with met? per row', () => {
    const rows = [
      {
        section: '2',
        figure: 'daily digest',
        value: 120.4,
        unit: 'ms',
        floor: 100,
        ratio: 1.204,
        targetOn: 'ratio' as const,
        goal: { atMost: 1.5 },
        targetText: 'ratio ≤ 1.5',
      },
      {
        section: '3',
        figure: 'lost',
        value: 2,
        unit: '',
        targetOn: 'value' as const,
        goal: { equals: 0 },
        targetText: '0',
      },
    ];
    const markdown = markdownTable(rows).split('\n');
    expect(markdown[0]).toBe('| # | figure | value | floor | ratio | target | met? |');
    expect(markdown[2]).toBe('| 2 | daily digest | 120 ms | 100 ms | 1.20 | ratio ≤ 1.5 | yes |');
    expect(markdown[3]).toBe('| 3 | lost | 2 |  |  | 0 | NO |');
    expect(textTable(rows).split('\n')).toHaveLength(3);
  });
});
