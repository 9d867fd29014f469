import type { Tx } from '../db/connection.js';
import { shortHash } from '../report/short-hash.js';
import { countInputs, inputsOf, type InputRow } from '../db/queries/inputs.js';
import { listPeriods } from '../db/queries/periods.js';
import { getRuleVersion, latestRuleVersion, listRuleVersions } from '../db/queries/rule-versions.js';
import { listUnits, type UnitRow } from '../db/queries/units.js';
import { DataInvalid, HeldUnit, readUnits, type CompiledRuleSet, type Unit } from '../engine/index.js';
import { statistics, type Shown, type StatisticsRow, type UnitSet } from '../engine/statistics.js';
import { toCsv, type Cell, type SheetRows } from '../io/csv-write.js';
import { localDateTime } from '../local-time.js';
import { tableFromJsonRows } from '../io/data-file.js';
import { newestPeriodsFirst, parsePeriod, PeriodInvalid, type PeriodSpec } from './period.js';
import { appraisalSubject } from './notice.js';
import { compiledVersion } from './rule-versions.js';
import { assessmentOfRuleSet, defaultRuleSet, getAssessment } from './assessments.js';

/**
 * The statistics report of a period from the record (统计分析, issue 5): the period's
 * stored inputs for a rule set's subject, summed up the unit tree to its root (the
 * ancestors come from the units table), every metric computed from the sums by the
 * rule set's own expressions, and the change on the same period one year earlier
 * (比去年同期) when that period has data. The CLI's `appraisal report` does the same
 * from files; this reads the record.
 */

export class ReportRefused extends Error {
  constructor(readonly code: 'PERIOD_NOT_FOUND' | 'RULES_NOT_FOUND' | 'NO_METRICS' | 'NO_DATA' | 'ASSESSMENT_NOT_FOUND', message: string) { super(message); }
}

/** One column of the report: an input or a metric, headed by its label and unit (出生率（‰）). */
export interface ReportColumn {
  name: string;
  kind: 'input' | 'metric';
  label: string;
  unit: string | null;
  header: string;
  /** Decimals shown: a metric's own; an input is shown as entered (null). */
  decimals: number | null;
  /** Whether a parent can have it (a sum or a metric of sums); a yes/no or grade input cannot. */
  numeric: boolean;
}

export interface PeriodReport {
  period: PeriodSpec;
  /** The same period one year earlier, when it has data the rule set can read. */
  compare: PeriodSpec | null;
  /** Why there is no comparison, when there is a reason worth saying. */
  compareNote: string | null;
  /** The assessment whose inputs were read. */
  assessment: string;
  rule: { sha256: string; rulesetId: string; version: string; title: string; subject: string };
  ruleset: CompiledRuleSet;
  /** Every input, then every metric. */
  columns: ReportColumn[];
  /** Parents before their children, siblings by id; the root(s) first. */
  rows: StatisticsRow[];
  /** Units with stored inputs of their own for the period (the others are sums). */
  withData: string[];
  /** Units whose own stored figures were set aside for the sums of their children. */
  replacedByChildren: string[];
}

export interface RuleChoice { rulesetId: string; sha256: string; version: string; title: string; subject: string }

/** The rule sets a report can be made with: the newest version of each that has metrics. */
export async function reportRuleSets(db: Tx): Promise<RuleChoice[]> {
  const newest = new Map<string, RuleChoice>();
  for (const v of await listRuleVersions(db)) {
    if (!newest.has(v.ruleset_id)) newest.set(v.ruleset_id, { rulesetId: v.ruleset_id, sha256: v.sha256, version: v.version, title: v.title, subject: v.subject });
  }
  const out: RuleChoice[] = [];
  for (const choice of newest.values()) {
    const { ruleset } = await compiledVersion(db, choice.sha256);
    if (ruleset.metrics.length) out.push(choice);
  }
  return out;
}

/** The periods that have stored inputs of an assessment, newest first. */
export async function periodsWithData(db: Tx, track: string): Promise<PeriodSpec[]> {
  const out: PeriodSpec[] = [];
  for (const p of newestPeriodsFirst(await listPeriods(db))) if ((await countInputs(db, p.id, track)) > 0) out.push(parsePeriod(p.id));
  return out;
}

/**
 * Which rule version `rules` names: a rule set id (its newest version) or a version's
 * sha256; nothing means the village rule set. Never a file: this comes from the web.
 */
export async function reportRuleVersion(db: Tx, rules: string | undefined): Promise<string> {
  const wanted = rules || ((await defaultRuleSet(db, 'village')) ?? 'village-annual');
  if (/^[0-9a-f]{64}$/.test(wanted)) {
    if (await getRuleVersion(db, wanted)) return wanted;
  } else if (/^[\w-]{1,100}$/.test(wanted)) {
    const latest = await latestRuleVersion(db, wanted);
    if (latest) return latest.sha256;
  }
  throw new ReportRefused('RULES_NOT_FOUND', `没有名为 “${wanted}” 的规则集`);
}

/** The same period one year earlier: 2024 → 2023, 2024H1 → 2023H1, 2024Q3 → 2023Q3. */
export function samePeriodLastYear(period: PeriodSpec): PeriodSpec {
  return parsePeriod(`${Number(period.id.slice(0, 4)) - 1}${period.id.slice(4)}`);
}

export interface ReportRequest {
  /** Default: the newest period with data for the rule set's subject. */
  periodId?: string;
  /** A rule set id or a version's sha256; default: the village rule set. */
  rules?: string;
  /** Whose data: an assessment of the rule set's kind of unit; default: the one scored by the rule set, else the kind's own (village). */
  assessment?: string;
}

/** The assessment whose stored inputs a report reads; ReportRefused for one that is none or appraises other units. */
export async function reportAssessment(db: Tx, ruleset: { id: string; subject: string }, asked: string | undefined): Promise<string> {
  if (asked === undefined) return (await assessmentOfRuleSet(db, ruleset.id))?.id ?? ruleset.subject;
  const a = await getAssessment(db, asked);
  if (!a || a.unit_kind !== ruleset.subject) throw new ReportRefused('ASSESSMENT_NOT_FOUND', `没有这项考核，或它考核的不是本细则的对象`);
  return a.id;
}

/** The report; DataInvalid when the period's stored rows do not pass this rule version's checks. */
export async function buildReport(db: Tx, req: ReportRequest): Promise<PeriodReport> {
  const sha = await reportRuleVersion(db, req.rules);
  const { row, ruleset } = await compiledVersion(db, sha);
  if (!ruleset.metrics.length) throw new ReportRefused('NO_METRICS', `规则集 “${ruleset.title}” 没有统计指标（metrics），不能生成统计分析`);
  const subject = ruleset.subject;
  // The rows are the assessment's (its `track`): 村级千分考核's for the village rule sets, unless another is asked.
  const track = await reportAssessment(db, ruleset, req.assessment);

  let period: PeriodSpec;
  if (req.periodId) {
    try {
      period = parsePeriod(req.periodId);
    } catch (e) {
      if (e instanceof PeriodInvalid) throw new ReportRefused('PERIOD_NOT_FOUND', e.message);
      throw e;
    }
  } else {
    const newest = (await periodsWithData(db, track))[0];
    if (!newest) throw new ReportRefused('NO_DATA', `还没有任何考核期录入了 “${ruleset.title}” 所需的数据`);
    period = newest;
  }
  const stored = await inputsOf(db, period.id, track);
  if (stored.length === 0) throw new ReportRefused('NO_DATA', `${period.title}没有 “${ruleset.title}” 所需的数据，请先录入或导入`);

  const tree = await listUnits(db);
  const current = unitSet(ruleset, stored, tree, `${period.id}/${track}`);

  let compare: PeriodSpec | null = samePeriodLastYear(period);
  let compareNote: string | null = null;
  let last: UnitSet | undefined;
  const before = await inputsOf(db, compare.id, track);
  if (before.length === 0) {
    compare = null;
  } else {
    try {
      last = unitSet(ruleset, before, tree, `${compare.id}/${track}`);
    } catch (e) {
      if (!(e instanceof DataInvalid)) throw e;
      compareNote = `${compare.title}的数据不符合本规则版本（${e.problems.length} 处问题），未作比较`;
      compare = null;
    }
  }
  let report;
  try {
    report = statistics(ruleset, current, last);
  } catch (e) {
    // Only last year's tree can be at fault if this year's alone is good: then no comparison.
    if (!(e instanceof DataInvalid) || !last) throw e;
    report = statistics(ruleset, current);
    compareNote = `${compare!.title}的单位层级有误，未作比较`;
    compare = null;
  }
  const storedIds = new Set(stored.map((r) => r.unit_id));
  return {
    period, compare, compareNote, assessment: track,
    rule: { sha256: row.sha256, rulesetId: row.ruleset_id, version: row.version, title: row.title, subject },
    ruleset, columns: columnsOf(ruleset), rows: report.rows,
    withData: report.rows.filter((r) => storedIds.has(r.id)).map((r) => r.id),
    replacedByChildren: report.replacedByChildren.filter((id) => storedIds.has(id)),
  };
}

/**
 * Stored rows read as the engine reads a data file, plus the ancestors of their parents
 * from the units table (a village's parent is its township; the township's parent, the
 * county, is only in the units table), so that the tree reaches the root.
 */
function unitSet(rs: CompiledRuleSet, stored: InputRow[], tree: UnitRow[], file: string): UnitSet {
  const table = tableFromJsonRows(stored.map((r) => ({ id: r.unit_id, name: r.name, parent: r.parent_id, inputs: JSON.parse(r.input_values) as unknown })), file);
  const { units } = readUnits(rs, table, { withoutLinks: true });
  const known = new Map(tree.map((u) => [u.id, u]));
  const present = new Set(units.map((u) => u.id));
  const ancestors: Unit[] = [];
  for (const unit of units) {
    let id = unit.parent;
    while (id !== null && !present.has(id)) {
      const row = known.get(id);
      present.add(id);
      if (!row) break; // named only as a parent: the engine makes it a root of its own
      // Its figures are its children's sums: the values it carries here are never read.
      ancestors.push(new HeldUnit(row.id, row.name, row.parent_id, 1, unit.env));
      id = row.parent_id;
    }
  }
  return { file, units: [...units, ...ancestors] };
}

export function columnsOf(rs: CompiledRuleSet): ReportColumn[] {
  const header = (label: string, unit?: string) => (unit ? `${label}（${unit}）` : label);
  return [
    ...rs.inputs.filter((i) => !i.link && i.type !== 'events').map((i): ReportColumn => ({
      name: i.name, kind: 'input', label: i.label, unit: i.unit || null, header: header(i.label, i.unit), decimals: null,
      numeric: i.type === 'integer' || i.type === 'number',
    })),
    ...rs.metrics.map((m): ReportColumn => ({
      name: m.name, kind: 'metric', label: m.label, unit: m.unit || null, header: header(m.label, m.unit), decimals: m.decimals,
      numeric: m.type === 'number',
    })),
  ];
}

export function valueOf(row: StatisticsRow, column: ReportColumn): Shown {
  return (column.kind === 'input' ? row.inputs[column.name] : row.metrics[column.name]) ?? null;
}

/** The report as spreadsheet rows: each unit with its level, every column, then every change (比去年同期). */
export function reportSheetRows(report: PeriodReport): SheetRows {
  const names = new Map(report.rows.map((r) => [r.id, r.name ?? r.id]));
  const header: Cell[] = ['单位', '上级单位', '层级', ...report.columns.map((c) => c.header)];
  const decimals: Array<number | null> = [null, null, null, ...report.columns.map((c) => c.decimals)];
  if (report.compare) {
    header.push(...report.columns.map((c) => `${c.header}比去年同期`));
    decimals.push(...report.columns.map((c) => c.decimals));
  }
  const rows = report.rows.map((r) => {
    const cells: Cell[] = [r.name ?? r.id, r.parent === null ? '' : names.get(r.parent) ?? r.parent, r.depth + 1, ...report.columns.map((c) => {
      const v = valueOf(r, c);
      return typeof v === 'boolean' ? (v ? '是' : '否') : v;
    })];
    if (report.compare) cells.push(...report.columns.map((c) => r.change?.[c.name] ?? null));
    return cells;
  });
  return { rows: [header, ...rows], decimals };
}

export type ReportFormat = 'xlsx' | 'csv';

export async function exportReport(db: Tx, req: ReportRequest, format: ReportFormat): Promise<{ bytes: Buffer; fileName: string; report: PeriodReport }> {
  const report = await buildReport(db, req);
  const sheet = reportSheetRows(report);
  const base = reportHeading(report.period.title, report.rule.title);
  if (format === 'csv') return { bytes: Buffer.from(toCsv(sheet.rows, sheet.decimals), 'utf8'), fileName: `${base.replace(' · ', '')}.csv`, report };
  const { writeXlsx } = await import('../io/xlsx.js'); // exceljs takes a second to load: only when needed
  const about: Cell[][] = [
    ['项目', '内容'],
    ['报表', `${report.period.title} ${report.rule.title}`],
    ['考核期', report.period.title],
    ['规则集', `${report.rule.title}（版本 ${report.rule.version}，校验值 ${shortHash(report.rule.sha256)}）`],
    ['比较期', report.compare ? report.compare.title : report.compareNote ?? '无去年同期数据'],
    ['导出时间', localDateTime(Date.now())],
    ['说明', '上级单位的数字是下级单位之和，比率由汇总后的数字按规则集的公式计算；“比去年同期”为本期显示值减去年同期显示值'],
  ];
  const bytes = await writeXlsx([
    { name: '统计分析', title: [base], rows: sheet.rows, decimals: sheet.decimals, landscape: true },
    { name: '说明', rows: about, widths: [16, 80] },
  ]);
  return { bytes, fileName: `${base.replace(' · ', '')}.xlsx`, report };
}

/**
 * The report's heading: an appraisal's rule set by what it appraises (2024年度村级…千分考核统计分析, not
 * …细则 · 统计分析); a rule set of another kind (…形势分析（统计报表）) by its own title.
 */
export function reportHeading(period: string, ruleTitle: string): string {
  return /(细则|办法|方案|标准)(（[^）]*）|\([^)]*\))?$/.test(ruleTitle.trim())
    ? `${period}${appraisalSubject(ruleTitle)}统计分析` : `${period}${ruleTitle} · 统计分析`;
}
