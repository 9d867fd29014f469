import { appraise, DataInvalid, formatDataProblem, formatRuleProblem, RuleFileInvalid, scoreJson } from '../../engine/index.js';
import { toCsv } from '../../io/csv-write.js';
import { readDataFile } from '../../io/data-file.js';
import { ruleFileOrErrors } from '../rule-file-or-errors.js';
import { scoreOptions } from '../link-option.js';
import { rankingRows, rankingTable, sanctionText } from '../../report/ranking-sheet.js';
import { textTable } from '../text-table.js';

/** `appraisal score RULES DATA --format table|json|csv`. Nothing reaches stdout unless scoring succeeded. */
export function scoreCommand(rulesFile: string, dataFile: string, format: 'table' | 'json' | 'csv', sources: string[] = [], events?: string): number {
  const rule = ruleFileOrErrors(rulesFile, '未记分');
  if (!rule) return 1;
  const rs = rule.ruleset;
  let result;
  try {
    result = appraise(rs, readDataFile(dataFile), scoreOptions(sources, events));
  } catch (e) {
    if (e instanceof RuleFileInvalid) {
      for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
      return 1;
    }
    if (!(e instanceof DataInvalid)) throw e;
    for (const p of e.problems) process.stderr.write(`${formatDataProblem(p)}\n`);
    process.stderr.write(`数据有误，共 ${e.problems.length} 处，未记分\n`);
    return 2;
  }
  for (const c of result.ignoredColumns) process.stderr.write(`警告 ${dataFile}: 列 “${c}” 不对应任何输入，已忽略\n`);

  const json = scoreJson(rs, rule.sha256, result);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else if (format === 'csv') {
    const names = new Map(json.units.map((u) => [u.id, u.name ?? u.id]));
    const sheet = rankingRows(rs, json.units, json.parents, (id) => names.get(id) ?? id);
    process.stdout.write(toCsv(sheet.rows, sheet.decimals));
  } else {
    const t = rankingTable(rs, json.units);
    process.stdout.write(`${rs.title}（版本 ${rs.version}）\n\n${textTable(t.header, t.rows, t.right)}`);
    for (const p of json.parents.filter((x) => x.sanctions.length)) {
      process.stdout.write(`连带责任：${p.id} —— ${sanctionText(p.sanctions)}\n`);
    }
  }
  return 0;
}
