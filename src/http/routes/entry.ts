import type { RouteSpec } from '../route.js';

/** Data entry: a form per unit and period, and uploads of CSV/XLSX with their error report. */
export const entryRoutes: RouteSpec[] = [];
