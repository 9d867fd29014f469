import type { Request } from 'express';
import { shortHash } from '../helpers/index.js';
import { DataInvalid, type CompiledRuleSet, type DataProblem } from '../../engine/index.js';
import type { StatisticsRow } from '../../engine/statistics.js';
import { metricChartSvg } from '../../report/chart.js';
import {
  buildReport, exportReport, periodsWithData, reportAssessment, reportHeading, reportRuleSets, reportRuleVersion, ReportRefused, valueOf,
  type PeriodReport, type ReportColumn,
} from '../../services/report.js';
import { compiledVersion } from '../../services/rule-versions.js';
import { listAssessments } from '../../services/assessments.js';
import { sendDownload } from '../download.js';
import { HttpError, notFound, type RouteSpec } from '../route.js';

/**
 * The statistics report of a period (统计分析): the unit tree up to the county with sums
 * and the metrics computed from them, the change on the same period last year coloured
 * up or down, a chart of one metric, print, and the same rows as XLSX or CSV. The tree
 * folds with <details> (no script: the CSP forbids it), open by default so that it prints.
 */

/** How many of the inputs are shown when none are chosen: the first few counts (总人口, 出生人数 …). */
const DEFAULT_INPUTS = 3;

function text(q: unknown): string | undefined {
  return typeof q === 'string' && q !== '' ? q.slice(0, 200) : undefined;
}

/** A repeated query parameter (?inputs=a&inputs=b) as a list; undefined when absent. */
function list(q: unknown): string[] | undefined {
  if (q === undefined) return undefined;
  return (Array.isArray(q) ? q : [q]).filter((x): x is string => typeof x === 'string' && x !== '');
}

const REFUSED_WHAT: Record<ReportRefused['code'], string> = {
  ASSESSMENT_NOT_FOUND: '考核', PERIOD_NOT_FOUND: '考核期', NO_DATA: '该考核期的数据', RULES_NOT_FOUND: '规则集', NO_METRICS: '规则集的统计指标',
};

function refusedAsNotFound(e: unknown): never {
  if (e instanceof ReportRefused) throw notFound(REFUSED_WHAT[e.code]);
  throw e;
}

/** A value as the printed table shows it: a metric at its decimals (42.30), a missing one as —. */
function shown(v: unknown, decimals: number | null): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return decimals === null ? String(v) : v.toFixed(decimals);
  return String(v);
}

/** The change on last year: red ↑ for up, green ↓ for down, with the sign, readable without colour. */
function changeCell(d: number | null | undefined, decimals: number | null) {
  if (d === null || d === undefined) return { direction: 'none', arrow: '', text: '—', title: '无法比较' };
  const magnitude = decimals === null ? String(Math.abs(d)) : Math.abs(d).toFixed(decimals);
  if (d > 0) return { direction: 'up', arrow: '↑', text: `+${magnitude}`, title: '比去年同期上升' };
  if (d < 0) return { direction: 'down', arrow: '↓', text: `-${magnitude}`, title: '比去年同期下降' };
  return { direction: 'same', arrow: '', text: '持平', title: '与去年同期持平' };
}

interface TreeNode {
  id: string;
  name: string;
  depth: number;
  hasData: boolean;
  cells: Array<{ value: string; kind: string; change: ReturnType<typeof changeCell> | null }>;
  children: TreeNode[];
}

/** The rows (parents before children) as a tree of view nodes with their cells already formatted. */
function treeOf(report: PeriodReport, columns: ReportColumn[]): TreeNode[] {
  const withData = new Set(report.withData);
  const byId = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  for (const r of report.rows) {
    const node: TreeNode = {
      id: r.id, name: r.name ?? r.id, depth: Math.min(r.depth, 5), hasData: withData.has(r.id), children: [],
      cells: columns.map((c) => ({
        value: shown(valueOf(r, c), c.decimals), kind: c.kind,
        change: report.compare ? changeCell(r.change?.[c.name], c.decimals) : null,
      })),
    };
    byId.set(r.id, node);
    const parent = r.parent === null ? undefined : byId.get(r.parent);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

function chartOf(report: PeriodReport, metric: ReportColumn | undefined) {
  if (!metric) return null;
  const withData = new Set(report.withData), replaced = new Set(report.replacedByChildren);
  const rows = report.rows.filter((r) => withData.has(r.id) && !replaced.has(r.id));
  const bars = rows.flatMap((r) => {
    const v = valueOf(r, metric);
    return typeof v === 'number' ? [{ label: r.name ?? r.id, value: v }] : [];
  });
  const missing = rows.filter((r) => typeof valueOf(r, metric) !== 'number').map((r) => r.name ?? r.id);
  const root: StatisticsRow | undefined = report.rows[0];
  const overall = root && !withData.has(root.id) ? `${root.name ?? root.id}：${shown(valueOf(root, metric), metric.decimals)}` : null;
  return {
    svg: bars.length ? metricChartSvg(bars, { title: `${report.period.title} 各单位${metric.header}`, decimals: metric.decimals ?? 2 }) : '',
    caption: `各单位${metric.header}${overall ? `（${overall}，由汇总数计算）` : ''}`,
    missing,
  };
}

export const reportRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/report', access: ['admin', 'leader'],
    handle: async (req, _res, ctx) => {
      const rules = text(req.query.rules);
      const sha = await reportRuleVersion(ctx.db, rules).catch(refusedAsNotFound);
      const { ruleset } = await compiledVersion(ctx.db, sha);
      // Whose data: an assessment of the rule set's kind of unit (a 专项考核's villages, say), chosen from a list.
      const assessmentParam = text(req.query.assessment);
      const assessment = await reportAssessment(ctx.db, ruleset, assessmentParam).catch(refusedAsNotFound);
      const [choices, periods] = await Promise.all([reportRuleSets(ctx.db), periodsWithData(ctx.db, assessment)]);
      const page = {
        title: `统计分析 ${ruleset.title}`,
        rulesets: choices.map((c) => ({ ...c, selected: c.sha256 === sha || c.rulesetId === rules })),
        assessments: (await listAssessments(ctx.db)).filter((a) => a.unit_kind === ruleset.subject).map((a) => ({ id: a.id, title: a.title, selected: a.id === assessment })),
        assessmentParam,
        periods: [] as Array<{ id: string; title: string; selected: boolean }>,
        rulesParam: rules ?? ruleset.id, printedAt: new Date().toISOString(),
      };
      let report: PeriodReport;
      try {
        report = await buildReport(ctx.db, { periodId: text(req.query.period), rules: sha, assessment: assessmentParam });
      } catch (e) {
        if (e instanceof ReportRefused && e.code === 'NO_DATA') {
          page.periods = periods.map((p) => ({ ...p, selected: p.id === req.query.period }));
          return ctx.render('report', { ...page, noData: e.message });
        }
        if (e instanceof DataInvalid) {
          page.periods = periods.map((p) => ({ ...p, selected: p.id === req.query.period }));
          const problems = problemsInWords(e.problems, ruleset, page.assessments.find((a) => a.selected)?.title ?? '');
          return ctx.render('report', { ...page, problems, problemCount: problems.length }, 422);
        }
        return refusedAsNotFound(e);
      }
      page.periods = periods.map((p) => ({ ...p, selected: p.id === report.period.id }));
      if (!periods.some((p) => p.id === report.period.id)) page.periods.unshift({ ...report.period, selected: true });

      const inputs = report.columns.filter((c) => c.kind === 'input');
      const metrics = report.columns.filter((c) => c.kind === 'metric');
      // None asked, or only names of another rule set's inputs (after switching rule sets): the default few.
      const asked = list(req.query.inputs);
      const known = asked?.filter((name) => inputs.some((c) => c.name === name));
      const chosen = new Set(asked && (asked.length === 0 || known!.length) ? known : inputs.filter((c) => c.numeric).slice(0, DEFAULT_INPUTS).map((c) => c.name));
      const columns = [...inputs.filter((c) => chosen.has(c.name)), ...metrics];
      const numericMetrics = metrics.filter((m) => m.numeric);
      const metric = numericMetrics.find((m) => m.name === req.query.metric) ?? numericMetrics[0];

      ctx.render('report', {
        ...page,
        title: `${report.period.title} ${report.rule.title} 统计分析`,
        heading: reportHeading(report.period.title, report.rule.title),
        report: {
          period: report.period, compare: report.compare, compareNote: report.compareNote, rule: report.rule,
          shortSha: shortHash(report.rule.sha256),
        },
        inputChoices: inputs.map((c) => ({ name: c.name, header: c.header, selected: chosen.has(c.name) })),
        metricChoices: numericMetrics.map((c) => ({ name: c.name, header: c.header, selected: c === metric })),
        columns: columns.map((c) => ({ header: c.header, kind: c.kind })),
        tree: treeOf(report, columns),
        replaced: report.replacedByChildren,
        chart: chartOf(report, metric),
      });
    },
  },
  {
    method: 'get', path: '/report/export.:format', access: ['admin', 'leader'],
    handle: async (req: Request, res, ctx) => {
      const format = req.params.format;
      if (format !== 'xlsx' && format !== 'csv') throw notFound();
      let out;
      try {
        out = await exportReport(ctx.db, { periodId: text(req.query.period), rules: text(req.query.rules), assessment: text(req.query.assessment) }, format);
      } catch (e) {
        if (e instanceof DataInvalid) {
          const sha = await reportRuleVersion(ctx.db, text(req.query.rules)).catch(refusedAsNotFound);
          const title = (await listAssessments(ctx.db)).find((a) => a.id === text(req.query.assessment))?.title ?? '';
          throw new HttpError(422, `数据有误，未能生成报表：${problemsInWords(e.problems, (await compiledVersion(ctx.db, sha)).ruleset, title).slice(0, 3).join('；')}`, 'DATA_INVALID');
        }
        return refusedAsNotFound(e);
      }
      sendDownload(res, out.fileName, format, out.bytes);
    },
  },
];

/**
 * Why a period's data cannot be read by the rule set, as the page says it: an assessment whose data lacks the rule
 * set's inputs (the 党建 data read by the 计生 细则) in one sentence naming them by their labels; any other problem by
 * its message alone. Never the record's own names for the data (2024/a3), its rows or an input's code.
 */
function problemsInWords(problems: DataProblem[], ruleset: CompiledRuleSet, assessmentTitle: string): string[] {
  const labelOf = new Map(ruleset.inputs.map((i) => [i.name, i.label]));
  const missing = problems.filter((p) => p.code === 'MISSING_COLUMN').map((p) => labelOf.get(p.column) ?? p.column);
  const out: string[] = [];
  if (missing.length) {
    out.push(`${assessmentTitle || '所选考核'}的数据中没有本细则要用的 ${missing.length} 项指标（${missing.slice(0, 5).join('、')}${missing.length > 5 ? '等' : ''}），无法按本细则统计：请选择与细则相符的考核`);
  }
  for (const p of problems) if (p.code !== 'MISSING_COLUMN' && out.length < 50) out.push(p.message);
  return out;
}

