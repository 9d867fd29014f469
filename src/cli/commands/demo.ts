import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DEMO_DIR, RULES_DIR } from '../../paths.js';
import { scoreCommand } from './score.js';

/** Scores the demo township's latest year with the shipped village rule set. */
export function demoCommand(): number {
  const years = readdirSync(DEMO_DIR).filter((f) => /^villages-\d{4}\.csv$/.test(f)).sort();
  if (years.length === 0) {
    process.stderr.write(`示范数据缺失：${DEMO_DIR} 中没有 villages-YYYY.csv\n`);
    return 2;
  }
  const latest = years[years.length - 1];
  process.stdout.write(`示范乡镇 ${latest.slice(9, 13)} 年度千分考核\n`);
  return scoreCommand(path.join(RULES_DIR, 'village-annual.json'), path.join(DEMO_DIR, latest), 'table');
}
