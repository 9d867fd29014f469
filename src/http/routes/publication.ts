import type { Request } from 'express';
import { rankingView } from '../../services/rankings.js';
import { dateInWords, defaultReviewUntil, isDate, latestReviewUntil, today } from '../../services/review-period.js';
import { discard, finalize, publish, stateInWords } from '../../services/publication.js';
import { RunRefused } from '../../services/runs.js';
import { unitRanking } from '../../services/unit-ranking.js';
import { periodTitle } from '../../services/period.js';
import { appraisalSubject } from '../../services/notice.js';
import { assessmentTitle, countOfKind } from '../../services/assessments.js';
import { notFound, type Context, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import { existingRun } from './runs.js';

/**
 * A run's steps after scoring (issue 19, point 1): the page that confirms what becomes public
 * and sets the 公示 deadline, 发布, 定稿 and 作废; and the published ranking a village or a
 * staff member may see. What a step allows is the publication service's to say.
 */

const MANAGERS: RouteSpec['access'] = ['admin', 'leader'];

/** The confirmation page: what becomes public (sanctions with their reason, vetoes with the clause, joint liability), and the deadline. */
async function confirmPage(ctx: Context, req: Request, until: string, error?: string): Promise<void> {
  const run = await existingRun(req, ctx.db);
  const view = await rankingView(ctx.db, run, null);
  const names = new Map(view.units.map((u) => [u.id, u.name ?? '']));
  ctx.render('publish', {
    title: `发布第${run.id}号考核`, run, heading: `${view.periodTitle}${appraisalSubject(view.ruleset.title)}结果`,
    trackName: (await assessmentTitle(ctx.db, run.track)) ?? run.track, unitCount: countOfKind(view.ruleset.subject, view.units.length), isStaff: view.ruleset.subject === 'staff',
    sanctioned: view.units.filter((u) => u.sanctions.length > 0).map((u) => ({ name: names.get(u.id), sanctions: u.sanctions })),
    vetoed: view.units.filter((u) => u.vetoes.length > 0).map((u) => ({ name: names.get(u.id), vetoes: u.vetoes })),
    liable: view.parents.filter((p) => p.sanctions.length > 0),
    until, untilWords: isDate(until) && until !== defaultReviewUntil() ? dateInWords(until) : '', defaultWords: dateInWords(defaultReviewUntil()), minDate: today(), maxDate: latestReviewUntil(),
    isDraft: run.status === 'draft', state: stateInWords(run), error,
  }, error ? 422 : 200);
}

/** ?run=N as a run id, when it is one. */
function runParam(req: Request): number | undefined {
  const n = Number(req.query.run);
  return typeof req.query.run === 'string' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function seenRankingRoute(path: string, ownUnit: string, track: 'village' | 'staff'): RouteSpec {
  return {
    method: 'get', path, access: ['admin', 'leader', track], ownUnit,
    handle: async (req, _res, ctx) => {
      const unitId = req.params[ownUnit] as string;
      const seen = await unitRanking(ctx.db, unitId, track, runParam(req));
      if (!seen) throw notFound('排名');
      const base = path.split('/')[1];
      ctx.render('unit-ranking', {
        title: seen.heading, ...seen, unitBase: base, unitId, scorecardHref: urlOf([base, unitId], { run: seen.run.id }),
        noun: track === 'staff' ? '人' : '个单位', count: seen.rows.length,
        manyRuns: seen.runs.length > 1,
        runOptions: seen.runs.map((r) => ({ id: r.id, label: `${periodTitle(r.period_id)}（${stateInWords(r).title}）`, selected: r.id === seen.run.id })),
      });
    },
  };
}

export const publicationRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/runs/:id/publish', access: MANAGERS,
    handle: async (req, _res, ctx) => confirmPage(ctx, req, defaultReviewUntil()),
  },
  {
    method: 'post', path: '/runs/:id/publish', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const run = await existingRun(req, ctx.db);
      const until = String(req.body.until ?? '').trim().slice(0, 40) || defaultReviewUntil();
      try {
        const { run: published, superseded } = await publish(ctx.db, run.id, ctx.user!.username, until);
        const started = `公示开始，截止${dateInWords(published.review_until!)}（北京时间）`;
        req.session.flash = superseded ? `第${run.id}号考核已发布，取代了第${superseded.id}号；${started}` : `第${run.id}号考核已发布；${started}`;
      } catch (e) {
        if (!(e instanceof RunRefused)) throw e;
        if (e.code === 'REVIEW_UNTIL_INVALID') return confirmPage(ctx, req, until, e.message);
        req.session.flash = e.message;
      }
      res.redirect(303, urlOf(['runs', run.id]));
    },
  },
  {
    method: 'post', path: '/runs/:id/finalize', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const run = await existingRun(req, ctx.db);
      try {
        await finalize(ctx.db, run.id, ctx.user!.username);
        req.session.flash = `第${run.id}号考核已定稿，结果不再改变`;
      } catch (e) {
        if (!(e instanceof RunRefused)) throw e;
        req.session.flash = e.message;
      }
      res.redirect(303, urlOf(['runs', run.id]));
    },
  },
  {
    method: 'post', path: '/runs/:id/discard', access: MANAGERS,
    handle: async (req, res, ctx) => {
      const run = await existingRun(req, ctx.db);
      try {
        await discard(ctx.db, run.id, ctx.user!.username);
        req.session.flash = `第${run.id}号考核（草稿）已作废`;
        return res.redirect(303, '/runs');
      } catch (e) {
        if (!(e instanceof RunRefused)) throw e;
        req.session.flash = e.message;
      }
      res.redirect(303, urlOf(['runs', run.id]));
    },
  },
  seenRankingRoute('/units/:unitId/ranking', 'unitId', 'village'),
  seenRankingRoute('/staff/:staffId/ranking', 'staffId', 'staff'),
];
