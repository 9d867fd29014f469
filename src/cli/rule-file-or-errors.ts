import { formatRuleProblem, RuleFileInvalid } from '../engine/index.js';
import { readRuleFile, type RuleFile } from '../io/rule-file.js';

/**
 * A rule file for a command, or null after every problem went to stderr (the command
 * then exits 1 with nothing on stdout). Warnings go to stderr either way.
 */
export function ruleFileOrErrors(file: string, notDone: string): RuleFile | null {
  try {
    const rule = readRuleFile(file);
    for (const w of rule.warnings) process.stderr.write(`警告 ${formatRuleProblem(w)}\n`);
    return rule;
  } catch (e) {
    if (!(e instanceof RuleFileInvalid)) throw e;
    for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
    process.stderr.write(`规则文件无效，共 ${e.problems.length} 处错误，${notDone}\n`);
    return null;
  }
}
