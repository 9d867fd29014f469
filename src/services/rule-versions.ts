import { SYSTEM_ACTOR } from './actors.js';
import { loadRuleSet, RuleFileInvalid, useSourceTitles, type CompiledRuleSet, type SourceTitles } from '../engine/index.js';
import { isTransaction, type Tx } from '../db/connection.js';
import { getRuleVersion, insertRuleVersion, latestRuleVersionSha, type RuleVersionRow } from '../db/queries/rule-versions.js';
import { appendAudit } from '../db/queries/audit.js';
import { readRuleFile, ruleSchema, type RuleFile } from '../io/rule-file.js';
import { loadRuleLibrary } from '../io/rule-library.js';
import { existsSync } from 'node:fs';
import { perDatabase } from './per-database.js';
import { defaultRuleSet } from './assessments.js';
import { labelProblem, labelRaced } from './version-labels.js';

/**
 * Rule set versions, stored immutably by the sha256 of their bytes: importing the
 * same file twice is one version; an edit is a new version; an old one never changes.
 */

export class RuleVersionNotFound extends Error {
  readonly code = 'RULE_VERSION_NOT_FOUND';
}


const compiled = new Map<string, CompiledRuleSet>();

/**
 * Stores a rule file as a version (once: the same bytes are the same version). Refused
 * (RuleFileInvalid, RULE_VERSION_LABEL_TAKEN at /version) when another version of the rule
 * set already holds its label: two versions never share one.
 */
export async function saveRuleVersion(db: Tx, rule: RuleFile, by: string, at = new Date().toISOString()): Promise<string> {
  const existing = await getRuleVersion(db, rule.sha256);
  if (existing) return rule.sha256;
  const rs = rule.ruleset;
  const source = rule.bytes.toString('utf8');
  const problem = await labelProblem(db, { rulesetId: rs.id, version: rs.version, sha256: rule.sha256, source, file: rule.file });
  if (problem) throw new RuleFileInvalid([problem]);
  try {
    await insertRuleVersion(db, {
      sha256: rule.sha256, ruleset_id: rs.id, version: rs.version, title: rs.title, subject: rs.subject,
      source, imported_by: by, imported_at: at,
    });
  } catch (e) {
    // Saved by someone else between the check and the write: the index of one label per version refuses it.
    if (!isUniqueViolation(e)) throw e;
    throw new RuleFileInvalid([labelRaced(rs.version, rule.file, source)]);
  }
  await appendAudit(db, { at, actor: by, action: 'rules.import', subject: `${rs.id}@${rule.sha256.slice(0, 12)}`, detail: JSON.stringify({ file: rule.file, version: rs.version }) });
  return rule.sha256;
}

/** Imports every shipped rule file (rules/*.json) that is not yet a stored version. */
export async function importShippedRules(db: Tx, by = SYSTEM_ACTOR): Promise<string[]> {
  const shas: string[] = [];
  for (const rule of loadRuleLibrary().values()) shas.push(await saveRuleVersion(db, rule, by));
  return shas;
}

/**
 * Versions a database is known to hold. A stored version is never updated nor deleted
 * (the table refuses it), so once read it is not read again: every page of a run needs
 * its version, and its source is the largest row a page reads.
 */
const storedVersions = perDatabase(() => new Map<string, RuleVersionRow>());

/** A stored version compiled (once per process; a version never changes, so neither does this). */
/**
 * The title of an item or metric of another assessment's rule set, as a source lists it (RULES.md §7.8):
 * read from the shipped rule set of that id, so that a reason says 计划生育专项考核“人口计划”得分, never its id.
 */
let library: ReturnType<typeof loadRuleLibrary> | undefined;
function shippedTitles(of: CompiledRuleSet): SourceTitles {
  return (name, field) => {
    const rulesetId = of.sources.find((s) => s.name === name)?.ruleset;
    if (rulesetId === undefined) return undefined;
    library ??= loadRuleLibrary();
    const rs = library.get(rulesetId)?.ruleset;
    return rs?.nodes.find((n) => n.id === field)?.title ?? rs?.metrics.find((m) => m.name === field)?.label;
  };
}

export async function compiledVersion(db: Tx, sha256: string): Promise<{ row: RuleVersionRow; ruleset: CompiledRuleSet }> {
  const known = storedVersions(db);
  let row = known.get(sha256);
  if (!row) {
    row = await getRuleVersion(db, sha256);
    if (!row) throw new RuleVersionNotFound(`没有这个规则版本：${sha256}`);
    // A version inserted by a transaction that may yet roll back is not remembered.
    if (!isTransaction(db)) known.set(sha256, row);
  }
  let rs = compiled.get(sha256);
  if (!rs) {
    rs = loadRuleSet(row.source, `${row.ruleset_id}@${sha256.slice(0, 12)}`, ruleSchema()).ruleset;
    if (rs.sources.length) useSourceTitles(rs, shippedTitles(rs));
    compiled.set(sha256, rs);
  }
  return { row, ruleset: rs };
}

/**
 * Which version a command means: a rule file path (imported first), a full sha256, or a
 * rule set id (its newest version); nothing means the assessment's default rule set.
 */
export async function resolveRuleVersion(db: Tx, ref: string | undefined, track: string, by: string): Promise<string> {
  const wanted = ref ?? (await defaultRuleSet(db, track));
  if (!wanted) throw new RuleVersionNotFound(`没有考核 “${track}”，也没有指定规则集，请用 --rules 指定`);
  if (/\.json$/i.test(wanted) && existsSync(wanted)) return saveRuleVersion(db, readRuleFile(wanted), by);
  if (/^[0-9a-f]{64}$/.test(wanted)) {
    if (await getRuleVersion(db, wanted)) return wanted;
    throw new RuleVersionNotFound(`没有这个规则版本：${wanted}`);
  }
  const latest = await latestRuleVersionSha(db, wanted);
  if (!latest) throw new RuleVersionNotFound(`没有名为 “${wanted}” 的规则集`);
  return latest;
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === '23505' || (err.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(err.message ?? ''));
}
