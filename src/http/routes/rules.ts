import type { RouteSpec } from '../route.js';

/** The rule sets (考核细则): versions, the printable document, diffs, the editor with its preview. */
export const ruleRoutes: RouteSpec[] = [];
