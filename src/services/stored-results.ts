import { createHash } from 'node:crypto';
import type { ResultRow } from '../db/queries/results.js';
import { roundHalfUp } from '../engine/decimal.js';
import type { CompiledRuleSet, RankedUnit, ScoreJson, UnitJson } from '../engine/index.js';
import type { Env } from '../engine/expression/ast.js';
import type { UnitResult } from '../report/ranking-sheet.js';
import { dict, own } from '../engine/own.js';

/**
 * A result as the database keeps it (its row) and as the run's seal reads it (its §6 line).
 *
 * The row's detail holds the scores, values, metrics and inputs as arrays in the rule
 * version's own order (nodes, criteria, metrics, inputs), not as keyed objects: a
 * 100,000-unit run stores and reads a fifth of the text. The seal is the sha256 of the §6
 * units, one JSON line each, in order, and then the parents.
 */

/** The seal of a run's results, fed one unit at a time so that 100,000 units never make one string. */
export class ResultsDigest {
  private readonly hash = createHash('sha256');
  /** Lines are gathered as UTF-8 and hashed 64 KB at a time: a call to the hash for each of 100,000 lines cost more than the hashing. */
  private readonly pending = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  add(u: UnitJson): void {
    this.addLine(unitLine(u));
  }
  addLine(line: string): void {
    if (this.used + line.length * 3 > this.pending.length) { // at most 3 bytes a UTF-16 unit
      this.flush();
      if (line.length * 3 > this.pending.length) { this.hash.update(line); return; }
    }
    this.used += this.pending.write(line, this.used);
  }
  finish(parents: ScoreJson['parents']): string {
    this.flush();
    return this.hash.update(JSON.stringify(parents)).digest('hex');
  }
  private flush(): void {
    if (this.used > 0) this.hash.update(this.pending.subarray(0, this.used));
    this.used = 0;
  }
}

export function resultsDigest(units: UnitJson[], parents: ScoreJson['parents']): string {
  const d = new ResultsDigest();
  for (const u of units) d.add(u);
  return d.finish(parents);
}

/** A unit's line of the seal: its §6 JSON, fields in their order. */
export function unitLine(u: UnitJson): string {
  const { id, name, parent, total, rank, grade, vetoed, vetoes, sanctions, bonus, penalty, scores, values } = u;
  return `${JSON.stringify({ id, name, parent, total, rank, grade, vetoed, vetoes, sanctions, bonus, penalty, scores, values })}\n`;
}

export function fromRow(rs: CompiledRuleSet, r: ResultRow): UnitResult {
  const [scores, values, metrics, inputs, applicablePoints] = JSON.parse(r.detail) as [Array<number | null>, Array<number | null>, Array<number | null> | null, unknown[] | null, number | undefined];
  const keyed = <T>(names: string[], list: T[]) => Object.fromEntries(names.map((name, k) => [name, list[k]]));
  return {
    id: r.unit_id, name: r.name, parent: r.parent_id, total: Number(r.total), rank: Number(r.rank), grade: r.grade,
    vetoed: Boolean(r.vetoed), vetoes: JSON.parse(r.vetoes), sanctions: JSON.parse(r.sanctions),
    bonus: Number(r.bonus), penalty: Number(r.penalty),
    scores: keyed(rs.nodes.map((n) => n.id), scores),
    values: keyed(rs.criteria.map((c) => c.id), values),
    metrics: metrics ? keyed(rs.metrics.map((m) => m.name), metrics) : undefined,
    inputs: inputs ? keyed(rs.inputs.map((i) => i.name), inputs) : undefined,
    applicablePoints: applicablePoints ?? rs.totalPoints,
  };
}

/**
 * A scored unit's row and seal line written straight from its scores (its own, or scored
 * again into scratch arrays: `scores`, `bonus`, `penalty`) and values (`env`), each
 * number turned into text once for both: the same text as toRow and unitLine give from
 * the §6 object (tested equal), without making that object and its two keyed maps for
 * each of 100,000 units. Keys are written in the order JSON.stringify gives an object's.
 */
export function storedForms(
  rs: CompiledRuleSet, runId: number, position: number, u: RankedUnit,
  { scores, bonus, penalty, applicablePoints }: Pick<RankedUnit, 'scores' | 'bonus' | 'penalty'> & { applicablePoints?: number }, env: Env, cells: Record<string, unknown>,
): { row: ResultRow; line: string } {
  const keys = keysOf(rs);
  // Each text is made once and the strings are joined by concatenation (V8 joins them when
  // they are first read): no array of pieces and no second pass over them.
  const scoreText = new Array<string>(rs.nodes.length);
  let detail = '[[';
  // An item that does not apply has no score (§7.3): null; so has a group whose sum passes what a double holds (two
  // items of floor −1e308), as JSON.stringify writes it in the §6 object: JSON has no Infinity.
  for (let k = 0; k < scoreText.length; k++) detail += (k ? ',' : '') + (scoreText[k] = scores[k] - scores[k] === 0 ? String(scores[k]) : 'null');
  const valueText = new Array<string>(rs.criteria.length);
  detail += '],[';
  for (let k = 0; k < valueText.length; k++) {
    const c = rs.criteria[k];
    const v = c.value && scores[c.index] === scores[c.index] ? c.value(env) : NaN;
    detail += (k ? ',' : '') + (valueText[k] = v - v === 0 ? String(roundHalfUp(v, 4)) : 'null'); // JSON has no Infinity
  }
  detail += '],[';
  for (let k = 0; k < rs.metrics.length; k++) {
    const v = env[rs.metrics[k].slot];
    detail += (k ? ',' : '') + (v - v === 0 ? String(v) : 'null');
  }
  detail += '],[';
  for (let k = 0; k < rs.inputs.length; k++) detail += (k ? ',' : '') + jsonValue(own(cells, rs.inputs[k].name));
  // The applicable points where some items may not apply (§7.3); without conditions they are the total's points.
  // (at the rule set's precision, as the §7.10 output prints them and another assessment reads them).
  detail += rs.conditional && applicablePoints !== undefined ? `],${roundHalfUp(applicablePoints, rs.precision)}]` : ']]';

  const vetoes = JSON.stringify(u.vetoes), sanctions = JSON.stringify(u.sanctions);
  const { id, name, parent } = u.unit;
  const { total, rank, grade, vetoed } = u;
  let line = `{"id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"parent":${JSON.stringify(parent)},"total":${total},"rank":${rank},`
    + `"grade":${JSON.stringify(grade)},"vetoed":${vetoed},"vetoes":${vetoes},"sanctions":${sanctions},"bonus":${bonus},"penalty":${penalty},"scores":{`;
  for (let j = 0; j < keys.scoreAt.length; j++) line += (j ? ',' : '') + keys.scoreKey[j] + scoreText[keys.scoreAt[j]];
  line += '},"values":{';
  for (let j = 0; j < keys.valueAt.length; j++) line += (j ? ',' : '') + keys.valueKey[j] + valueText[keys.valueAt[j]];
  line += '}}\n';
  return {
    line,
    row: { run_id: runId, unit_id: id, name, parent_id: parent, position, rank, total, bonus, penalty, grade, vetoed, vetoes, sanctions, detail },
  };
}

/** A cell as JSON; a finite number or a yes/no written as JSON.stringify would, without its general walk. */
function jsonValue(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v ?? null);
}

/**
 * For each keyed map of the §6 line, in the order JSON.stringify writes its keys: the index
 * of each entry (`…At`) and its `"key":` text (`…Key`).
 */
interface Keys { scoreAt: number[]; scoreKey: string[]; valueAt: number[]; valueKey: string[]; }
const keysByRuleSet = new WeakMap<CompiledRuleSet, Keys>();

function keysOf(rs: CompiledRuleSet): Keys {
  let keys = keysByRuleSet.get(rs);
  if (!keys) {
    const scores = inJsonOrder(rs.nodes.map((n) => n.id)), values = inJsonOrder(rs.criteria.map((c) => c.id));
    keys = { scoreAt: scores.map(([k]) => k), scoreKey: scores.map(([, key]) => key), valueAt: values.map(([k]) => k), valueKey: values.map(([, key]) => key) };
    keysByRuleSet.set(rs, keys);
  }
  return keys;
}

/** Builds an object the way unitJson does and reads back its key order (integer-like keys come first). */
function inJsonOrder(ids: string[]): Array<[number, string]> {
  const probe = dict<number>();
  ids.forEach((id, k) => { probe[id] = k; });
  return Object.keys(probe).map((id) => [probe[id], `${JSON.stringify(id)}:`]);
}
