import type { Tx } from '../db/connection.js';
import { labelsOf, versionWithLabel } from '../db/queries/rule-versions.js';
import type { RuleProblem } from '../engine/index.js';
import { parseJsonWithSource } from '../engine/json-source.js';

/**
 * Version labels (规则版本号): every version of a rule set holds a label of its own, so that
 * a page can say which rules scored a unit by a label a township reads (2024.1, 2024.2), not
 * by a check value. An edit is offered the next free label.
 */

/** The problem code of a label another version of the rule set already holds. */
export const LABEL_TAKEN = 'RULE_VERSION_LABEL_TAKEN';

/**
 * The label after `label` that no version holds: its trailing number after a dot counted on
 * (2024.1 → 2024.2, skipping those taken); a label with no `.N` at its end gets `.2` (2024 →
 * 2024.2: the label as it stood was the first).
 */
export function nextLabel(label: string, taken: Iterable<string>): string {
  const held = new Set(taken);
  const m = /^(.*)\.(\d+)$/.exec(label);
  const stem = m ? m[1] : label;
  let n = m ? Number(m[2]) + 1 : 2;
  while (held.has(`${stem}.${n}`)) n++;
  return `${stem}.${n}`;
}

/** The label an edit of `label` is offered: the next one no version of the rule set holds. */
export async function proposedLabel(db: Tx, rulesetId: string, label: string): Promise<string> {
  return nextLabel(label, await labelsOf(db, rulesetId));
}

/**
 * The problem of a rule text whose label another version (other bytes) of the rule set
 * holds, at `/version` with its line and column and naming the label to use instead;
 * null when the label is free or held by these very bytes.
 */
export async function labelProblem(db: Tx, rule: { rulesetId: string; version: string; sha256: string; source: string; file: string }): Promise<RuleProblem | null> {
  const holder = await versionWithLabel(db, rule.rulesetId, rule.version);
  if (!holder || holder.sha256 === rule.sha256) return null;
  const proposal = await proposedLabel(db, rule.rulesetId, rule.version);
  return {
    code: LABEL_TAKEN, file: rule.file, pointer: '/version', ...positionOfVersion(rule.source),
    message: `版本号 “${rule.version.slice(0, 40)}” 已被该规则集的另一个版本使用，每个版本须有自己的版本号：请改为 “${proposal}”`,
  };
}

/** The label was taken by a version saved at the same moment (the database's index refused the second). */
export function labelRaced(version: string, file: string, source: string): RuleProblem {
  return {
    code: LABEL_TAKEN, file, pointer: '/version', ...positionOfVersion(source),
    message: `版本号 “${version.slice(0, 40)}” 刚被该规则集的另一个版本使用，每个版本须有自己的版本号：请重新预览，取下一个版本号`,
  };
}

function positionOfVersion(source: string): { line: number; column: number } {
  try {
    return parseJsonWithSource(source).source.at('/version');
  } catch {
    return { line: 1, column: 1 };
  }
}

/**
 * The rule text with its `version` string replaced by `label`, every other byte as it was
 * (the author's layout and comments-as-fields stay); the text unchanged when it has no
 * version string to replace.
 */
export function withLabel(source: string, label: string): string {
  let at: { line: number; column: number };
  try {
    at = parseJsonWithSource(source).source.at('/version');
  } catch {
    return source;
  }
  let offset = 0;
  for (let line = 1; line < at.line; line++) offset = source.indexOf('\n', offset) + 1;
  const start = offset + at.column - 1;
  if (source[start] !== '"') return source;
  let end = start + 1;
  while (end < source.length && source[end] !== '"') end += source[end] === '\\' ? 2 : 1;
  return source.slice(0, start) + JSON.stringify(label) + source.slice(end + 1);
}
