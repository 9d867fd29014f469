import type { Request } from 'express';
import { listPeriods } from '../../db/queries/periods.js';
import { listRuleVersions } from '../../db/queries/rule-versions.js';
import { getUnit, unitsNamed } from '../../db/queries/units.js';
import { DataInvalid } from '../../engine/index.js';
import { MOST_CHOICES } from '../../services/choices.js';
import { exportRun } from '../../services/export.js';
import { appraisalSubject, MAX_NOTICE_UNITS, noticeDocument, noticeOfView, NoticeTooLarge, type Notice } from '../../services/notice.js';
import { rankingView, type RankingView } from '../../services/rankings.js';
import { sourcesOfRun } from '../../services/sources.js';
import { chainMade, chainOptions, createRunWithSources } from '../../services/run-chain.js';
import {
  finderKey, finderOptions, findingSummary, findUnits, foundChartSvg, gradeChoices, isFiltered, RANKING_PAGE, SANCTION_FILTERS, sortChoices, type FinderOptions,
} from '../../services/ranking-finder.js';
import { createRun, listRuns, requireRun, RunRefused } from '../../services/runs.js';
import { changedAfterPublication, nextSteps, stateInWords } from '../../services/publication.js';
import { sendDownload } from '../download.js';
import { KeptFragments } from '../kept-fragments.js';
import { HttpError, notFound, type RouteSpec } from '../route.js';
import { urlOf } from '../url.js';
import type { Fragment, Views } from '../views.js';
import { allAssessments, assessmentOptions, countOfKind, getAssessment, isAssessment } from '../../services/assessments.js';
import { actorNames } from '../../services/actors.js';
import { newestPeriodsFirst, periodTitle } from '../../services/period.js';

/** Township leaders run, review and publish appraisals; the ranking page and its exports. */


export function runId(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || id <= 0) throw notFound('考核');
  return id;
}

export async function existingRun(req: Request, db: Parameters<typeof requireRun>[0]) {
  try {
    return await requireRun(db, runId(req));
  } catch (e) {
    if (e instanceof RunRefused) throw notFound('考核');
    throw e;
  }
}

/**
 * The unit a ranking is filtered to (?parent=), when it names one: a name the record has no
 * unit by is no page (each made-up name would build a view of nothing and push a real one
 * out of those kept).
 */
async function parentOf(req: Request, db: Parameters<typeof getUnit>[0]): Promise<string | null> {
  const parent = typeof req.query.parent === 'string' && req.query.parent ? req.query.parent : null;
  if (parent !== null && (parent.length > 200 || !(await getUnit(db, parent)))) throw notFound('单位');
  // A province's toolbar has no list of its 5,000 townships: one is named instead (?parentName=第42镇), and must be one unit's name.
  const named = parent === null && typeof req.query.parentName === 'string' ? req.query.parentName.trim() : '';
  if (named) {
    const units = [...named].length > 100 ? [] : await unitsNamed(db, named, 2);
    if (units.length !== 1) throw new HttpError(404, units.length ? `有多个单位名为“${named}”，请从其他页面进入` : `没有名为“${[...named].slice(0, 30).join('')}”的单位`, 'NOT_FOUND');
    return units[0].id;
  }
  return parent;
}

/** Parents' joint liabilities a ranking page lists; a province's are read township by township. */
const LIABILITIES_SHOWN = 100;


/**
 * The ranking table (rows, liabilities, chart) of a ranking view as it was sorted and
 * filtered, drawn once for each way of finding. A view's units, groups, parents and chart
 * never change (a run's results never do) and the table holds nothing of the reader, the
 * session or the run's status, so every reader who asks the same is sent the same table.
 * Kept by the view's units and the options, the most recently read within a budget of
 * entries and of bytes (a search can be any text, and a county's table is megabytes).
 */
const viewIds = new WeakMap<object, number>();
let lastViewId = 0;
export const rankingTables = new KeptFragments(128, 64 * 1024 * 1024);

function rankingTable(views: Views, view: RankingView, unitBase: 'units' | 'staff', options: FinderOptions): Fragment {
  let id = viewIds.get(view.units);
  if (id === undefined) viewIds.set(view.units, (id = ++lastViewId));
  const key = `${id}|${finderKey(options)}`;
  let table = rankingTables.get(key);
  if (table === undefined) {
    const found = findUnits(view, options);
    const at = (page: number) => urlOf(['runs', view.run.id], {
      ...(view.parentFilter ? { parent: view.parentFilter } : {}), ...(options.grade ? { grade: options.grade } : {}), ...(options.sanction ? { sanction: options.sanction } : {}),
      ...(options.q ? { q: options.q } : {}), ...(options.sort !== 'rank' ? { sort: options.sort } : {}), ...(options.dir !== 'asc' ? { dir: options.dir } : {}), page: String(page),
    });
    // Joint liability (连带责任): of the township filtered to, else of every parent, the first LIABILITIES_SHOWN.
    const liable = view.parents.filter((p) => p.sanctions.length > 0 && (view.parentFilter === null || p.id === view.parentFilter));
    table = views.fragment('ranking/table', {
      ...view, ...found, unitBase, precision: view.ruleset.precision, pageSize: RANKING_PAGE,
      liabilities: liable.slice(0, LIABILITIES_SHOWN), moreLiabilities: Math.max(0, liable.length - LIABILITIES_SHOWN),
      pager: found.pages > 1 && { prev: found.page > 1 ? at(found.page - 1) : null, next: found.page < found.pages ? at(found.page + 1) : null },
      chartSvg: foundChartSvg(view, options), filtered: isFiltered(options), findSummary: findingSummary(view, options), allCount: view.units.length,
      // What the header's links keep while they change the order.
      find: { parent: view.parentFilter, grade: options.grade, sanction: options.sanction, q: options.q },
    });
    rankingTables.set(key, table);
  }
  return table;
}

/** The 通报 the ranking page prints, drawn once per notice (services/notice.ts keeps a notice while its run and day stay the same). */
const noticeParts = new WeakMap<Notice, Fragment>();

function noticePart(views: Views, notice: Notice): Fragment {
  let part = noticeParts.get(notice);
  if (part === undefined) noticeParts.set(notice, (part = views.fragment('ranking/notice', { ...notice })));
  return part;
}

/** The form's value for an assessment scored with its sources (综合考核 with its 专项考核). */
const WITH_SOURCES = 'with-sources:';

export const runRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/runs', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const labels = new Map((await listRuleVersions(ctx.db)).map((v) => [v.sha256, v.version]));
      const assessments = new Map((await allAssessments(ctx.db)).map((a) => [a.id, a]));
      // ?assessment=… (the navigation's link to one assessment): its runs only, and it chosen in the form.
      const only = typeof req.query.assessment === 'string' ? assessments.get(req.query.assessment) : undefined;
      const rows = await listRuns(ctx.db, { track: only?.id });
      const actor = await actorNames(ctx.db, rows.flatMap((r) => [r.created_by, r.published_by]));
      const runs = rows.map((r) => ({
        ...r, state: stateInWords(r), trackName: assessments.get(r.track)?.title ?? r.track, periodName: periodTitle(r.period_id),
        createdBy: actor(r.created_by), publishedBy: actor(r.published_by), unitCount: countOfKind(assessments.get(r.track)?.unit_kind ?? 'village', r.unit_count),
      }));
      const tracks = await assessmentOptions(ctx.db, only?.id);
      // An assessment that reads others (综合考核, 双线考核) scored with them in one go: what of them is not yet published first.
      const periods = newestPeriodsFirst(await listPeriods(ctx.db));
      for (const c of await chainOptions(ctx.db, ctx.user!.username, periods[0]?.id ?? '')) {
        if (!only || only.id === c.id) tracks.push({ id: `${WITH_SOURCES}${c.id}`, name: `${c.title}（连同尚未公示的${c.sources.join('、')}一并记分）`, selected: false });
      }
      ctx.render('runs', {
        title: only ? `${only.title} · 考核与排名` : '考核与排名', heading: only?.title, runs: runs.map((r) => ({ ...r, ruleVersion: labels.get(r.rule_sha256) ?? '' })),
        periods, tracks,
      });
    },
  },
  {
    method: 'post', path: '/runs', access: ['admin', 'leader'],
    handle: async (req, res, ctx) => {
      const period = String(req.body.period ?? '');
      const track = String(req.body.track ?? 'village');
      const chained = track.startsWith(WITH_SOURCES) ? track.slice(WITH_SOURCES.length) : undefined;
      if (!(await isAssessment(ctx.db, chained ?? track))) throw new HttpError(400, '考核类别无效', 'BAD_TRACK');
      const corrects = req.body.corrects ? Number(req.body.corrects) : undefined;
      const note = req.body.note ? String(req.body.note).slice(0, 500) : undefined;
      try {
        if (chained !== undefined) {
          const made = await createRunWithSources(ctx.db, { periodId: period, track: chained, by: ctx.user!.username, note });
          const titles = new Map((await allAssessments(ctx.db)).map((a) => [a.id, a.title]));
          req.session.flash = chainMade(made, (t) => titles.get(t) ?? '');
          return res.redirect(303, urlOf(['runs', made[made.length - 1].id]));
        }
        const run = await createRun(ctx.db, { periodId: period, track, by: ctx.user!.username, corrects, note });
        req.session.flash = `已生成第${run.id}号考核（草稿），请核对后发布`;
        res.redirect(303, urlOf(['runs', run.id]));
      } catch (e) {
        if (e instanceof RunRefused || e instanceof DataInvalid) {
          req.session.flash = e instanceof DataInvalid ? `数据有误，未能记分：${e.problems.slice(0, 3).map((p) => `第${p.row}行“${p.column}”：${p.message}`).join('；')}` : e.message;
          return res.redirect(303, '/runs');
        }
        throw e;
      }
    },
  },
  {
    method: 'get', path: '/runs/:id', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const run = await existingRun(req, ctx.db);
      const parent = await parentOf(req, ctx.db);
      const view = await rankingView(ctx.db, run, parent);
      const options = finderOptions(req.query);
      const printedAt = new Date().toISOString();
      const steps = await nextSteps(ctx.db, run);
      ctx.render('ranking', {
        title: `${view.periodTitle} ${view.ruleset.title}`, ...view, heading: rankingHeading(view),
        sources: await sourcesOfRun(ctx.db, run), canCorrect: steps.some((s) => s.step === 'correct' && s.allowed),
        state: stateInWords(run), steps, changedAfter: await changedAfterPublication(ctx.db, run), trackName: (await getAssessment(ctx.db, run.track))?.title ?? run.track,
        rankingTable: rankingTable(ctx.views, view, view.ruleset.subject === 'staff' ? 'staff' : 'units', options),
        find: options, parentSelect: view.parents.length <= MOST_CHOICES, parentName: view.parentFilter ? view.parents.find((p) => p.id === view.parentFilter)?.name ?? '' : '',
        gradeChoices: gradeChoices(view, options), sortChoices: sortChoices(view, options),
        sanctionChoices: SANCTION_FILTERS.map((s) => ({ ...s, selected: s.id === options.sanction })),
        printedAt,
        // Printed, the ranking is the township's 通报 (the screen's table, chart and toolbar are not printed);
        // a ranking sorted, filtered or searched prints as found.
        // A province's ranking is no one 通报 (at most MAX_NOTICE_UNITS units): printed, it asks for a township first.
        notice: findingSummary(view, options) || view.units.length > MAX_NOTICE_UNITS ? null : noticePart(ctx.views, await noticeOfView(ctx.db, view, printedAt)),
        noticeTooLarge: view.units.length > MAX_NOTICE_UNITS,
      });
    },
  },
  {
    method: 'get', path: '/runs/:id/notice.docx', access: ['admin', 'leader'],
    handle: async (req, res, ctx) => {
      const run = await existingRun(req, ctx.db);
      const parent = await parentOf(req, ctx.db);
      try {
        const { bytes, fileName } = await noticeDocument(ctx.db, run, parent);
        sendDownload(res, fileName, 'docx', bytes);
      } catch (e) {
        if (!(e instanceof NoticeTooLarge)) throw e;
        req.session.flash = e.message;
        res.redirect(303, urlOf(['runs', run.id], parent ? { parent } : {}));
      }
    },
  },
  {
    method: 'get', path: '/runs/:id/export.:format', access: ['admin', 'leader'],
    handle: async (req, res, ctx) => {
      const run = await existingRun(req, ctx.db);
      const format = req.params.format;
      if (format !== 'xlsx' && format !== 'csv') throw notFound();
      const what = req.query.what === 'scorecards' ? 'scorecards' : 'ranking';
      const { bytes, fileName } = await exportRun(ctx.db, run.id, format, what);
      sendDownload(res, fileName, format, bytes);
    },
  },
];

/** A ranking's heading as a township titles the results (2024年度村级…千分考核结果), not by the name of its rule set (…细则). */
function rankingHeading(view: RankingView): string {
  return `${view.periodTitle}${appraisalSubject(view.ruleset.title)}结果`;
}
