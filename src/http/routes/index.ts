import type { RouteSpec } from '../route.js';
import { accountRoutes } from './accounts.js';
import { appealAnswerRoutes } from './appeal-answers.js';
import { appealRoutes } from './appeals.js';
import { assessmentRoutes } from './assessments.js';
import { auditRoutes } from './audit.js';
import { collectionRoutes } from './collection.js';
import { reportingRoutes } from './reporting.js';
import { statisticsSheetRoutes } from './statistics-sheet.js';
import { authRoutes } from './auth.js';
import { correctionRoutes } from './corrections.js';
import { backupRoutes } from './backup.js';
import { entryFileRoutes } from './entry-files.js';
import { entryRoutes } from './entry.js';
import { eventRoutes } from './events.js';
import { homeRoutes } from './home.js';
import { inboxRoutes } from './inbox.js';
import { publicationRoutes } from './publication.js';
import { reportRoutes } from './report.js';
import { ruleRoutes } from './rules.js';
import { runRoutes } from './runs.js';
import { unitRecordRoutes } from './unit-records.js';
import { unitRoutes } from './units.js';

/** Every route of the application, in one table: the app mounts it and the access test walks it. */
export const ROUTES: RouteSpec[] = [...authRoutes, ...runRoutes, ...publicationRoutes, ...correctionRoutes, ...unitRoutes, ...ruleRoutes, ...entryRoutes, ...entryFileRoutes, ...eventRoutes, ...reportRoutes,
  ...appealRoutes, ...appealAnswerRoutes, ...accountRoutes, ...unitRecordRoutes, ...assessmentRoutes, ...backupRoutes, ...homeRoutes, ...inboxRoutes, ...auditRoutes,
  ...collectionRoutes, ...reportingRoutes, ...statisticsSheetRoutes];
