/**
 * RULES.md §4 for the peers, written once and shared by all three (hand-written,
 * json-logic-js, json-rules-engine): round to 9 decimals before comparing, clamp, round
 * half-up at `precision`. An independent copy of the arithmetic, not the engine's module,
 * so that a peer never borrows the engine's code.
 */

export function round9(x: number): number {
  const r = Math.round(Math.abs(x) * 1e9) / 1e9;
  return x < 0 ? (r === 0 ? 0 : -r) : r;
}

const POW10 = [1, 10, 100, 1000, 10000];

/** Half away from zero on the decimal digits, after the 9-decimal discipline (|x| < 9e6 here). */
export function roundHalfUp(x: number, digits: number): number {
  const n9 = Math.round(Math.abs(x) * 1e9);
  const q = 1e9 / POW10[digits];
  const r = Math.floor((n9 + q / 2) / q) / POW10[digits];
  return r === 0 ? 0 : x < 0 ? -r : r;
}

export function clamp(x: number, lo: number, hi: number): number {
  const r = round9(x);
  return r < lo ? lo : r > hi ? hi : x;
}

/** `ceil`/`floor` of §2's steps, after the 9-decimal discipline. */
export function steps(s: number, kind: 'started' | 'whole' | 'proportional'): number {
  const r = round9(s);
  return kind === 'started' ? Math.ceil(r) : kind === 'whole' ? Math.floor(r) : r;
}

/**
 * The one wrapper every peer applies to a criterion's raw score (the method's amount in
 * award mode, points minus the amounts in deduct mode): clamp to [0, points] and round
 * half-up to the precision (§1, §4); to [floor, points] for an item that may go below zero (§7.4).
 */
export function finish(raw: number, points: number, precision: number, floor = 0): number {
  return roundHalfUp(clamp(raw, floor, points), precision);
}
