import { expect } from 'chai';
import { totalsChartSvg, trendChartSvg } from '../../src/report/chart.js';

describe('the chart of totals', () => {
  const bars = [{ label: '枫林村', value: 870, vetoed: false }, { label: '石桥村', value: 812.25, vetoed: true }];

  it('writes a unit named like markup as text in the ranking chart, never as markup', () => {
    const svg = totalsChartSvg([{ label: '<script>x</script>"><b>', value: 1, vetoed: false }, { label: '乙村', value: 2, vetoed: true }], { max: 10, decimals: 1 });
    expect(svg).not.to.match(/<script|"><b>/);
    expect(svg).to.contain('&lt;script&gt;');
  });

  it('labels each bar at the rule set’s precision: 870.0, not 870', () => {
    const svg = totalsChartSvg(bars, { max: 1000, decimals: 1 });
    expect(svg).to.contain('>870.0<').and.to.contain('>812.3<').and.not.to.contain('>870<');
  });

  it('labels whole numbers at a precision of 0', () => {
    expect(totalsChartSvg(bars, { decimals: 0 })).to.contain('>870<').and.to.contain('>812<');
  });

  it('draws a vetoed unit red', () => {
    expect(totalsChartSvg(bars, {})).to.match(/fill="#c0392b"/i);
  });
});

/** A unit's trend drawn on the server: SVG a page with no script and no inline style can show. */

describe('the trend chart of a unit’s total and rank', () => {
  const svg = trendChartSvg([
    { label: '2023年度', total: 870, rank: 3 },
    { label: '2024年度', total: 912.25, rank: 12 },
  ], { precision: 1 });
  const texts = [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

  it('labels each total at the rule set’s precision and each rank as a place', () => {
    expect(texts).to.include.members(['870.0', '912.3', '第3名', '第12名', '2023年度', '2024年度', '总分', '排名']);
  });

  it('holds no script, no style element and no style attribute (the page’s CSP refuses them)', () => {
    expect(svg).to.match(/^<svg/);
    expect(svg).not.to.match(/<script|<style|\sstyle=/i);
  });

  it('writes a period’s name as text, never as markup', () => {
    const hostile = trendChartSvg([{ label: '<script>x</script>', total: 1, rank: 1 }, { label: '"><b>', total: 2, rank: 1 }], { precision: 2 });
    expect(hostile).not.to.contain('<script>').and.not.to.contain('"><b>');
    expect(hostile).to.contain('&lt;script&gt;');
  });
});
