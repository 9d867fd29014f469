/**
 * The one way a URL is made from data (unit ids, periods, run ids, rule set ids), for
 * links in pages, redirects and the menu: each path segment percent-encoded on its own
 * (a unit id `a/b`, `x?y=1`, `50%` or `v01#2` stays one segment and lands on exactly that
 * unit), query values by URLSearchParams, the fragment encoded too. Nothing here decides
 * where a link goes; it only spells it. What it makes holds no `<`, `>`, `"`, `'` or
 * backtick (each percent-encoded), so it can stand in an HTML attribute once `&` is `&amp;`.
 */

/** encodeURIComponent, and the apostrophe too (encodeURIComponent leaves it). */
const encode = (s: string) => encodeURIComponent(s).replace(/'/g, '%27');

export type Segment = string | number;
export type Query = Record<string, string | number | boolean | null | undefined>;

/** `urlOf(['units', 'a/b'], { run: 3 })` → `/units/a%2Fb?run=3`; null and undefined query values are left out. */
export function urlOf(segments: readonly Segment[], query: Query = {}, fragment?: string): string {
  let url = '/' + segments.map((s) => encode(String(s))).join('/');
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== null && value !== undefined) params.append(name, String(value));
  const search = params.toString();
  if (search) url += `?${search}`;
  if (fragment !== undefined) url += `#${encode(fragment)}`;
  return url;
}
