/**
 * The weekly digest's chart: items per week by domain, drawn by echarts' server-side SVG renderer and
 * rasterised by resvg (a prebuilt binary in its npm package) with a bundled Noto Sans SC font, so
 * Chinese labels render without a browser, system fonts or a native build step.
 */

import { fileURLToPath } from 'node:url';
import type { TFunction } from 'i18next';
import { DOMAINS } from '../domain/tip-code.js';
import { domainName } from '../labels.js';

/** Weekly counts: one label per week (oldest first) and, per domain letter, one count per week. */
export interface WeeklySeries {
  weeks: string[];
  byDomain: Record<string, number[]>;
}

/** A rendered chart. */
export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
}

/** Size of the chart in pixels: wide enough for 12 week labels, readable on a phone. */
export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 640;
const FONT_FAMILY = 'Noto Sans SC';

let fontFile: string | undefined;

/** The bundled CJK font file resvg loads (the package ships OpenType files next to its dist/). */
export function chartFontFile(): string {
  fontFile ??= fileURLToPath(
    new URL('../fonts/NotoSansHans-Regular.otf', import.meta.resolve('@embedpdf/fonts-sc')),
  );
  return fontFile;
}

/**
 * Renders the weekly series as a stacked bar chart PNG, labelled in the translator's language.
 * echarts and resvg are loaded on first use: importing echarts costs ~0.5 s, which every start of
 * the bot paid although only the weekly digest draws a chart.
 */
export async function renderWeeklyChart(series: WeeklySeries, t: TFunction): Promise<ChartImage> {
  const [echarts, { Resvg }] = await Promise.all([import('echarts'), import('@resvg/resvg-js')]);
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  const domains = DOMAINS.filter((d) => d in series.byDomain);
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_FAMILY },
    title: { text: t('digests:chart_title'), left: 'center', top: 12, textStyle: { fontSize: 24 } },
    legend: { bottom: 12, textStyle: { fontSize: 18 } },
    grid: { left: 64, right: 32, top: 72, bottom: 96 },
    xAxis: { type: 'category', data: series.weeks, axisLabel: { fontSize: 16 } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 16 } },
    series: domains.map((d) => ({
      type: 'bar',
      stack: 'items',
      name: domainName(t, d),
      data: series.byDomain[d],
    })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, {
    background: '#ffffff',
    font: { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  })
    .render()
    .asPng();
  return { png, width: CHART_WIDTH, height: CHART_HEIGHT };
}
