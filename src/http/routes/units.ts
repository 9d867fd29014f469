import type { Request } from 'express';
import { exportRun } from '../../services/export.js';
import { scorecardOf } from '../../services/scorecards.js';
import { STATUS } from '../../services/runs.js';
import { notFound, type RouteSpec } from '../route.js';

/** A village's own scorecard (and a staff member's page): what each clause scored and why. */

function runParam(req: Request): number | undefined {
  const n = Number(req.query.run);
  return typeof req.query.run === 'string' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function scorecardRoute(path: string, ownUnit: string, track: 'village' | 'staff'): RouteSpec {
  return {
    method: 'get', path, access: ['admin', 'leader', track], ownUnit,
    handle: async (req, _res, ctx) => {
      const withDrafts = ctx.user!.role === 'admin' || ctx.user!.role === 'leader';
      const card = await scorecardOf(ctx.db, req.params[ownUnit] as string, { runId: runParam(req), withDrafts, track });
      if (!card) throw notFound('记分卡');
      ctx.render('scorecard', {
        title: `${card.unit.name} 记分卡`, ...card, statusName: STATUS[card.run.status], precision: card.ruleset.precision,
        isStaff: track === 'staff', exportBase: `${path.replace(`:${ownUnit}`, encodeURIComponent(card.unit.id))}/export`,
        runOptions: card.runs.map((r) => ({ id: r.id, label: `${r.period_id}（第${r.id}号，${STATUS[r.status]}）`, selected: r.id === card.run.id })),
      });
    },
  };
}

function exportRoute(path: string, ownUnit: string, track: 'village' | 'staff'): RouteSpec {
  return {
    method: 'get', path: `${path}/export.:format`, access: ['admin', 'leader', track], ownUnit,
    handle: async (req, res, ctx) => {
      const format = req.params.format;
      if (format !== 'xlsx' && format !== 'csv') throw notFound();
      const withDrafts = ctx.user!.role === 'admin' || ctx.user!.role === 'leader';
      const card = await scorecardOf(ctx.db, req.params[ownUnit] as string, { runId: runParam(req), withDrafts, track });
      if (!card) throw notFound('记分卡');
      const { bytes } = await exportRun(ctx.db, card.run.id, format, 'scorecards', { unitId: card.unit.id });
      res.attachment(`记分卡-${card.unit.id}-${card.run.period_id}.${format}`)
        .type(format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv; charset=utf-8').send(bytes);
    },
  };
}

export const unitRoutes: RouteSpec[] = [
  scorecardRoute('/units/:unitId', 'unitId', 'village'),
  exportRoute('/units/:unitId', 'unitId', 'village'),
  scorecardRoute('/staff/:staffId', 'staffId', 'staff'),
  exportRoute('/staff/:staffId', 'staffId', 'staff'),
];
