import { median } from './measure.js';

/**
 * Whether a cost grows linearly with the units: each size's time per unit against the size
 * before's. Each step is measured in rounds, its two sizes one after the other (seconds apart),
 * so that it compares two figures taken on the machine as it was at that moment.
 * On these VMs the host's speed moves by up to 30 % within minutes; two figures taken minutes
 * apart measure that as much as the engine.
 */

/** No step may cost more than this many times the size before, a unit. */
export const GROWTH_LIMIT = 1.5;

/** One size measured once: its time (the median pass) and the pages a pass touched afresh. */
export interface GrowthSample { size: number; ms: number; pageFaultsPerPass?: number }

export interface GrowthStep {
  size: number;
  /** The median of this size's time per unit, over every round that measured it. */
  usPerUnit: number;
  /** The median of its median passes. */
  ms: number;
  pageFaultsPerPass?: number;
  /** Its time per unit in each round that measured it, in the order measured. */
  usPerUnitByRound: number[];
  /**
   * The median, over the rounds that measured this size and the size before, of this size's
   * time per unit over the size before's in the same round; null for the first size.
   */
  ratioToSizeBefore: number | null;
  linear: boolean;
}

/**
 * Each size's step from the rounds. A round measures some of the sizes once each, one after
 * another (a round of two sizes measures one step; a round may go up or down the sizes, so that
 * a drift of the machine within rounds falls on both sides). Each step needs at least one round
 * with both its sizes.
 */
export function growthSteps(rounds: GrowthSample[][]): GrowthStep[] {
  if (rounds.length === 0) throw new Error('growth: no round measured');
  const perUnit = (s: GrowthSample) => (s.ms * 1000) / s.size;
  const rows = rounds.map((round, r) => {
    const bySize = new Map(round.map((s) => [s.size, s]));
    if (bySize.size !== round.length) throw new Error(`growth: round ${r + 1} measured a size twice (${round.map((s) => s.size).join(', ')})`);
    return bySize;
  });
  const sizes = [...new Set(rounds.flat().map((s) => s.size))].sort((a, b) => a - b);
  return sizes.map((size, i) => {
    const samples = rows.flatMap((row) => (row.has(size) ? [row.get(size)!] : []));
    let ratio: number | null = null;
    if (i > 0) {
      const before = sizes[i - 1];
      const both = rows.filter((row) => row.has(before) && row.has(size));
      if (both.length === 0) throw new Error(`growth: no round measured both ${before} and ${size}`);
      ratio = median(both.map((row) => perUnit(row.get(size)!) / perUnit(row.get(before)!)));
    }
    const faults = samples.map((s) => s.pageFaultsPerPass).filter((f): f is number => f !== undefined);
    const us = samples.map(perUnit);
    return {
      size, usPerUnit: median(us), ms: median(samples.map((s) => s.ms)),
      ...(faults.length ? { pageFaultsPerPass: median(faults) } : {}),
      usPerUnitByRound: us, ratioToSizeBefore: ratio, linear: ratio === null || ratio <= GROWTH_LIMIT,
    };
  });
}

/**
 * The rounds that measure each step on its own, `count` rounds a step: its two sizes one after
 * the other, the smaller first in even rounds and the larger first in odd ones. A step is never
 * measured beside a larger size's child: a child of 100,000 units run just after one of
 * 1,000,000 took 2.5 µs a unit, against 1.9–2.0 after one of 10,000 (bench/README.md).
 */
export function stepRounds(sizes: number[], count: number): number[][] {
  const up = [...new Set(sizes)].sort((a, b) => a - b);
  const rounds: number[][] = [];
  for (let i = 1; i < up.length; i++) {
    for (let r = 0; r < count; r++) rounds.push(r % 2 === 0 ? [up[i - 1], up[i]] : [up[i], up[i - 1]]);
  }
  return rounds;
}
