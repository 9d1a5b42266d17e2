import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../src/i18n.js';
import { CHART_HEIGHT, CHART_WIDTH, renderWeeklyChart } from '../../src/digests/chart.js';
import { pngInfo } from '../support/png.js';

describe('weekly chart', () => {
  const series = {
    weeks: [
      '02-10',
      '02-17',
      '02-24',
      '03-03',
      '03-10',
      '03-17',
      '03-24',
      '03-31',
      '04-07',
      '04-14',
      '04-21',
      '04-28',
    ],
    byDomain: { F: [1, 2, 0, 3, 1, 0, 4, 2, 1, 0, 2, 3], P: [0, 1, 1, 0, 0, 2, 0, 1, 0, 1, 0, 0] },
  };

  it('renders a PNG of the declared size with Chinese labels', async () => {
    const chart = await renderWeeklyChart(series, translatorFor('zh-CN'));
    const info = pngInfo(chart.png);
    expect(info).toEqual({ valid: true, width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(chart.png.length).toBeGreaterThan(10_000);
    expect(chart.png.length).toBeLessThan(1_000_000);
  });

  it('renders an empty series (no items in 12 weeks) without failing', async () => {
    const chart = await renderWeeklyChart({ weeks: series.weeks, byDomain: {} }, translatorFor('en'));
    expect(pngInfo(chart.png).valid).toBe(true);
  });
});
