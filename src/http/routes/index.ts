import type { RouteSpec } from '../route.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { entryFileRoutes } from './entry-files.js';
import { entryRoutes } from './entry.js';
import { homeRoutes } from './home.js';
import { inboxRoutes } from './inbox.js';
import { publicationRoutes } from './publication.js';
import { reportRoutes } from './report.js';
import { ruleRoutes } from './rules.js';
import { runRoutes } from './runs.js';
import { unitRoutes } from './units.js';

/** Every route of the application, in one table: the app mounts it and the access test walks it. */
export const ROUTES: RouteSpec[] = [...authRoutes, ...runRoutes, ...publicationRoutes, ...unitRoutes, ...ruleRoutes, ...entryRoutes, ...entryFileRoutes, ...reportRoutes, ...homeRoutes, ...inboxRoutes, ...auditRoutes];
