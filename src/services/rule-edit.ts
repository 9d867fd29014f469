import { type Db, type Tx, inTransaction } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { getRuleVersion, latestRuleVersion, listRuleVersions, type RuleVersionRow } from '../db/queries/rule-versions.js';
import { listRuns, type RunRow } from '../db/queries/runs.js';
import { DataInvalid, loadRuleSet, RuleFileInvalid, type CompiledRuleSet, type RuleProblem } from '../engine/index.js';
import { parseJsonWithSource, pointerToken } from '../engine/json-source.js';
import { ruleFileTooLarge, ruleSchema, sha256 } from '../io/rule-file.js';
import { diffResults, recomputeRun, runResults, type UnitChange } from './runs.js';
import { compiledVersion, saveRuleVersion } from './rule-versions.js';
import { labelProblem, proposedLabel, withLabel } from './version-labels.js';
import { assessmentOfRuleSet } from './assessments.js';
import { newestPeriodsFirst } from './period.js';
import { UNFIT_MARK } from '../io/text.js';

/**
 * Editing a rule set on the web: the text checked exactly as a rule file is, what the
 * edit would do to the current ranking before anything is stored, and the save (a new
 * version; the old ones never change).
 */

/** A rule set's stored versions, newest first; `latest` names the newest. */
export async function ruleSetVersions(db: Tx, rulesetId: string): Promise<Array<Omit<RuleVersionRow, 'source'>>> {
  return listRuleVersions(db, rulesetId);
}

/** One version of one rule set: `latest` or a full sha256 that belongs to it; undefined otherwise. */
export async function findVersion(db: Tx, rulesetId: string, ref: string): Promise<RuleVersionRow | undefined> {
  const row = ref === 'latest' ? await latestRuleVersion(db, rulesetId) : /^[0-9a-f]{64}$/.test(ref) ? await getRuleVersion(db, ref) : undefined;
  return row && row.ruleset_id === rulesetId ? row : undefined;
}

/**
 * What a browser posts, as the bytes a rule file would hold: a textarea submits CRLF
 * line ends, which would otherwise make an unchanged text a "new" version.
 */
export function normaliseSource(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export type CheckedSource =
  | { ok: true; ruleset: CompiledRuleSet; warnings: RuleProblem[] }
  | { ok: false; problems: RuleProblem[]; warnings: RuleProblem[] };

/**
 * The edited text checked as `loadRuleSet` checks a file, plus what an edit may not
 * change: the rule set's id (it names what is edited) and its subject (the track its
 * runs score).
 */
export function checkEditedSource(source: string, current: Pick<RuleVersionRow, 'ruleset_id' | 'subject'>): CheckedSource {
  const file = `${current.ruleset_id} (编辑中)`;
  const tooLarge = ruleFileTooLarge(Buffer.byteLength(source, 'utf8'), file);
  if (tooLarge) return { ok: false, problems: [tooLarge], warnings: [] };
  let loaded;
  try {
    loaded = loadRuleSet(source, file, ruleSchema());
  } catch (e) {
    if (e instanceof RuleFileInvalid) return { ok: false, problems: e.problems, warnings: e.warnings };
    throw e;
  }
  const { ruleset, warnings } = loaded;
  const { value, source: map } = parseJsonWithSource(source);
  const at = (pointer: string) => ({ file, pointer, ...map.at(pointer) });
  const problems: RuleProblem[] = [...editorProblems(value, map.duplicates, at)];
  if (ruleset.id !== current.ruleset_id) {
    problems.push({ code: 'RULESET_ID_CHANGED', message: `规则集编号应为 “${current.ruleset_id}”，编辑时不能更改（如需新规则集，请另建规则文件）`, ...at('/id') });
  }
  if (ruleset.subject !== current.subject) {
    problems.push({ code: 'SUBJECT_CHANGED', message: `考核对象应为 “${current.subject}”，编辑时不能更改`, ...at(ruleset.file.subject === undefined ? '' : '/subject') });
  }
  return problems.length ? { ok: false, problems, warnings } : { ok: true, ruleset, warnings };
}


/**
 * What the editor refuses beyond what a rule file may hold (RULES.md is silent on both, and the
 * command line takes them as JSON does): a key an object gives twice (JSON keeps the last, so the
 * first is silently lost), and a text with a control character, an invisible mark or a mark that
 * turns the direction of the text (a title printed on every 通报, a label on every scorecard).
 */
function editorProblems(value: unknown, duplicates: readonly string[], at: (pointer: string) => Omit<RuleProblem, 'code' | 'message'>): RuleProblem[] {
  const problems: RuleProblem[] = duplicates.map((pointer) => ({
    code: 'RULE_KEY_REPEATED', message: `键 “${pointer.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~')}” 在同一处出现了两次，只有后一个有效：请删去其中一个`, ...at(pointer),
  }));
  const walk = (v: unknown, pointer: string): void => {
    if (typeof v === 'string') {
      const m = UNFIT_MARK.exec(v);
      if (m) {
        const hex = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
        problems.push({ code: 'RULE_TEXT_INVALID', message: `文字的第${[...v.slice(0, m.index)].length + 1}个字符是换行、制表符、看不见的字符或改变文字方向的控制字符（U+${hex}）：请删去`, ...at(pointer) });
      }
    } else if (Array.isArray(v)) v.forEach((x, k) => walk(x, `${pointer}/${k}`));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${pointer}/${pointerToken(k)}`);
  };
  walk(value, '');
  return problems;
}

export type LabelledEdit =
  | { ok: true; source: string; ruleset: CompiledRuleSet; warnings: RuleProblem[]; relabelled: { from: string; to: string } | null }
  | { ok: false; problems: RuleProblem[]; warnings: RuleProblem[] };

/**
 * A checked edit with a label of its own. An edit that kept the label of the version it
 * edits is given the next free one (2024.1 → 2024.2), written into its `version`; one whose
 * label another version holds is refused at /version, naming the label to use. A text
 * identical to a stored version is that version, label and all.
 */
export async function labelEdit(db: Tx, source: string, checked: { ruleset: CompiledRuleSet; warnings: RuleProblem[] }, newest: RuleVersionRow): Promise<LabelledEdit> {
  const { ruleset, warnings } = checked;
  const sha = sha256(Buffer.from(source, 'utf8'));
  if (await getRuleVersion(db, sha)) return { ok: true, source, ruleset, warnings, relabelled: null };
  if (ruleset.version === newest.version) {
    const to = await proposedLabel(db, ruleset.id, ruleset.version);
    const relabelled = withLabel(source, to);
    const again = checkEditedSource(relabelled, newest);
    if (again.ok && again.ruleset.version === to) return { ok: true, source: relabelled, ruleset: again.ruleset, warnings: again.warnings, relabelled: { from: ruleset.version, to } };
  }
  const problem = await labelProblem(db, { rulesetId: ruleset.id, version: ruleset.version, sha256: sha, source, file: `${ruleset.id} (编辑中)` });
  return problem ? { ok: false, problems: [problem], warnings } : { ok: true, source, ruleset, warnings, relabelled: null };
}

/**
 * The run an edit is previewed on: of the track's newest period, the published run,
 * else the newest draft (else whatever run that period has).
 */
export async function previewBaseRun(db: Tx, track: string): Promise<RunRow | undefined> {
  const runs = await listRuns(db, { track });
  if (!runs.length) return undefined;
  const period = newestPeriodsFirst(runs.map((r) => ({ id: r.period_id })))[0]!.id;
  const inPeriod = runs.filter((r) => r.period_id === period);
  return inPeriod.find((r) => r.status === 'published') ?? inPeriod.find((r) => r.status === 'draft') ?? inPeriod[0];
}

export interface EditPreview {
  run?: RunRow;
  /** The version the base run was scored with (it may be older than the newest). */
  runRules?: { sha256: string; version: string };
  changes: UnitChange[];
  unitCount: number;
  /** Why the edit cannot be tried on the run's inputs (e.g. a new input the data lacks). */
  failure?: string;
}

/** What the edited rule set does to the current ranking: the base run's inputs scored again and compared. */
export async function previewEdit(db: Tx, ruleset: CompiledRuleSet): Promise<EditPreview> {
  // The newest run of the assessment scored by this rule set (村级千分考核 for village-annual).
  const run = await previewBaseRun(db, (await assessmentOfRuleSet(db, ruleset.id))?.id ?? ruleset.subject);
  if (!run) return { changes: [], unitCount: 0 };
  const { row } = await compiledVersion(db, run.rule_sha256);
  const before = await runResults(db, run.id);
  const runRules = { sha256: row.sha256, version: row.version };
  try {
    const after = await recomputeRun(db, run.id, ruleset);
    return { run, runRules, changes: diffResults(before.units, after.units), unitCount: after.units.length };
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    const shown = e.problems.slice(0, 5).map((p) => `${p.column}：${p.message}`);
    return { run, runRules, changes: [], unitCount: before.units.length, failure: `修改后的细则无法用第${run.id}号考核的数据记分：${shown.join('；')}${e.problems.length > 5 ? `等${e.problems.length}处` : ''}` };
  }
}

/**
 * Stores the edited text as a new version (by the sha256 of its UTF-8 bytes), with an
 * audit entry naming the version it replaces. Identical bytes are the version that
 * already exists: nothing is written.
 */
export async function saveEditedSource(db: Db, source: string, ruleset: CompiledRuleSet, warnings: RuleProblem[], by: string): Promise<{ sha: string; existed: boolean }> {
  const bytes = Buffer.from(source, 'utf8');
  const sha = sha256(bytes);
  if (await getRuleVersion(db, sha)) return { sha, existed: true };
  await inTransaction(db, async (tx) => {
    const previous = await latestRuleVersion(tx, ruleset.id);
    await saveRuleVersion(tx, { file: `${ruleset.id} (网页编辑)`, sha256: sha, bytes, ruleset, warnings }, by);
    await appendAudit(tx, {
      at: new Date().toISOString(), actor: by, action: 'rules.edit', subject: `${ruleset.id}@${sha.slice(0, 12)}`,
      detail: JSON.stringify({ version: ruleset.version, previous: previous?.sha256 ?? null }),
    });
  });
  return { sha, existed: false };
}

// ── side-by-side line diff (of two versions' JSON or documents) ──────────────

export interface DiffCell { no: number; text: string }

export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added' | 'skipped';
  left?: DiffCell;
  right?: DiffCell;
  /** For `skipped`: how many equal lines are folded away. */
  count?: number;
}

type Op = { op: 'same' | 'del' | 'add'; a?: number; b?: number };

/** The longest common subsequence of lines; past this many cells the middle is shown as replaced whole. */
const LCS_CELL_LIMIT = 4_000_000;

function lineOps(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const ops: Op[] = [];
  for (let k = 0; k < start; k++) ops.push({ op: 'same', a: k, b: k });
  const n = endA - start, m = endB - start;
  if (n * m > LCS_CELL_LIMIT) {
    for (let i = start; i < endA; i++) ops.push({ op: 'del', a: i });
    for (let j = start; j < endB; j++) ops.push({ op: 'add', b: j });
  } else {
    // lcs[i * (m + 1) + j]: the LCS length of a[start+i..endA) and b[start+j..endB).
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
      }
    }
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) { ops.push({ op: 'same', a: start + i++, b: start + j++ }); continue; }
      if (j >= m || (i < n && lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) ops.push({ op: 'del', a: start + i++ });
      else ops.push({ op: 'add', b: start + j++ });
    }
  }
  for (let k = 0; k < a.length - endA; k++) ops.push({ op: 'same', a: endA + k, b: endB + k });
  return ops;
}

/**
 * Two texts side by side: equal lines on both sides, a run of removed and added lines
 * paired row by row as changed, and long equal stretches folded to `context` lines
 * around each change.
 */
export function sideBySide(a: string[], b: string[], context = 3): { rows: DiffRow[]; changed: number } {
  const ops = lineOps(a, b);
  const rows: DiffRow[] = [];
  const cell = (lines: string[], k: number): DiffCell => ({ no: k + 1, text: lines[k] });
  for (let k = 0; k < ops.length;) {
    if (ops[k].op === 'same') { rows.push({ kind: 'same', left: cell(a, ops[k].a!), right: cell(b, ops[k].b!) }); k++; continue; }
    const dels: number[] = [], adds: number[] = [];
    for (; k < ops.length && ops[k].op !== 'same'; k++) (ops[k].op === 'del' ? dels.push(ops[k].a!) : adds.push(ops[k].b!));
    for (let r = 0; r < Math.max(dels.length, adds.length); r++) {
      const left = r < dels.length ? cell(a, dels[r]) : undefined;
      const right = r < adds.length ? cell(b, adds[r]) : undefined;
      rows.push({ kind: left && right ? 'changed' : left ? 'removed' : 'added', left, right });
    }
  }
  const changed = rows.filter((r) => r.kind !== 'same').length;
  const near = new Array<boolean>(rows.length).fill(false);
  rows.forEach((r, k) => {
    if (r.kind === 'same') return;
    for (let d = Math.max(0, k - context); d <= Math.min(rows.length - 1, k + context); d++) near[d] = true;
  });
  const folded: DiffRow[] = [];
  for (let k = 0; k < rows.length;) {
    if (near[k]) { folded.push(rows[k++]); continue; }
    let end = k;
    while (end < rows.length && !near[end]) end++;
    folded.push({ kind: 'skipped', count: end - k });
    k = end;
  }
  return { rows: folded, changed };
}
