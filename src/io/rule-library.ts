import { readdirSync } from 'node:fs';
import path from 'node:path';
import { RuleFileInvalid, type RuleProblem } from '../engine/index.js';
import { RULES_DIR } from '../paths.js';
import { readRuleFile, type RuleFile } from './rule-file.js';

/**
 * The shipped rule sets in rules/, checked all at once when the product starts:
 * one bad file stops the start with every problem of every file.
 */
export function loadRuleLibrary(dir: string = RULES_DIR): Map<string, RuleFile> {
  const library = new Map<string, RuleFile>();
  const problems: RuleProblem[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const name of files) {
    try {
      const rule = readRuleFile(path.join(dir, name));
      const clash = library.get(rule.ruleset.id);
      if (clash) {
        problems.push({ code: 'DUPLICATE_RULESET_ID', message: `规则集编号 “${rule.ruleset.id}” 与 ${clash.file} 重复`, file: rule.file, pointer: '/id', line: 1, column: 1 });
      }
      library.set(rule.ruleset.id, rule);
    } catch (e) {
      if (!(e instanceof RuleFileInvalid)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length) throw new RuleFileInvalid(problems);
  return library;
}
