import type { Request } from 'express';
import { exportRun } from '../../services/export.js';
import { resultNotice } from '../../services/notice.js';
import { eventsInInputs } from '../../services/events-ledger.js';
import { scorecardOf, type Scorecard } from '../../services/scorecards.js';
import { sendDownload } from '../download.js';
import { notFound, type RouteSpec } from '../route.js';
import type { Fragment, Views } from '../views.js';
import { periodTitle } from '../../services/period.js';
import { reviewBanner, stateInWords } from '../../services/publication.js';
import { urlOf } from '../url.js';
import { assessmentTitles } from '../../services/assessments.js';

/** A village's own scorecard (and a staff member's page): what each clause scored and why. */

function runParam(req: Request): number | undefined {
  const n = Number(req.query.run);
  return typeof req.query.run === 'string' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * What a unit scored in one run and why (figures, clauses, reasons), drawn once. It follows
 * from the run's results alone, which never change, and holds nothing of the reader, the
 * run's status or the other runs; kept by the result the scorecard service keeps, it goes
 * when that does.
 */
const runCards = new WeakMap<object, Fragment>();

function runCard(views: Views, card: Scorecard): Fragment {
  let drawn = runCards.get(card.result);
  if (drawn === undefined) {
    drawn = views.fragment('scorecard/card', {
      result: card.result, ruleset: card.ruleset, precision: card.ruleset.precision, scopeSize: card.scopeSize,
      // Staff are counted as people: 共 26 人, not 共 26 个单位.
      scopeNoun: card.ruleset.subject === 'staff' ? '人' : '个单位',
      above: card.above, tiedWith: card.tiedWith, outline: card.outline, vetoes: card.vetoes, adjustments: card.adjustments,
      // The bonus and penalty items unfold on a phone where they gave something.
      adjusted: card.result.bonus !== 0 || card.result.penalty !== 0,
      // The events the run counted against the unit (事件台账), each with its date and note.
      events: eventsInInputs(card.ruleset, card.result.inputs),
    });
    runCards.set(card.result, drawn);
  }
  return drawn;
}

/** The 公示 banner of a scorecard, with the way to the unit's appeals (its own account only) and to the ranking it may see. */
function reviewOf(card: Scorecard, base: string, ownAccount: boolean) {
  const banner = reviewBanner(card.run);
  if (!banner) return null;
  return {
    ...banner, rankingHref: urlOf([base, card.unit.id, 'ranking'], { run: card.run.id }),
    appealsHref: banner.appeals && ownAccount ? urlOf([base, card.unit.id, 'appeals'], { run: card.run.id }) : null,
  };
}

function scorecardRoute(path: string, ownUnit: string, track: 'village' | 'staff'): RouteSpec {
  return {
    method: 'get', path, access: ['admin', 'leader', track], ownUnit,
    handle: async (req, _res, ctx) => {
      const withDrafts = ctx.user!.role === 'admin' || ctx.user!.role === 'leader';
      const card = await scorecardOf(ctx.db, req.params[ownUnit] as string, { runId: runParam(req), withDrafts, track });
      if (!card) throw notFound('记分卡');
      const titles = await assessmentTitles(ctx.db);
      ctx.render('scorecard', {
        title: `${card.unit.name} 记分卡`, ...card, statusName: stateInWords(card.run).title, precision: card.ruleset.precision,
        periodTitle: periodTitle(card.run.period_id), trend: card.trend.map((t) => ({ ...t, period: periodTitle(t.period) })),
        runCard: runCard(ctx.views, card),
        // Printed, the scorecard is the unit's 考核结果告知单.
        notice: await resultNotice(ctx.db, card),
        isStaff: track === 'staff', unitBase: path.split('/')[1],
        review: reviewOf(card, path.split('/')[1], ctx.user!.role === track),
        assessmentTitle: titles.get(card.run.track) ?? '',
        otherAssessments: card.others.map((o) => ({ title: titles.get(o.track) ?? '', runId: o.runId })),
        runOptions: card.runs.map((r) => ({ id: r.id, label: `${periodTitle(r.period_id)}（第${r.id}号，${stateInWords(r).title}）`, selected: r.id === card.run.id })),
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
      const { bytes, fileName } = await exportRun(ctx.db, card.run.id, format, 'scorecards', { unitId: card.unit.id });
      sendDownload(res, fileName, format, bytes);
    },
  };
}

export const unitRoutes: RouteSpec[] = [
  scorecardRoute('/units/:unitId', 'unitId', 'village'),
  exportRoute('/units/:unitId', 'unitId', 'village'),
  scorecardRoute('/staff/:staffId', 'staffId', 'staff'),
  exportRoute('/staff/:staffId', 'staffId', 'staff'),
];
