/**
 * Decimal discipline of RULES.md §4 on binary floats: every value is rounded to
 * 9 decimals before it is compared, ceiled, floored or rounded, so that float noise
 * (0.1 + 0.2) never decides a score, and scores are rounded half-up on the decimal
 * digits, as exact decimal arithmetic would (2.675 → 2.68).
 */

const SCALE9 = 1e9;
/** Below this magnitude x·1e9 is an exact integer in a double. */
const FAST_LIMIT = 9e6;

/** x rounded to 9 decimals (the comparison discipline of §4). */
export function round9(x: number): number {
  if (Math.abs(x) < FAST_LIMIT) {
    if (x === Math.floor(x)) return x + 0; // a whole number is its own rounding (+ 0: never −0)
    const r = Math.round(Math.abs(x) * SCALE9) / SCALE9;
    return x < 0 ? (r === 0 ? 0 : -r) : r;
  }
  return Number(x.toFixed(9));
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1e6, 1e7, 1e8, 1e9];

/**
 * x rounded half away from zero to `digits` decimals (0..9), after the 9-decimal
 * discipline, exactly on the decimal digits: roundHalfUp(2.675, 2) === 2.68.
 */
export function roundHalfUp(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x; // NaN is the undefined of §3, and stays so
  const a = Math.abs(x);
  let r: number;
  if (a < FAST_LIMIT && digits >= 0 && digits <= 9) {
    const n9 = Math.round(a * SCALE9); // exact integer count of 1e-9
    const q = POW10[9 - digits];
    r = Math.floor((n9 + q / 2) / q) / POW10[digits];
  } else if (a < 2 ** 53) {
    r = roundDecimalString(a.toFixed(9), digits);
  } else {
    // Every double from 2^53 up is an integer, and at 1e21 toFixed writes an exponent that no digit rounding can read.
    r = a;
  }
  if (r === 0) return 0; // never -0
  return x < 0 ? -r : r;
}

/** Half-up rounding on the digits of a non-negative fixed-point decimal string. */
function roundDecimalString(s: string, digits: number): number {
  const [intPart, frac = ''] = s.split('.');
  if (digits >= frac.length) return Number(s);
  const kept = intPart + frac.slice(0, digits);
  const roundUp = frac.charCodeAt(digits) >= 53; // '5'
  let n = BigInt(kept);
  if (roundUp) n += 1n;
  const str = n.toString().padStart(digits + 1, '0');
  return Number(digits === 0 ? str : `${str.slice(0, str.length - digits)}.${str.slice(str.length - digits)}`);
}

/**
 * The expression language's round(x, d): half up to d decimals (at most 9); a negative d
 * rounds to tens, hundreds … as spreadsheets do: round(125, -1) = 130. NaN stays NaN.
 */
export function roundTo(v: number, digits: number): number {
  if (v !== v || digits !== digits) return NaN;
  const d = Math.trunc(digits);
  if (d >= 0) return roundHalfUp(v, Math.min(9, d));
  const scale = 10 ** Math.min(-d, 300);
  return roundHalfUp(v / scale, 0) * scale;
}

/**
 * Numbers equal under the 9-decimal discipline: round9(a) === round9(b), rounding them only when they are
 * near. Values further apart than a millionth (and than a billionth of their size, where a double's steps
 * are wider) never round to the same 9 decimals: rounding moves a value by at most half a nanounit and
 * a step of the double.
 */
export function same(a: number, b: number): boolean {
  if (a === b) return true;
  return !apart(a, b) && round9(a) === round9(b);
}

/** Whether a and b are too far apart to round to the same 9 decimals (see same); false when either is NaN. */
function apart(a: number, b: number): boolean {
  const d = a > b ? a - b : b - a;
  return d > 1e-6 && d > Math.max(a < 0 ? -a : a, b < 0 ? -b : b) * 1e-9;
}

/**
 * round9(a) >= round9(b) (the comparisons of §4), rounding only when it could decide otherwise: a ≥ b holds at 9
 * decimals too (rounding keeps the order), and values apart (see same) compare as they are. NaN: false.
 */
export function atLeast9(a: number, b: number): boolean {
  return a >= b || (!apart(a, b) && round9(a) >= round9(b));
}

/** round9(a) > round9(b), rounding only when it could decide otherwise (see atLeast9). NaN: false. */
export function above9(a: number, b: number): boolean {
  return a > b && (apart(a, b) || round9(a) > round9(b));
}

export function clamp(x: number, lo: number, hi: number): number {
  const r = round9(x);
  if (r < lo) return lo;
  if (r > round9(hi)) return hi;
  return x;
}
