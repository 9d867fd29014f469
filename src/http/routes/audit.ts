import type { Request } from 'express';
import { toCsv } from '../../io/csv-write.js';
import { writeXlsx } from '../../io/xlsx.js';
import { auditTrailPage, auditTrailRows, readAuditQuery, type AuditQuery } from '../../services/audit-trail.js';
import { today } from '../../services/review-period.js';
import { sendDownload } from '../download.js';
import { notFound, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/** The audit trail (审计记录): the administrator's, and the leaders read it. */

/** The filter as a link keeps it (empty values left out), on another page or as an export. */
function filterQuery(q: AuditQuery): Record<string, string | undefined> {
  return { person: q.person || undefined, action: q.action || undefined, unit: q.unit || undefined, from: q.from || undefined, to: q.to || undefined };
}

function format(req: Request): 'csv' | 'xlsx' {
  const f = req.params.format;
  if (f !== 'csv' && f !== 'xlsx') throw notFound('文件');
  return f;
}

export const auditRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/audit', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const read = await readAuditQuery(ctx.db, req.query);
      const trail = await auditTrailPage(ctx.db, read);
      const keep = filterQuery(read.query);
      ctx.render('audit', {
        title: '审计记录', ...trail, query: read.query, problems: read.problems,
        filtered: trail.summary !== '',
        previous: trail.page > 1 ? urlOf(['audit'], { ...keep, page: trail.page - 1 }) : null,
        next: trail.page < trail.pages ? urlOf(['audit'], { ...keep, page: trail.page + 1 }) : null,
        xlsx: urlOf(['audit', 'export.xlsx'], keep), csv: urlOf(['audit', 'export.csv'], keep),
      });
    },
  },
  {
    method: 'get', path: '/audit/export.:format', access: ['admin', 'leader'],
    handle: async (req, res, ctx) => {
      const kind = format(req);
      const read = await readAuditQuery(ctx.db, req.query);
      const { title, rows } = await auditTrailRows(ctx.db, read);
      const name = `审计记录-${today()}.${kind}`;
      if (kind === 'csv') return sendDownload(res, name, 'csv', Buffer.from(toCsv(rows), 'utf8'));
      sendDownload(res, name, 'xlsx', await writeXlsx([{ name: '审计记录', title, rows, widths: [20, 14, 14, 60] }]));
    },
  },
];
