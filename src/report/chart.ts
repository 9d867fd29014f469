import * as echarts from 'echarts';

/**
 * The bar chart of totals, drawn on the server to SVG with ECharts' server-side
 * rendering: it prints, and the page needs no script. Vetoed units are drawn red.
 */
export interface Bar { label: string; value: number; vetoed: boolean; }


export function totalsChartSvg(bars: Bar[], opts: { title?: string; max?: number; width?: number; decimals?: number } = {}): string {
  const decimals = opts.decimals ?? 1;
  const width = opts.width ?? 900;
  const height = Math.max(160, 26 * bars.length + 60);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({
    animation: false,
    grid: { left: 130, right: 60, top: 30, bottom: 20 },
    xAxis: { type: 'value', max: opts.max, axisLabel: { fontSize: 11 } },
    yAxis: {
      type: 'category', inverse: true, axisLabel: { fontSize: 12 },
      // Names come from data: ECharts' SVG renderer escapes text it writes (the hostile-names test checks it).
      data: bars.map((b) => b.label),
    },
    series: [{
      type: 'bar', barMaxWidth: 18,
      data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.vetoed ? '#c0392b' : '#2e6da4' } })),
      // Each bar says its total as the ranking does, at the rule set's precision (870.0, not 870).
      label: { show: true, position: 'right', fontSize: 11, formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(decimals) : '') },
    }],
    title: opts.title ? { text: opts.title, left: 'center', textStyle: { fontSize: 13 } } : undefined,
  });
  const svg = withoutInlineStyles(chart.renderToSVGString());
  chart.dispose();
  return svg;
}

/** One unit's value of a metric, for the statistics report's chart. */
export interface MetricBar { label: string; value: number; }

/**
 * The statistics report's bar chart of one metric by unit (统计分析): one bar per unit,
 * labelled at the metric's decimals, with the metric's label and unit in the title.
 */
export function metricChartSvg(bars: MetricBar[], opts: { title?: string; decimals?: number; width?: number } = {}): string {
  const width = opts.width ?? 900;
  const height = Math.max(160, 26 * bars.length + 70);
  const decimals = opts.decimals ?? 2;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({
    animation: false,
    grid: { left: 130, right: 70, top: opts.title ? 40 : 20, bottom: 20 },
    xAxis: { type: 'value', axisLabel: { fontSize: 11 } },
    yAxis: { type: 'category', inverse: true, axisLabel: { fontSize: 12 }, data: bars.map((b) => b.label) },
    series: [{
      type: 'bar', barMaxWidth: 18, itemStyle: { color: '#2e6da4' },
      data: bars.map((b) => b.value),
      label: { show: true, position: 'right', fontSize: 11, formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(decimals) : '') },
    }],
    title: opts.title ? { text: opts.title, left: 'center', textStyle: { fontSize: 13 } } : undefined,
  });
  const svg = withoutInlineStyles(chart.renderToSVGString());
  chart.dispose();
  return svg;
}

/** One period of a unit's trend: its total and its rank then. */
export interface TrendPoint { label: string; total: number; rank: number; }

/**
 * A unit's trend over the periods (历年情况): its total above, labelled at the rule set's
 * precision (870.0), and its rank below, first place at the top (第3名). Two panes, not two
 * axes on one: a total and a rank share no scale, and a reader should not have to match lines to axes.
 */
export function trendChartSvg(points: TrendPoint[], opts: { precision: number; width?: number }): string {
  const width = opts.width ?? 520;
  const height = 300;
  const worst = Math.max(2, ...points.map((p) => p.rank));
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const labels = points.map((p) => p.label);
  chart.setOption({
    animation: false,
    title: [
      { text: '总分', left: 8, top: 4, textStyle: { fontSize: 12, fontWeight: 'normal' } },
      { text: '排名', left: 8, top: 158, textStyle: { fontSize: 12, fontWeight: 'normal' } },
    ],
    grid: [{ left: 56, right: 40, top: 30, height: 100 }, { left: 56, right: 40, top: 184, height: 80 }],
    xAxis: [
      // Period titles come from data: ECharts' SVG renderer escapes text it writes.
      { type: 'category', gridIndex: 0, data: labels, boundaryGap: true, axisLabel: { show: false }, axisTick: { show: false } },
      { type: 'category', gridIndex: 1, data: labels, boundaryGap: true, axisLabel: { fontSize: 12 } },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, scale: true, splitNumber: 3, axisLabel: { fontSize: 11 } },
      { type: 'value', gridIndex: 1, inverse: true, min: 1, max: worst, minInterval: 1, splitNumber: Math.min(4, worst), axisLabel: { fontSize: 11 } },
    ],
    series: [
      {
        type: 'line', xAxisIndex: 0, yAxisIndex: 0, symbolSize: 7, itemStyle: { color: '#2e6da4' },
        data: points.map((p) => p.total),
        label: { show: true, position: 'top', fontSize: 12, formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? p.value.toFixed(opts.precision) : '') },
      },
      {
        type: 'line', xAxisIndex: 1, yAxisIndex: 1, symbolSize: 7, itemStyle: { color: '#a85400' },
        data: points.map((p) => p.rank),
        // Above its point: below, the last place's label would meet the periods' names.
        label: { show: true, position: 'top', fontSize: 12, formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? `第${p.value}名` : '') },
      },
    ],
  });
  const svg = withoutInlineStyles(chart.renderToSVGString());
  chart.dispose();
  return svg;
}

/**
 * The page's CSP refuses inline styles: ECharts' text styles become SVG presentation
 * attributes, and its <style> element (hover states only, of no use without script) is left out.
 */
function withoutInlineStyles(svg: string): string {
  return svg
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(/ style="([^"]*)"/g, (_m, css: string) => css.split(';')
      .map((decl) => /^\s*([a-z-]+)\s*:\s*([^;]+?)\s*$/.exec(decl))
      .map((m) => (m ? ` ${m[1]}="${m[2]}"` : '')).join(''));
}
