import { DataInvalid, formatDataProblem, formatRuleProblem, readUnits, RuleFileInvalid, type CompiledRuleSet, type DataProblem } from '../../engine/index.js';
import { statistics, type Shown, type Statistics, type StatisticsRow, type UnitSet } from '../../engine/statistics.js';
import { toCsv, type Cell } from '../../io/csv-write.js';
import { readDataFile } from '../../io/data-file.js';
import { ruleFileOrErrors } from '../rule-file-or-errors.js';
import { textTable } from '../text-table.js';

/**
 * `appraisal report RULES DATA [--compare DATA_LAST] --format table|json|csv`: the statistics
 * report (上半年形势分析) of every unit and every parent up to the root, with the change on
 * the same period last year (比去年同期) when last year's data is given. Nothing reaches
 * stdout unless both files are good: exit 1 for a bad rule file, 2 for bad data (every
 * problem of both data files on stderr).
 */
export function reportCommand(rulesFile: string, dataFile: string, compareFile: string | undefined, format: 'table' | 'json' | 'csv'): number {
  const rule = ruleFileOrErrors(rulesFile, '未生成报表');
  if (!rule) return 1;
  const rs = rule.ruleset;

  const problems: DataProblem[] = [];
  const warnings: string[] = [];
  const read = (file: string): UnitSet | undefined => {
    try {
      const { units, ignoredColumns } = readUnits(rs, readDataFile(file));
      for (const c of ignoredColumns) warnings.push(`警告 ${file}: 列 “${c}” 不对应任何输入，已忽略`);
      return { file, units };
    } catch (e) {
      if (!(e instanceof DataInvalid)) throw e;
      problems.push(...e.problems);
      return undefined;
    }
  };
  const current = read(dataFile);
  const last = compareFile === undefined ? undefined : read(compareFile);
  let report: Statistics | undefined;
  if (current && (compareFile === undefined || last)) {
    try {
      report = statistics(rs, current, last);
    } catch (e) {
      if (!(e instanceof DataInvalid)) throw e;
      problems.push(...e.problems);
    }
  }
  for (const w of warnings) process.stderr.write(`${w}\n`);
  if (!report || problems.length) {
    for (const p of problems) process.stderr.write(`${formatDataProblem(p)}\n`);
    process.stderr.write(`数据有误，共 ${problems.length} 处，未生成报表\n`);
    return 2;
  }
  for (const id of report.replacedByChildren) {
    process.stderr.write(`注意 ${dataFile}: 单位 “${id}” 有下级单位，其数字按下级单位汇总，本行自填的数字未采用\n`);
  }

  const withChange = compareFile !== undefined;
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ rows: report.rows }, null, 2)}\n`);
  } else if (format === 'csv') {
    process.stdout.write(toCsv(csvRows(rs, report.rows, withChange)));
  } else {
    const columns = indicators(rs);
    const header = ['单位', ...columns.map((c) => c.header)];
    const rows = report.rows.map((r) => [
      `${'  '.repeat(r.depth)}${unitText(r)}`,
      ...columns.map((c) => {
        const shown = tableValue(c.value(r), c.decimals);
        if (!withChange) return shown;
        const d = r.change?.[c.name] ?? null;
        return d === null ? shown : `${shown} (${signed(d, c.decimals)})`;
      }),
    ]);
    const note = withChange ? `括号内为比去年同期增减（${compareFile}）\n` : '';
    process.stdout.write(`${rs.title}（版本 ${rs.version}）\n${note}\n${textTable(header, rows, header.map((_, k) => k > 0))}`);
  }
  return 0;
}

interface Indicator {
  name: string;
  header: string;
  /** Decimals shown; undefined for an input, shown as it was entered. */
  decimals?: number;
  value: (r: StatisticsRow) => Shown;
}

/** Every input, then every metric, headed by its Chinese label and unit: 出生率（‰）. */
function indicators(rs: CompiledRuleSet): Indicator[] {
  const head = (label: string, unit?: string) => (unit ? `${label}（${unit}）` : label);
  return [
    ...rs.inputs.map((i): Indicator => ({ name: i.name, header: head(i.label, i.unit), value: (r) => r.inputs[i.name] })),
    ...rs.metrics.map((m): Indicator => ({ name: m.name, header: head(m.label, m.unit), decimals: m.decimals, value: (r) => r.metrics[m.name] })),
  ];
}

function csvRows(rs: CompiledRuleSet, rows: StatisticsRow[], withChange: boolean): Cell[][] {
  const columns = indicators(rs);
  const header: Cell[] = ['单位编号', '单位名称', '上级单位', '层级', ...columns.map((c) => c.header)];
  if (withChange) header.push(...columns.map((c) => `${c.header}比去年同期`));
  return [header, ...rows.map((r) => {
    const cells: Cell[] = [r.id, r.name, r.parent, r.depth, ...columns.map((c) => csvValue(c.value(r)))];
    if (withChange) cells.push(...columns.map((c) => r.change?.[c.name] ?? null));
    return cells;
  })];
}

function unitText(r: StatisticsRow): string {
  return r.name === null ? r.id : `${r.name}（${r.id}）`;
}

function csvValue(v: Shown): Cell {
  return typeof v === 'boolean' ? (v ? '是' : '否') : v;
}

/** A value as a printed table shows it: a metric at its decimals (42.30), a missing one as —. */
function tableValue(v: Shown, decimals?: number): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return decimals === undefined ? String(v) : v.toFixed(decimals);
  return v;
}

function signed(d: number, decimals?: number): string {
  const s = decimals === undefined ? String(d) : d.toFixed(decimals);
  return d > 0 ? `+${s}` : s;
}
