import { appraise } from '../../src/engine/index.js';
import { gc, peakRss, timed } from '../measure.js';
import { syntheticUnits } from '../synthetic-rules.js';
import { benchRuleSet, tableOf } from './engine.js';

/**
 * Memory of one appraisal (read + score + rank) of the 40-criterion rule set at one size, in
 * a process of its own so that the peak belongs to this size alone: peak RSS of the whole
 * process, the RSS and heap in use just before scoring (the data), and after (data + results).
 */
export async function scaleTask(args: { size: number }) {
  const rs = benchRuleSet();
  const table = tableOf(syntheticUnits(args.size));
  gc();
  const before = process.memoryUsage();
  const peakBefore = peakRss();
  const { ms, value } = await timed(() => appraise(rs, table));
  const after = process.memoryUsage();
  const peak = peakRss();
  const retained = value.units.length;
  return {
    size: args.size, ms, units: retained,
    rssBeforeBytes: before.rss, heapBeforeBytes: before.heapUsed,
    heapAfterBytes: after.heapUsed, peakRssBytes: peak, peakRssBeforeBytes: peakBefore,
    scoringPeakGrowthBytes: Math.max(0, peak - Math.max(before.rss, 0)),
  };
}
