import * as echarts from 'echarts';

/**
 * The bar chart of totals, drawn on the server to SVG with ECharts' server-side
 * rendering: it prints, and the page needs no script. Vetoed units are drawn red.
 */
export interface Bar { label: string; value: number; vetoed: boolean; }

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function totalsChartSvg(bars: Bar[], opts: { title?: string; max?: number; width?: number } = {}): string {
  const width = opts.width ?? 900;
  const height = Math.max(160, 26 * bars.length + 60);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({
    animation: false,
    grid: { left: 130, right: 60, top: 30, bottom: 20 },
    xAxis: { type: 'value', max: opts.max, axisLabel: { fontSize: 11 } },
    yAxis: {
      type: 'category', inverse: true, axisLabel: { fontSize: 12 },
      // Names come from data: ECharts writes them as SVG text, escaped here once more for certainty.
      data: bars.map((b) => escapeXml(b.label)),
    },
    series: [{
      type: 'bar', barMaxWidth: 18,
      data: bars.map((b) => ({ value: b.value, itemStyle: { color: b.vetoed ? '#c0392b' : '#2e6da4' } })),
      label: { show: true, position: 'right', fontSize: 11 },
    }],
    title: opts.title ? { text: escapeXml(opts.title), left: 'center', textStyle: { fontSize: 13 } } : undefined,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
