import Handlebars, { type HelperOptions } from 'handlebars';
import { urlOf, type Query, type Segment } from '../url.js';

/**
 * {{url "units" id "export.csv" run=run.id}} → /units/a%2Fb/export.csv?run=3 — a link made
 * from data: each positional argument one path segment, encoded; each hash pair a query
 * value (left out when null or undefined). Every href and action built from data goes
 * through here (src/http/url.ts, which redirects use too); no view concatenates an id.
 * urlOf leaves no character that could end an attribute (< > " ' ` are percent-encoded),
 * so the link is placed as it is, with only its & written &amp;.
 */
export function url(...args: unknown[]): Handlebars.SafeString {
  const options = args.pop() as HelperOptions;
  const segments = args.map((a) => (typeof a === 'number' ? a : String(a ?? ''))) as Segment[];
  // Handlebars builds the hash from its last pair to its first: turned back, the query reads as the view writes it.
  const query = Object.fromEntries(Object.entries(options.hash as Query).reverse());
  return new Handlebars.SafeString(urlOf(segments, query).replace(/&/g, '&amp;'));
}
