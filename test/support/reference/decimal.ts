/**
 * RULES.md §4 and §7.4, written out by hand: a float is read as the shortest decimal that names it
 * (what `String(x)` prints), and rounding is done on that decimal's digits, half away from zero.
 * Every comparison, ceil, floor and round first rounds to 9 decimals (`nine`).
 */

/** The plain decimal digits of |x| (no exponent): integer part and fraction part. */
function digitsOf(x: number): { int: string; frac: string } {
  const text = Math.abs(x).toString();
  const [mantissa, exp] = text.split('e');
  const [intPart, fracPart = ''] = mantissa.split('.');
  const shift = exp === undefined ? 0 : Number(exp);
  const all = intPart + fracPart;
  const point = intPart.length + shift;
  if (point <= 0) return { int: '0', frac: '0'.repeat(-point) + all };
  if (point >= all.length) return { int: all + '0'.repeat(point - all.length), frac: '' };
  return { int: all.slice(0, point), frac: all.slice(point) };
}

/** Add one to a string of decimal digits. */
function increment(digits: string): string {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0) {
    if (out[i] === '9') { out[i] = '0'; i--; continue; }
    out[i] = String(Number(out[i]) + 1);
    return out.join('');
  }
  return '1' + out.join('');
}

/** x rounded half away from zero at `places` decimals, on x's shortest decimal. */
export function roundDecimal(x: number, places: number): number {
  if (!Number.isFinite(x) || x === 0) return x === 0 ? 0 : x;
  const { int, frac } = digitsOf(x);
  const padded = frac.padEnd(places + 1, '0');
  let kept = int + padded.slice(0, places);
  if (padded.charCodeAt(places) >= '5'.charCodeAt(0)) kept = increment(kept);
  const intLength = kept.length - places;
  const text = places === 0 ? kept : `${kept.slice(0, intLength) || '0'}.${kept.slice(intLength)}`;
  const value = Number(text);
  return value === 0 ? 0 : x < 0 ? -value : value;
}

/** §4: the value every comparison, ceil, floor and rounding sees. */
export function nine(x: number): number {
  return roundDecimal(x, 9);
}

/** Round half away from zero at `places` decimals, after the 9-decimal discipline. */
export function roundAt(x: number, places: number): number {
  return roundDecimal(nine(x), places);
}

export function compare(a: number, b: number): number {
  const x = nine(a);
  const y = nine(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function clamp(x: number, low: number, high: number): number {
  if (compare(x, low) < 0) return low;
  if (compare(x, high) > 0) return high;
  return x;
}
