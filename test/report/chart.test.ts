import { expect } from 'chai';
import { totalsChartSvg } from '../../src/report/chart.js';

describe('the chart of totals', () => {
  const bars = [{ label: '枫林村', value: 870, vetoed: false }, { label: '石桥村', value: 812.25, vetoed: true }];

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
