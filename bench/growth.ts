import { median } from './measure.js';

/**
 * Whether a cost grows linearly with the units: each size's time per unit against the size
 * before's. The sizes are measured in rounds, one size after another within a round (seconds
 * apart), so that each step compares two figures taken on the machine as it was at that moment.
 * On these VMs the host's speed moves by up to 30 % within minutes; two figures taken minutes
 * apart measure that as much as the engine.
 */

/** No step may cost more than this many times the size before, a unit. */
export const GROWTH_LIMIT = 1.5;

/** One size measured once: its time (the median pass) and the pages a pass touched afresh. */
export interface GrowthSample { size: number; ms: number; pageFaultsPerPass?: number }

export interface GrowthStep {
  size: number;
  /** The median over the rounds of the time per unit. */
  usPerUnit: number;
  /** The median over the rounds of the median pass. */
  ms: number;
  pageFaultsPerPass?: number;
  /** Each round's time per unit, in the order measured. */
  usPerUnitByRound: number[];
  /** The median over the rounds of this size's time per unit over the size before's in the same round; null for the first size. */
  ratioToSizeBefore: number | null;
  linear: boolean;
}

/**
 * Each size's step from the rounds: every round holds every size once (in any order; a round
 * may go up or down the sizes, so that a drift of the machine within rounds falls on both sides).
 */
export function growthSteps(rounds: GrowthSample[][]): GrowthStep[] {
  if (rounds.length === 0) throw new Error('growth: no round measured');
  const sizes = [...new Set(rounds[0].map((s) => s.size))].sort((a, b) => a - b);
  const perUnit = rounds.map((round, r) => {
    const bySize = new Map(round.map((s) => [s.size, s]));
    if (round.length !== sizes.length || sizes.some((size) => !bySize.has(size))) {
      throw new Error(`growth: round ${r + 1} measured ${round.map((s) => s.size).join(', ')}, not ${sizes.join(', ')}`);
    }
    return sizes.map((size) => bySize.get(size)!);
  });
  return sizes.map((size, i) => {
    const samples = perUnit.map((round) => round[i]);
    const us = samples.map((s) => (s.ms * 1000) / s.size);
    const ratio = i === 0 ? null : median(perUnit.map((round) => (round[i].ms / round[i].size) / (round[i - 1].ms / round[i - 1].size)));
    const faults = samples.map((s) => s.pageFaultsPerPass).filter((f): f is number => f !== undefined);
    return {
      size, usPerUnit: median(us), ms: median(samples.map((s) => s.ms)),
      ...(faults.length ? { pageFaultsPerPass: median(faults) } : {}),
      usPerUnitByRound: us, ratioToSizeBefore: ratio, linear: ratio === null || ratio <= GROWTH_LIMIT,
    };
  });
}

/** The order of the sizes in round `r`: up the sizes in even rounds, down in odd ones. */
export function roundOrder(sizes: number[], r: number): number[] {
  const up = [...sizes].sort((a, b) => a - b);
  return r % 2 === 0 ? up : up.reverse();
}
