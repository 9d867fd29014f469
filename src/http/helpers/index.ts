import type { HelperDelegate } from 'handlebars';
import { localDate, localDateTime } from '../../local-time.js';
import { shortHash } from '../../report/short-hash.js';
import { url } from './url.js';

export { shortHash };

/**
 * Template helpers, one per concept, each with its usage. Views stay dumb: these only
 * format; nothing here decides anything.
 */
export const helpers: Record<string, HelperDelegate> = {
  /** {{#if (eq a b)}} — strict equality. */
  eq: (a: unknown, b: unknown) => a === b,
  /** {{fixed total 1}} — a number with a fixed count of decimals ('' for null). */
  fixed: (x: unknown, digits: unknown) => (typeof x === 'number' ? x.toFixed(typeof digits === 'number' ? digits : 1) : ''),
  /** {{join list "、"}} — a list joined for reading. */
  join: (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : '、') : ''),
  /** {{date iso}} — the day of an ISO timestamp in China Standard Time, as 2024-01-31. */
  date: (iso: unknown) => (typeof iso === 'string' ? localDate(iso) : ''),
  /** {{datetime iso}} — an ISO timestamp in China Standard Time, as 2024-01-31 09:30. */
  datetime: (iso: unknown) => (typeof iso === 'string' ? localDateTime(iso) : ''),
  /** {{shortHash sha}} — the first 8 characters of a hash: enough to tell two versions apart, and it fits a phone. */
  shortHash: (hash: unknown) => (typeof hash === 'string' ? shortHash(hash) : ''),
  /** {{indent depth}} — a CSS class for the depth of a clause in the tree. */
  indent: (depth: unknown) => `depth-${typeof depth === 'number' ? Math.min(depth, 4) : 0}`,
  /** {{url "units" id run=run.id}} — a link made from data, every segment and value encoded (helpers/url.ts). */
  url,
};
