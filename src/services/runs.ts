import { createHash } from 'node:crypto';
import { createGzip, gunzipSync } from 'node:zlib';
import {
  appraise, scoreAgainInto, DataInvalid, explainAdjustment, explainPartVeto, explainVeto, metricValues, type DataProblem, explainCriterion, readUnits, scoreJson, sourceTable, unitJson, unitsForReasons,
  type CompiledRuleSet, type DataTable, type RankedUnit, type ScoreJson, type UnitJson,
} from '../engine/index.js';
import type { Env } from '../engine/expression/ast.js';
import { type Db, type Tx, inTransaction } from '../db/connection.js';
import { fromRow, ResultsDigest, resultsDigest, storedForms } from './stored-results.js';
import { perDatabase } from './per-database.js';
import { appendAudit } from '../db/queries/audit.js';
import { setCorrectionRun } from '../db/queries/appeals.js';
import { countInputs, pinnedInputPages } from '../db/queries/inputs.js';
import { getPeriod } from '../db/queries/periods.js';
import { periodTitle } from './period.js';
import { assessmentOfRuleSet, assessmentTitle, getAssessment } from './assessments.js';
import { insertParentResults, parentResultsOf, resultsWriter, resultsOf, type ResultRow } from '../db/queries/results.js';
import { getRun, insertRun, listRuns, markPublished, markSuperseded, publishedRun, sealRun, type RunRow } from '../db/queries/runs.js';
import { getSnapshot, saveSnapshot } from '../db/queries/snapshots.js';
import { insertRunSources } from '../db/queries/run-sources.js';
import { resolveSources, SourcesRefused } from './sources.js';
import { flatRows, tableFromJsonRows, type SnapshotUnit } from '../io/data-file.js';
import { jsonArrayParts } from '../io/json-array.js';
import { sha256 } from '../io/rule-file.js';
import type { UnitResult } from '../report/ranking-sheet.js';
import { faultPoint } from './fault.js';
import { dateInWords, defaultReviewUntil, isDate, latestReviewUntil, MAX_REVIEW_DAYS, today } from './review-period.js';
import { announceReview } from './run-notices.js';
import { writeWhileMaking } from './overlapped-writes.js';
import { compiledVersion, resolveRuleVersion } from './rule-versions.js';
import { dict, own, table } from '../engine/own.js';
import { correctionReason, tellCorrection } from './corrections.js';
import { pinnedEvents } from './events-ledger.js';

/**
 * Appraisal runs: a run pins one rule version and one snapshot of the inputs, scores
 * them and stores every result. Draft → published; a published run never changes; a
 * correction (更正) is a new run that supersedes it; `verify` recomputes a run from
 * what it pinned and compares.
 */

export class RunRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}


/** The results of a run as stored: what RULES.md §6 prints, and the reason for each score. */
export interface StoredResults { units: UnitResult[]; parents: ScoreJson['parents']; }

/** The reason behind each score of a unit, from its values and its scores. */
function explanations(rs: CompiledRuleSet, env: Env, score: (criterionIndex: number) => number): Record<string, string> {
  const out = dict<string>();
  for (const c of rs.criteria) out[c.id] = explainCriterion(rs, c, env, score(c.index));
  for (const [kind, block] of [['bonus', rs.bonus], ['penalty', rs.penalty]] as const) {
    for (const item of block?.items ?? []) out[item.id] = explainAdjustment(rs, item.method, env, item.title, kind);
  }
  // A unit-level veto by the facts that decide it (ids are unique in a rule file: no clause's reason is overwritten).
  for (const v of rs.vetoes) out[v.id] = explainVeto(rs, v.id, env);
  return out;
}

/** The facts that decide each part's own veto (vetoIf), by the part's id: apart from the clauses' reasons, which share no key with them. */
function partVetoReasons(rs: CompiledRuleSet, env: Env): Record<string, string> | undefined {
  if (rs.vetoNodes.length === 0) return undefined;
  const out = dict<string>();
  for (const node of rs.vetoNodes) out[node.id] = explainPartVeto(rs, node.id, env);
  return out;
}

/**
 * Stored results with the reason behind each score. The reasons are not stored as text:
 * they follow from the unit's pinned inputs (kept with its result) and the run's rule
 * version, which never change — storing them made a 100,000-unit run five times larger.
 */
export async function withExplanations(db: Tx, run: RunRow, units: UnitResult[]): Promise<UnitResult[]> {
  if (units.length === 0) return units;
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  // A reason that compares with the other units (全乡第3名) reads them too: the unit's own scope, or every unit with scope all.
  const scope = ruleset.peers.length === 0 ? units
    : (await runResults(db, run.id, ruleset.ranking.scope === 'parent' && units.length === 1 && units[0].parent !== null ? { parentId: units[0].parent } : {})).units;
  const rows = scope.map((u) => ({ id: u.id, name: u.name, parent: u.parent, inputs: u.inputs ?? {} }));
  const read = new Map(unitsForReasons(ruleset, tableFromJsonRows(rows, `run ${run.id}`)).map((r) => [r.id, r]));
  return units.map((u) => {
    const env = read.get(u.id)!.env;
    return { ...u, explanations: explanations(ruleset, env, (i) => u.scores[ruleset.nodes[i].id] ?? NaN), partVetoReasons: partVetoReasons(ruleset, env) };
  });
}


/**
 * Scores a snapshot: the ranking, and the stored form of the units, made a slice at a
 * time (`take` as §6 objects, `store` as rows and seal lines). A unit's pinned inputs are
 * its row's cells (its inputs and links, by name). Each unit taken is let go, with its
 * row: storing 100,000 results then holds only the slice being written.
 */
function score(rs: CompiledRuleSet, table: DataTable) {
  const appraisal = appraise(rs, table);
  const ranked: Array<RankedUnit | undefined> = appraisal.units;
  const rows: Array<DataTable['rows'][number] | undefined> = table.rows;
  function each<T>(from: number, to: number, make: (u: RankedUnit, cells: Record<string, unknown>, position: number) => T): T[] {
    const out: T[] = [];
    for (let i = from; i < Math.min(to, ranked.length); i++) {
      const u = ranked[i]!;
      const k = u.unit.row - 2;
      out.push(make(u, rows[k]!.cells, i));
      ranked[i] = undefined;
      rows[k] = undefined;
    }
    return out;
  }
  return {
    count: ranked.length,
    parents: appraisal.parents,
    take: (from: number, to: number): UnitResult[] =>
      each(from, to, (u, cells) => { const env = u.unit.env; return { ...unitJson(rs, u, env), metrics: metricValues(rs, env), inputs: cells }; }),
    store: (from: number, to: number, runId: number) => {
      // Each unit scored again into the same two arrays: no array of its own to collect for each of 100,000.
      const env = new Float64Array(rs.slotCount), scores = new Float64Array(rs.nodes.length);
      return each(from, to, (u, cells, position) => {
        return storedForms(rs, runId, position, u, { scores, ...scoreAgainInto(rs, u.unit, env, scores) }, env, cells);
      });
    },
  };
}

export interface CreateRunRequest {
  periodId: string;
  track?: string;
  rules?: string;
  by: string;
  /** The published run this one corrects (更正). */
  corrects?: number;
  note?: string;
  onProgress?: (step: string, done: number, total: number) => void;
}

export async function createRun(db: Db, req: CreateRunRequest): Promise<RunRow> {
  const track = req.track ?? 'village';
  if (!(await getPeriod(db, req.periodId))) throw new RunRefused('PERIOD_NOT_FOUND', `没有考核期 “${req.periodId}” 的数据，请先导入`);
  const corrected = req.corrects !== undefined ? await getRun(db, req.corrects) : undefined;
  if (req.corrects !== undefined) {
    if (!corrected || (corrected.status !== 'published' && corrected.status !== 'final') || corrected.period_id !== req.periodId || corrected.track !== track) {
      throw new RunRefused('NOT_CORRECTABLE', `第${req.corrects}号考核不是${periodTitle(req.periodId)}公示中或已定稿的结果，不能更正`);
    }
  }
  const assessment = await getAssessment(db, track);
  if (!assessment || (assessment.disabled_at && !corrected)) throw new RunRefused('ASSESSMENT_NOT_FOUND', `没有考核 “${track}”，或该考核已停用`);
  // A correction says why (on the command line too: --note).
  const note = corrected ? correctionReason(req.note) : req.note ?? null;
  // A correction keeps the rule version of the run it corrects unless another is named, and only one of the same rule set.
  const ruleSha = corrected && req.rules === undefined ? corrected.rule_sha256 : await resolveRuleVersion(db, req.rules, track, req.by);
  const { ruleset, row: version } = await compiledVersion(db, ruleSha);
  if (corrected) {
    const { row: own } = await compiledVersion(db, corrected.rule_sha256);
    if (own.ruleset_id !== version.ruleset_id) throw new RunRefused('RULE_VERSION_NOT_OF_SET', `更正须使用第${corrected.id}号考核所用规则集（${own.title}）的版本，而不是 “${version.ruleset_id}”`);
  }
  if (ruleset.subject !== assessment.unit_kind) {
    throw new RunRefused('TRACK_MISMATCH', `规则集 “${ruleset.id}” 考核的是${ruleset.subject === 'staff' ? '工作人员' : '村（社区）'}，不能用于“${assessment.title}”`);
  }

  const pinned = await pinnedInputs(db, ruleset, req.periodId, track);
  req.onProgress?.('score', 0, pinned.rowCount);
  const scored = score(ruleset, pinned.table);
  const at = new Date().toISOString();

  return inTransaction(db, async (tx) => {
    const snapshotId = await saveSnapshot(tx, {
      period_id: req.periodId, track, sha256: pinned.sha256, row_count: pinned.rowCount, content: pinned.gzip, created_at: at,
    });
    // The seal is known once every unit is written; a draft may be updated until then.
    const runId = await insertRun(tx, {
      period_id: req.periodId, track, rule_sha256: ruleSha, snapshot_id: snapshotId, status: 'draft',
      supersedes_id: req.corrects ?? null, note, unit_count: scored.count,
      results_sha256: '', created_by: req.by, created_at: at,
    });
    const digest = new ResultsDigest();
    const total = scored.count;
    const results = resultsWriter(tx);
    try {
      await writeWhileMaking(
        Math.ceil(total / STORE_CHUNK),
        (k) => scored.store(k * STORE_CHUNK, (k + 1) * STORE_CHUNK, runId).map(({ row, line }) => {
          digest.addLine(line);
          return row;
        }),
        async (rows, k) => {
          await results.write(rows);
          req.onProgress?.('store', Math.min(total, (k + 1) * STORE_CHUNK), total);
        },
      );
    } finally {
      await results.close();
    }
    await insertRunSources(tx, pinned.sources.map((r) => ({ ...r, run_id: runId })));
    await insertParentResults(tx, scored.parents.map((p) => ({ run_id: runId, parent_id: p.id, sanctions: JSON.stringify(p.sanctions) })));
    await sealRun(tx, runId, digest.finish(scored.parents));
    await faultPoint('run');
    await appendAudit(tx, {
      at, actor: req.by, action: req.corrects !== undefined ? 'run.correct' : 'run.create', subject: `run ${runId}`,
      detail: JSON.stringify({
        period: req.periodId, track, rules: ruleSha, units: total, corrects: req.corrects ?? null,
        sources: Object.fromEntries(pinned.sources.map((r) => [r.source, r.source_run_id])),
        ...(corrected ? { note, ownRules: ruleSha === corrected.rule_sha256 } : {}),
      }),
    });
    return (await getRun(tx, runId))!;
  });
}

/**
 * The inputs a run pins (its snapshot), read a page at a time: each unit's stored inputs,
 * its standing events of the period under each events input (事件台账, an empty list where it
 * has none), and, for a rule set with links (双线考核), the linked results added as columns, so that
 * the snapshot holds what was scored. The snapshot's bytes are hashed and compressed as
 * they come, and its units become the rows of the table to score.
 */
async function pinnedInputs(db: Tx, rs: CompiledRuleSet, periodId: string, track: string) {
  const file = `snapshot ${periodId}/${track}`;
  if ((await countInputs(db, periodId, track)) === 0) throw new RunRefused('NO_INPUTS', `${periodTitle(periodId)}还没有${(await assessmentTitle(db, track)) ?? track}的数据，请先录入或导入`);
  const sources = await resolveSources(db, rs, periodId, (id) => runResults(db, id)).catch((e: unknown) => {
    if (e instanceof SourcesRefused) throw new RunRefused(e.code, e.message);
    throw e;
  });
  const labels = new Map(sources.rows.map((r) => [r.source, r.source_run_id === null ? r.label : `${r.label}第${r.source_run_id}号考核`]));
  // The events ledger (§7.6): each unit's standing events, under the input's name, and nothing else under it.
  const eventInputs = rs.inputs.filter((i) => i.type === 'events').map((i) => i.name);
  const events = await pinnedEvents(db, periodId, rs);
  const hash = createHash('sha256');
  const gzip = createGzip({ level: 1 });
  const compressed: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => compressed.push(chunk));
  const ended = new Promise((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  const write = (bytes: Buffer) => new Promise<void>((resolve, reject) => {
    hash.update(bytes);
    gzip.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
  const rows: Array<Record<string, unknown>> = [];
  const sourceProblems: DataProblem[] = [];
  await write(Buffer.from('['));
  for await (const page of pinnedInputPages(db, periodId, track, PIN_PAGE, PIN_PART)) {
    let units = JSON.parse(page.json.toString('utf8')) as SnapshotUnit[];
    let json = page.json;
    if (rs.sources.length) {
      // Numbered as rows of the whole snapshot, not of this page; every page's problems reported together.
      const paged = tableFromJsonRows(units, file);
      let table: DataTable = { ...paged, rows: paged.rows.map((r) => ({ ...r, row: r.row + rows.length })) };
      for (const s of rs.sources) table = sourceTable(rs, table, s.name, sources.results.get(s.name), labels.get(s.name) ?? s.label, sourceProblems);
      units = units.map((u, k) => ({ ...u, inputs: { ...u.inputs, ...pick(table.rows[k].cells, rs) } }));
      json = Buffer.from(JSON.stringify(units));
    }
    if (eventInputs.length) {
      units = units.map((u) => {
        const own = events.get(u.id);
        return { ...u, inputs: { ...u.inputs, ...Object.fromEntries(eventInputs.map((name) => [name, own?.[name] ?? []])) } };
      });
      json = Buffer.from(JSON.stringify(units));
    }
    await write(rows.length ? Buffer.concat([Buffer.from(','), json.subarray(1, -1)]) : json.subarray(1, -1));
    for (const row of flatRows(units)) rows.push(row);
  }
  if (sourceProblems.length) throw new DataInvalid(sourceProblems);
  await write(Buffer.from(']'));
  gzip.end();
  await ended;
  return { table: tableFromJsonRows(rows, file), sha256: hash.digest('hex'), gzip: Buffer.concat(compressed), rowCount: rows.length, sources: sources.rows };
}

/** Units read from the database per query when a run pins its inputs, and per part of text. */
const PIN_PAGE = 1000, PIN_PART = 50;

/**
 * Units made into stored rows at a time, so that 100,000 never sit in memory as rows at once.
 * A slice waits while the one before it is written, and the garbage collector copies what
 * waits: 125 units a slice ran 100,000 in about 7.4 s, 250 in 8.5 s (measured in turn).
 */
const STORE_CHUNK = 125;

/** The linked columns of a row. */
function pick(cells: Record<string, unknown>, rs: CompiledRuleSet): Record<string, unknown> {
  return Object.fromEntries(rs.inputs.filter((i) => i.link).map((i) => [i.name, own(cells, i.name)]));
}

/**
 * A run's results never change once written (the database refuses it), so the pages
 * read them from memory after the first time: a few runs of a county, not a province.
 * The cache belongs to one database (its connection settings), so that run 1 of one
 * database is never taken for run 1 of another.
 */
const CACHE_UNITS = 50_000;
const cacheOf = perDatabase(() => ({ runs: new Map<number, StoredResults>(), units: 0 }));

export async function runResults(db: Tx, runId: number, filter: { parentId?: string; unitId?: string; fresh?: boolean } = {}): Promise<StoredResults> {
  const cache = cacheOf(db);
  const cached = filter.fresh ? undefined : cache.runs.get(runId);
  if (cached) return filtered(cached, filter);
  const run = await requireRun(db, runId);
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const parents = (await parentResultsOf(db, runId)).map((p) => ({ id: p.parent_id, sanctions: JSON.parse(p.sanctions) }));
  const count = run.unit_count;
  if (filter.fresh || count > CACHE_UNITS || run.results_sha256 === '') {
    return { units: (await resultsOf(db, runId, { parentId: filter.parentId, unitId: filter.unitId })).map((r) => fromRow(ruleset, r)), parents };
  }
  const all: StoredResults = { units: (await resultsOf(db, runId)).map((r) => fromRow(ruleset, r)), parents };
  while (cache.units + count > CACHE_UNITS && cache.runs.size) {
    const [oldest, dropped] = cache.runs.entries().next().value as [number, StoredResults];
    cache.runs.delete(oldest);
    cache.units -= dropped.units.length;
  }
  cache.runs.set(runId, all);
  cache.units += count;
  return filtered(all, filter);
}

function filtered(all: StoredResults, filter: { parentId?: string; unitId?: string }): StoredResults {
  if (filter.parentId === undefined && filter.unitId === undefined) return all;
  return {
    parents: all.parents,
    units: all.units.filter((u) => (filter.unitId === undefined || u.id === filter.unitId) && (filter.parentId === undefined || u.parent === filter.parentId)),
  };
}

export async function requireRun(db: Tx, runId: number): Promise<RunRow> {
  const run = await getRun(db, runId);
  if (!run) throw new RunRefused('RUN_NOT_FOUND', `没有第${runId}号考核`);
  return run;
}

/**
 * Publishes a draft; a correction supersedes the run it corrects in the same
 * transaction. Of two publishes of one period at once exactly one wins: the first
 * write takes the lock, and a unique index allows one published run per period.
 */
export async function publishRun(db: Db, runId: number, by: string, reviewUntil: string = defaultReviewUntil()): Promise<{ run: RunRow; superseded?: RunRow }> {
  const at = new Date().toISOString();
  if (!isDate(reviewUntil) || reviewUntil < today()) throw new RunRefused('REVIEW_UNTIL_INVALID', `公示截止日期应为今天或以后的日期（年-月-日），而不是“${String(reviewUntil).slice(0, 40)}”`);
  if (reviewUntil > latestReviewUntil()) throw new RunRefused('REVIEW_UNTIL_INVALID', `公示期最长${MAX_REVIEW_DAYS}天：截止日期不能晚于${dateInWords(latestReviewUntil())}，而不是${dateInWords(reviewUntil)}`);
  const run = await requireRun(db, runId);
  try {
    // The first statement writes, so the transaction holds the write lock from its start
    // (SQLite cannot upgrade a read snapshot that another writer has moved past).
    return await inTransaction(db, async (tx) => {
      if (run.supersedes_id !== null && !(await markSuperseded(tx, run.supersedes_id, runId))) {
        throw new RunRefused('ALREADY_SUPERSEDED', `第${run.supersedes_id}号考核已被更正或尚未发布，第${runId}号更正不能发布`);
      }
      if (!(await markPublished(tx, runId, by, at, reviewUntil))) {
        const now = await requireRun(tx, runId);
        throw new RunRefused('NOT_A_DRAFT', `第${runId}号考核已是“${STATUS[now.status]}”状态，不能再发布`);
      }
      if (run.supersedes_id !== null) {
        await tellCorrection(tx, (await getRun(tx, runId))!, (await getRun(tx, run.supersedes_id))!);
        // The accepted appeals of the corrected run that no published correction answered yet are answered by this one.
        await setCorrectionRun(tx, run.supersedes_id, runId);
      }
      await faultPoint('publish');
      await announceReview(tx, run, reviewUntil);
      await appendAudit(tx, { at, actor: by, action: 'run.publish', subject: `run ${runId}`, detail: JSON.stringify({ period: run.period_id, track: run.track, supersedes: run.supersedes_id, reviewUntil }) });
      return { run: (await getRun(tx, runId))!, superseded: run.supersedes_id !== null ? await getRun(tx, run.supersedes_id) : undefined };
    });
  } catch (e) {
    if (e instanceof RunRefused) throw e;
    if (isUniqueViolation(e)) {
      const other = await publishedRun(db, run.period_id, run.track);
      throw new RunRefused('PERIOD_ALREADY_PUBLISHED', `该考核期已发布第${other?.id ?? '?'}号结果；如需修改，请在第${other?.id ?? "?"}号考核的页面选择“更正”`);
    }
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new RunRefused('BUSY', '数据库正被另一项操作占用，请稍后重试');
    }
    throw e;
  }
}

/** A run's status in words (a run under 公示 past its deadline is still 公示中 here; `runState` tells the two apart). */
export const STATUS: Readonly<Record<string, string>> = table({ draft: '草稿', published: '公示中', final: '已定稿', superseded: '已更正', discarded: '已作废' });

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err.code === '23505' || err.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(err.message ?? '');
}

export interface UnitChange {
  unitId: string;
  name: string | null;
  before?: { rank: number; total: number; grade: string | null; vetoed: boolean; sanctions: string[] };
  after?: { rank: number; total: number; grade: string | null; vetoed: boolean; sanctions: string[] };
  changes: string[];
}

/** What changed between two runs, unit by unit: ranks, totals, grades, vetoes and sanctions. */
export async function compareRuns(db: Tx, oldId: number, newId: number): Promise<UnitChange[]> {
  const [before, after] = await Promise.all([runResults(db, oldId), runResults(db, newId)]);
  return diffResults(before.units, after.units);
}

/** What changed between two sets of results, unit by unit (also used to preview a rule edit). */
export function diffResults(before: UnitResult[], after: UnitResult[]): UnitChange[] {
  const summary = (u: UnitResult) => ({ rank: u.rank, total: u.total, grade: u.grade, vetoed: u.vetoed, sanctions: u.sanctions.map((s) => s.label) });
  const old = new Map(before.map((u) => [u.id, u]));
  const changes: UnitChange[] = [];
  const seen = new Set<string>();
  for (const u of after) {
    seen.add(u.id);
    const o = old.get(u.id);
    if (!o) { changes.push({ unitId: u.id, name: u.name, after: summary(u), changes: ['新增单位'] }); continue; }
    const c: string[] = [];
    if (o.rank !== u.rank) c.push(`排名 ${o.rank} → ${u.rank}`);
    if (o.total !== u.total) c.push(`总分 ${o.total} → ${u.total}`);
    if (o.grade !== u.grade) c.push(`等级 ${o.grade ?? '无'} → ${u.grade ?? '无'}`);
    if (o.vetoed !== u.vetoed) c.push(u.vetoed ? '新增一票否决' : '撤销一票否决');
    const os = o.sanctions.map((s) => s.label).join('、'), ns = u.sanctions.map((s) => s.label).join('、');
    if (os !== ns) c.push(`奖惩 ${os || '无'} → ${ns || '无'}`);
    if (c.length) changes.push({ unitId: u.id, name: u.name, before: summary(o), after: summary(u), changes: c });
  }
  for (const o of before) if (!seen.has(o.id)) changes.push({ unitId: o.id, name: o.name, before: summary(o), changes: ['单位被移除'] });
  return changes;
}

/** A run's pinned inputs scored again, with its own rule version or another (to preview an edit). */
export async function recomputeRun(db: Tx, runId: number, ruleset?: CompiledRuleSet): Promise<StoredResults & { snapshotIntact: boolean }> {
  const run = await requireRun(db, runId);
  const rs = ruleset ?? (await compiledVersion(db, run.rule_sha256)).ruleset;
  const snap = await getSnapshot(db, run.snapshot_id);
  if (!snap) throw new RunRefused('SNAPSHOT_MISSING', `第${runId}号考核的输入快照不见了`);
  const content = gunzipSync(snap.content);
  const units: SnapshotUnit[] = [];
  for (const part of jsonArrayParts(content)) for (const unit of part) units.push(unit as SnapshotUnit);
  const rows = flatRows(units);
  const scored = score(rs, tableFromJsonRows(rows, `snapshot of run ${runId}`));
  const results = { units: scored.take(0, scored.count), parents: scored.parents };
  return { ...results, snapshotIntact: sha256(content) === snap.sha256 };
}

export interface VerifyReport {
  runId: number;
  identical: boolean;
  /** What differs, unit by unit and field by field (empty when identical). */
  differences: Array<{ unitId: string; field: string; stored: unknown; recomputed: unknown }>;
  snapshotIntact: boolean;
  sealIntact: boolean;
}

/** Recomputes a run from its pinned rule version and input snapshot and compares with what is stored. */
export async function verifyRun(db: Db, runId: number): Promise<VerifyReport> {
  const run = await requireRun(db, runId);
  const { snapshotIntact, ...results } = await recomputeRun(db, runId);
  const stored = await runResults(db, runId, { fresh: true }); // what is in the database, not what a page cached

  const differences: VerifyReport['differences'] = [];
  const storedById = new Map(stored.units.map((u) => [u.id, u]));
  const fields: Array<keyof UnitResult> = ['name', 'parent', 'total', 'rank', 'grade', 'vetoed', 'vetoes', 'sanctions', 'bonus', 'penalty', 'scores', 'values'];
  for (const u of results.units) {
    const s = storedById.get(u.id);
    if (!s) { differences.push({ unitId: u.id, field: '(unit)', stored: null, recomputed: u.id }); continue; }
    storedById.delete(u.id);
    for (const f of fields) {
      if (JSON.stringify(s[f]) !== JSON.stringify(u[f])) differences.push({ unitId: u.id, field: f, stored: s[f], recomputed: u[f] });
    }
  }
  for (const id of storedById.keys()) differences.push({ unitId: id, field: '(unit)', stored: id, recomputed: null });
  if (JSON.stringify(stored.parents) !== JSON.stringify(results.parents)) {
    differences.push({ unitId: '(parents)', field: 'sanctions', stored: stored.parents, recomputed: results.parents });
  }
  const order = stored.units.map((u) => u.id).join('\n') === results.units.map((u) => u.id).join('\n');
  if (!order) differences.push({ unitId: '(all)', field: 'order', stored: 'stored order', recomputed: 'recomputed order' });
  const sealIntact = resultsDigest(stored.units, stored.parents) === run.results_sha256;
  return { runId, identical: differences.length === 0 && snapshotIntact && sealIntact, differences, snapshotIntact, sealIntact };
}

export { listRuns, unitJson };
