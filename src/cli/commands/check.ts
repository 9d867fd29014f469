import { formatRuleProblem, RuleFileInvalid } from '../../engine/index.js';
import { readRuleFile } from '../../io/rule-file.js';

/** `appraisal check FILE...`: every problem of every file, then exit 1 if any. */
export function checkCommand(files: string[]): number {
  let failed = false;
  for (const file of files) {
    try {
      const { ruleset, warnings } = readRuleFile(file);
      for (const w of warnings) process.stderr.write(`警告 ${formatRuleProblem(w)}\n`);
      process.stdout.write(`${file}：规则有效 ——「${ruleset.title}」版本 ${ruleset.version}，${ruleset.criteria.length} 个细项，共 ${ruleset.totalPoints} 分\n`);
    } catch (e) {
      if (!(e instanceof RuleFileInvalid)) throw e;
      failed = true;
      for (const w of e.warnings) process.stderr.write(`警告 ${formatRuleProblem(w)}\n`);
      for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
      process.stderr.write(`${file}：发现 ${e.problems.length} 处错误\n`);
    }
  }
  return failed ? 1 : 0;
}
