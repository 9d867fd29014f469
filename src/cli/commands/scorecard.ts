import { appraise, DataInvalid, explainAdjustment, explainCriterion, formatDataProblem } from '../../engine/index.js';
import { readDataFile } from '../../io/data-file.js';
import { ruleFileOrErrors } from '../rule-file-or-errors.js';
import { scoreOptions } from '../link-option.js';
import { formatScore, sanctionText } from '../../report/ranking-sheet.js';

/** `appraisal scorecard RULES DATA UNIT`: one unit's clauses, each with its score and the reason. */
export function scorecardCommand(rulesFile: string, dataFile: string, unitId: string, sources: string[] = [], events?: string): number {
  const rule = ruleFileOrErrors(rulesFile, '未生成记分卡');
  if (!rule) return 1;
  let result;
  try {
    result = appraise(rule.ruleset, readDataFile(dataFile), scoreOptions(sources, events));
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    for (const p of e.problems) process.stderr.write(`${formatDataProblem(p)}\n`);
    return 2;
  }
  const rs = rule.ruleset;
  const u = result.units.find((x) => x.unit.id === unitId);
  if (!u) {
    process.stderr.write(`数据中没有编号为 “${unitId}” 的单位\n`);
    return 2;
  }
  const p = rs.precision;
  const out: string[] = [];
  out.push(`${rs.title}（版本 ${rs.version}）`);
  out.push(`${u.unit.name ?? u.unit.id}（${u.unit.id}）  总分 ${formatScore(u.total, p)}  第${u.rank}名  ${u.grade ?? ''}`
    + (u.behind === null ? '' : u.behind < 0 ? '  因一票否决列于上一名之后' : `  与上一名相差 ${formatScore(u.behind, p)} 分`));
  if (u.sanctions.length) out.push(`奖惩：${sanctionText(u.sanctions)}`);
  for (const v of u.vetoes) out.push(`一票否决：${v.title}`);
  out.push('');
  const env = u.unit.env;
  for (const node of rs.nodes) {
    const indent = '  '.repeat(node.depth);
    const score = formatScore(u.scores[node.index], p);
    out.push(`${indent}${node.title}  ${score}/${node.points}`);
    if (node.kind === 'criterion') out.push(`${indent}  ${explainCriterion(rs, node, env, u.scores[node.index])}`);
  }
  for (const [kind, block, total] of [['bonus', rs.bonus, u.bonus], ['penalty', rs.penalty, u.penalty]] as const) {
    if (!block) continue;
    out.push(`${kind === 'bonus' ? '加分项' : '扣分项'}  ${formatScore(total, p)}${block.cap !== undefined ? `（上限${block.cap}分）` : ''}`);
    for (const item of block.items) out.push(`  ${item.title}：${explainAdjustment(rs, item.method, env, item.title, kind)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
