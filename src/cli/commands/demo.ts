import { readdirSync } from 'node:fs';
import path from 'node:path';
import { formatRuleProblem, RuleFileInvalid } from '../../engine/index.js';
import { loadRuleLibrary } from '../../io/rule-library.js';
import { DEMO_DIR, RULES_DIR } from '../../paths.js';
import { scoreCommand } from './score.js';

/** Checks every shipped rule set, then scores the demo township's latest year with the village rule set. */
export function demoCommand(): number {
  try {
    const library = loadRuleLibrary();
    process.stdout.write(`已检查 ${library.size} 个规则集：${[...library.keys()].join('、')}\n`);
  } catch (e) {
    if (!(e instanceof RuleFileInvalid)) throw e;
    for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
    process.stderr.write('规则文件有误，拒绝启动\n');
    return 1;
  }
  const years = readdirSync(DEMO_DIR).filter((f) => /^villages-\d{4}\.csv$/.test(f)).sort();
  if (years.length === 0) {
    process.stderr.write(`示范数据缺失：${DEMO_DIR} 中没有 villages-YYYY.csv\n`);
    return 2;
  }
  const latest = years[years.length - 1];
  process.stdout.write(`示范乡镇 ${latest.slice(9, 13)} 年度千分考核\n`);
  return scoreCommand(path.join(RULES_DIR, 'village-annual.json'), path.join(DEMO_DIR, latest), 'table');
}
