import { pageRead, readOnly, type Tx } from '../connection.js';

export interface RuleVersionRow {
  sha256: string; ruleset_id: string; version: string; title: string; subject: string;
  source: string; imported_by: string; imported_at: string;
}

/** Stores a version once: the same bytes are the same version (the table refuses updates). */
export async function insertRuleVersion(db: Tx, row: RuleVersionRow): Promise<void> {
  await db('rule_versions').insert(row).onConflict('sha256').ignore();
}

export async function getRuleVersion(db: Tx, sha256: string): Promise<RuleVersionRow | undefined> {
  return db('rule_versions').where({ sha256 }).first();
}

/** The newest version of a rule set, by import time. */
export async function latestRuleVersion(db: Tx, rulesetId: string): Promise<RuleVersionRow | undefined> {
  const [row] = await readOnly<RuleVersionRow>(db, db('rule_versions').where({ ruleset_id: rulesetId }).orderBy([{ column: 'imported_at', order: 'desc' }, { column: 'sha256' }]).limit(1));
  return row;
}

const newestSha = pageRead((db, rulesetId: string) => db('rule_versions').where({ ruleset_id: rulesetId })
  .orderBy([{ column: 'imported_at', order: 'desc' }, { column: 'sha256' }]).limit(1).select('sha256'));

/** The hash of a rule set's newest version (as latestRuleVersion finds it), without its text: what a page needs to find its compiled rules. */
export async function latestRuleVersionSha(db: Tx, rulesetId: string): Promise<string | undefined> {
  const [row] = await newestSha<{ sha256: string }>(db, rulesetId);
  return row?.sha256;
}

export async function listRuleVersions(db: Tx, rulesetId?: string): Promise<Array<Omit<RuleVersionRow, 'source'>>> {
  const q = db('rule_versions').select('sha256', 'ruleset_id', 'version', 'title', 'subject', 'imported_by', 'imported_at')
    .orderBy([{ column: 'ruleset_id' }, { column: 'imported_at', order: 'desc' }]);
  return rulesetId ? q.where({ ruleset_id: rulesetId }) : q;
}

/** The version of a rule set that holds a label (at most one: two versions never share a label). */
export async function versionWithLabel(db: Tx, rulesetId: string, version: string): Promise<Omit<RuleVersionRow, 'source'> | undefined> {
  return db('rule_versions').select('sha256', 'ruleset_id', 'version', 'title', 'subject', 'imported_by', 'imported_at')
    .where({ ruleset_id: rulesetId, version }).orderBy('imported_at').first();
}

/** Every label a rule set's versions hold. */
export async function labelsOf(db: Tx, rulesetId: string): Promise<string[]> {
  return (await db('rule_versions').select('version').where({ ruleset_id: rulesetId })).map((r: { version: string }) => r.version);
}
