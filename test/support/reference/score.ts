import { createHash } from 'node:crypto';
import { clamp, compare, nine, roundAt } from './decimal.js';
import { entries, own, readData, ReferenceDataInvalid, type DataProblem, type EventRow, type Json, type UnitRow } from './data.js';
import { evaluate, holds, namesIn, parse, type Scope, type Value } from './expression.js';

/**
 * The reference scorer: RULES.md (version 2, §1–§7) read literally, one unit and one clause at a time.
 * Plain rather than fast (only peer values are worked out once per scope); written without looking at
 * src/engine, to cross-check it (test/engine/reference.test.ts).
 */

export interface Entry { outcome: string; label: string }
export interface UnitOutput {
  id: string; name: string | null; parent: string | null;
  total: number; rank: number; grade: string | null; vetoed: boolean;
  vetoes: Array<{ id: string; title: string }>; sanctions: Entry[];
  bonus: number; penalty: number;
  scores: Record<string, number | null>; values: Record<string, number | null>;
  metrics: Record<string, number | boolean | string | null>; applicablePoints: number;
}
export interface ScoreJsonOutput {
  ruleset: { id: string; version: string; sha256: string };
  units: UnitOutput[];
  parents: Array<{ id: string; sanctions: Entry[] }>;
}
export interface ReferenceOptions { events?: EventRow[]; sources?: Record<string, ScoreJsonOutput> }

interface SourceDecl { name: string; match: 'self' | 'parent'; required: boolean; scores: string[]; metrics: string[] }

/** The names a unit's expressions read: inputs, metrics, sources; after scoring, its results too. */
class UnitScope implements Scope {
  readonly metricValues = new Map<string, Value>();
  results: Map<string, Value> | undefined;
  peerList: UnitScope[] = [];
  constructor(readonly unit: UnitRow, readonly metrics: Map<string, string>, readonly sources: Map<string, { decl: SourceDecl; result: Json }>) {}

  peers(): Scope[] { return this.peerList; }

  name(name: string): Value {
    // An input or metric named like an item stays the input or metric (vetoes-criterion-vetoif.json).
    if (this.unit.values.has(name)) return this.unit.values.get(name);
    if (this.metrics.has(name)) {
      if (!this.metricValues.has(name)) this.metricValues.set(name, evaluate(parse(this.metrics.get(name) as string), this));
      return this.metricValues.get(name);
    }
    if (this.results?.has(name)) return this.results.get(name);
    const dot = name.indexOf('.');
    if (dot > 0) return this.sourceName(name.slice(0, dot), name.slice(dot + 1));
    return undefined;
  }

  private sourceName(source: string, field: string): Value {
    const found = this.sources.get(source);
    if (!found || !found.result) return undefined;
    const { decl, result } = found;
    const defined = (v: unknown): Value => (v === null || v === undefined ? undefined : (v as Value));
    if (['total', 'rank', 'bonus', 'penalty', 'applicablePoints'].includes(field)) return typeof own(result, field) === 'number' ? own(result, field) as number : undefined;
    if (field === 'vetoed') return typeof own(result, 'vetoed') === 'boolean' ? own(result, 'vetoed') as boolean : undefined;
    if (field === 'grade') return typeof own(result, 'grade') === 'string' ? own(result, 'grade') as string : undefined;
    if (decl.scores.includes(field)) return defined(own(own(result, 'scores'), field));
    if (decl.metrics.includes(field)) return defined(own(own(result, 'metrics'), field));
    return undefined;
  }
}

function sourceDecls(rules: Json): SourceDecl[] {
  const decls: SourceDecl[] = [];
  for (const [name, s] of entries(own(rules, 'sources'))) {
    decls.push({ name, match: own(s, 'match') === 'parent' ? 'parent' : 'self', required: own(s, 'required') !== false, scores: (own(s, 'scores') ?? []) as string[], metrics: (own(s, 'metrics') ?? []) as string[] });
  }
  for (const [name, s] of entries(own(rules, 'links'))) {
    decls.push({ name, match: 'parent', required: true, scores: [], metrics: (own(s, 'metrics') ?? []) as string[] });
  }
  return decls;
}

/** §7.8: each unit's result in each source, and the units that have none. */
function resolveSources(decls: SourceDecl[], units: UnitRow[], given: Record<string, ScoreJsonOutput>, problems: DataProblem[]): Map<UnitRow, Map<string, { decl: SourceDecl; result: Json }>> {
  for (const name of Object.keys(given)) {
    if (!decls.some((d) => d.name === name)) problems.push({ row: 1, column: null, code: 'SOURCE_UNKNOWN' });
  }
  const out = new Map<UnitRow, Map<string, { decl: SourceDecl; result: Json }>>();
  for (const unit of units) {
    const mine = new Map<string, { decl: SourceDecl; result: Json }>();
    for (const decl of decls) {
      const key = decl.match === 'parent' ? unit.parent : unit.id;
      const doc = Object.prototype.hasOwnProperty.call(given, decl.name) ? given[decl.name] : undefined;
      const result = key === null || !doc ? undefined : (doc.units as Json[]).find((u) => own(u, 'id') === key);
      const column = decl.match === 'parent' ? 'parent' : 'id';
      if (!result) {
        if (decl.required) problems.push({ row: unit.row, column, code: 'SOURCE_MISSING' });
        mine.set(decl.name, { decl, result: undefined });
        continue;
      }
      const absent = decl.scores.some((id) => !Object.prototype.hasOwnProperty.call(own(result, 'scores') ?? {}, id))
        || decl.metrics.some((m) => !Object.prototype.hasOwnProperty.call(own(result, 'metrics') ?? {}, m));
      if (absent) problems.push({ row: unit.row, column, code: 'SOURCE_FIELD_MISSING' });
      mine.set(decl.name, { decl, result });
    }
    out.set(unit, mine);
  }
  return out;
}

/** n of §2's `steps`: s itself, started steps (ceil) or whole steps (floor). */
function steps(s: number, kind: string): number {
  if (kind === 'started') return Math.ceil(nine(s));
  if (kind === 'whole') return Math.floor(nine(s));
  return s;
}

function numberOf(v: Value): number | undefined {
  return typeof v === 'number' && !Number.isNaN(v) ? v : undefined;
}

/** §2 and §7.5: a method's amount, or undefined when a value it needs is undefined. */
function amountOf(m: Json, points: number | undefined, scope: UnitScope): number | undefined {
  const when = own(m, 'when') as string | undefined;
  if (when !== undefined && !holds(when, scope)) return 0;
  const P = (own(m, 'points') as number | undefined) ?? points;
  const value = (field: string): number | undefined => numberOf(evaluate(parse(own(m, field) as string), scope));
  let amount: number | undefined;
  switch (own(m, 'method')) {
    case 'fixed': amount = own(m, 'points') as number; break;
    case 'check': amount = holds(own(m, 'test') as string, scope) ? P : 0; break;
    case 'shortfall': {
      const v = value('value');
      if (v === undefined) break;
      const target = own(m, 'target') as number;
      const met = own(m, 'better') === 'lower' ? compare(v, target) <= 0 : compare(v, target) >= 0;
      amount = met ? 0 : (own(m, 'points') as number) * steps(Math.abs(v - target) / (own(m, 'per') as number), (own(m, 'steps') as string | undefined) ?? 'proportional');
      break;
    }
    case 'per': {
      const c = value('count');
      if (c === undefined) break;
      const over = c - ((own(m, 'allowed') as number | undefined) ?? 0);
      const s = (compare(over, 0) > 0 ? over : 0) / ((own(m, 'per') as number | undefined) ?? 1);
      amount = (own(m, 'points') as number) * steps(s, (own(m, 'steps') as string | undefined) ?? 'whole');
      break;
    }
    case 'ratio': { const v = value('value'); if (v !== undefined) amount = (P as number) * clamp(v, 0, 1); break; }
    case 'linear': {
      const v = value('value');
      if (v === undefined) break;
      const zeroAt = own(m, 'zeroAt') as number;
      const fullAt = own(m, 'fullAt') as number;
      amount = (P as number) * clamp((v - zeroAt) / (fullAt - zeroAt), 0, 1);
      break;
    }
    case 'bands': {
      const v = value('value');
      if (v === undefined) break;
      amount = 0;
      for (const band of own(m, 'bands') as Json[]) {
        const bound = (field: string, ok: (c: number) => boolean): boolean => own(band, field) === undefined || ok(compare(v, own(band, field) as number));
        if (bound('atLeast', (c) => c >= 0) && bound('atMost', (c) => c <= 0) && bound('above', (c) => c > 0) && bound('below', (c) => c < 0)) {
          amount = own(band, 'points') as number;
          break;
        }
      }
      break;
    }
    case 'grade': {
      const grade = scope.name(own(m, 'input') as string);
      const table = own(m, 'points');
      amount = typeof grade === 'string' && Object.prototype.hasOwnProperty.call(table, grade) ? own(table, grade) as number : 0;
      break;
    }
    case 'manual': amount = numberOf(scope.name(own(m, 'input') as string)); break;
    case 'amount': amount = value('value'); break;
    default: throw new Error(`unknown method ${String(own(m, 'method'))}`);
  }
  if (Number.isNaN(amount)) amount = undefined;
  const max = own(m, 'max') as number | undefined;
  if (amount !== undefined && max !== undefined && compare(amount, max) > 0) amount = max;
  return amount;
}

interface Walked {
  scores: Map<string, number | null>;
  values: Map<string, number | null>;
  vetoes: Array<{ id: string; title: string }>;
}

/** Marks an item that does not apply, and everything inside it, null (§7.3). */
function markNull(item: Json, walked: Walked): void {
  walked.scores.set(own(item, 'id') as string, null);
  if (Array.isArray(own(item, 'items'))) for (const child of own(item, 'items') as Json[]) markNull(child, walked);
  else walked.values.set(own(item, 'id') as string, null);
}

function valueOf(criterion: Json, scope: UnitScope): number | null {
  const methods = own(criterion, 'award') !== undefined ? [own(criterion, 'award')] : (own(criterion, 'deduct') as Json[]);
  const first = methods.find((m) => own(m, 'value') !== undefined || own(m, 'count') !== undefined);
  if (!first) return null;
  const v = evaluate(parse((own(first, 'value') ?? own(first, 'count')) as string), scope);
  return typeof v === 'number' && Number.isFinite(v) ? roundAt(v, 4) : null;
}

function criterionScore(criterion: Json, zeroed: boolean, scope: UnitScope, precision: number): number {
  const points = own(criterion, 'points') as number;
  const floor = (own(criterion, 'floor') as number | undefined) ?? 0;
  if (zeroed || holds(own(criterion, 'zeroIf') as string | undefined, scope)) return 0;
  let score: number | undefined;
  if (own(criterion, 'award') !== undefined) {
    const a = amountOf(own(criterion, 'award'), points, scope);
    if (a !== undefined) score = clamp(a, floor, points);
  } else {
    const amounts = (own(criterion, 'deduct') as Json[]).map((m) => amountOf(m, points, scope));
    if (amounts.every((a) => a !== undefined)) score = clamp(points - amounts.reduce((s: number, a) => s + (a as number), 0), floor, points);
  }
  if (score === undefined) score = own(criterion, 'ifUndefined') === 'zero' ? 0 : points;
  return roundAt(score, precision);
}

/** Items in document order; returns the sum of those that apply (null if none) and the points of those that do not. */
function walk(items: Json[], zeroed: boolean, scope: UnitScope, precision: number, walked: Walked): { sum: number | null; notApplicable: number } {
  let sum: number | null = null;
  let notApplicable = 0;
  for (const item of items) {
    const id = own(item, 'id') as string;
    const appliesIf = own(item, 'appliesIf') as string | undefined;
    if (appliesIf !== undefined && !holds(appliesIf, scope)) {
      markNull(item, walked);
      notApplicable += own(item, 'points') as number;
      continue;
    }
    const vetoIf = own(item, 'vetoIf') as string | undefined;
    if (vetoIf !== undefined && holds(vetoIf, scope)) walked.vetoes.push({ id, title: ((own(item, 'vetoTitle') ?? own(item, 'title')) as string) });
    let score: number | null;
    if (Array.isArray(own(item, 'items'))) {
      const zeroHere = zeroed || holds(own(item, 'zeroIf') as string | undefined, scope);
      const inner = walk(own(item, 'items') as Json[], zeroHere, scope, precision, walked);
      score = inner.sum === null ? null : roundAt(inner.sum, precision);
      // The outermost items that do not apply may sit inside groups that do (§7.3).
      notApplicable += inner.notApplicable;
    } else {
      score = criterionScore(item, zeroed, scope, precision);
      walked.values.set(id, valueOf(item, scope));
    }
    walked.scores.set(id, score);
    if (score !== null) sum = (sum ?? 0) + score;
  }
  return { sum, notApplicable };
}

/** §2: bonus or penalty total: each item's amount rounded, below 0 or undefined as 0; capped. */
function adjustments(block: Json, scope: UnitScope, precision: number): number {
  if (!block) return 0;
  let total = 0;
  for (const item of (own(block, 'items') ?? []) as Json[]) {
    const a = amountOf(item, undefined, scope);
    const rounded = a === undefined ? 0 : roundAt(a, precision);
    total += compare(rounded, 0) > 0 ? rounded : 0;
  }
  const cap = own(block, 'cap') as number | undefined;
  if (cap !== undefined && compare(total, cap) > 0) total = cap;
  return Number.isFinite(total) ? roundAt(total, precision) : 0;
}

interface Scored {
  scope: UnitScope;
  walked: Walked;
  total: number; bonus: number; penalty: number; applicablePoints: number;
  conditionVetoed: boolean;
  rank: number;
  sanctions: Entry[];
  vetoed: boolean;
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function referenceScore(ruleText: string, data: Json[], opts: ReferenceOptions = {}): ScoreJsonOutput {
  const rules = JSON.parse(ruleText) as Json;
  const precision = (own(rules, 'precision') as number | undefined) ?? 1;
  const totalPoints = own(rules, 'totalPoints') as number;
  const ranking = own(rules, 'ranking') ?? {};
  const metrics = new Map<string, string>(entries(own(rules, 'metrics')).map(([name, m]) => [name, own(m, 'expr') as string]));

  const { units, problems, absentColumns } = readData(rules, data, opts.events ?? []);
  const sources = resolveSources(sourceDecls(rules), units, opts.sources ?? {}, problems);
  const scopes = units.map((unit) => new UnitScope(unit, metrics, sources.get(unit) ?? new Map()));

  // §7.7: the peers are the ranking scope (without a ranking block, the parent; no parent, each other).
  const groups = new Map<string, UnitScope[]>();
  for (const s of scopes) {
    const key = own(ranking, 'scope') === 'all' ? '' : s.unit.parent === null ? '' : `p:${s.unit.parent}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const group of groups.values()) for (const s of group) s.peerList = group;

  // §6: checks, on rows whose cells are all good and not a repeated id; a check that reads an input whose
  // column is absent (directly or through a metric) is evaluated on no row (as the engine does).
  const reads = (text: string, seen = new Set<string>()): string[] => namesIn(parse(text)).flatMap((n) => {
    if (seen.has(n)) return [];
    seen.add(n);
    return metrics.has(n) ? [n, ...reads(metrics.get(n) as string, seen)] : [n];
  });
  const checks = ((own(rules, 'checks') ?? []) as Json[]).filter((c) => !reads(own(c, 'when') as string).some((n) => absentColumns.has(n)));
  for (const s of scopes) {
    if (!s.unit.clean) continue;
    for (const check of checks) {
      if (!holds(own(check, 'when') as string, s)) problems.push({ row: s.unit.row, column: null, code: 'CHECK_FAILED' });
    }
  }
  if (problems.length > 0) throw new ReferenceDataInvalid(problems);

  const scored = new Map<UnitScope, Scored>();
  for (const s of scopes) {
    const walked: Walked = { scores: new Map(), values: new Map(), vetoes: [] };
    for (const name of metrics.keys()) s.name(name);
    const top = walk(own(rules, 'items') as Json[], false, s, precision, walked);
    const applicable = totalPoints - top.notApplicable;
    const sum = top.sum ?? 0;
    const base = compare(applicable, totalPoints) < 0 ? (compare(applicable, 0) === 0 ? 0 : (sum * totalPoints) / applicable) : sum;
    const bonus = adjustments(own(rules, 'bonus'), s, precision);
    const penalty = adjustments(own(rules, 'penalty'), s, precision);
    const raw = base + bonus - penalty;
    const total = roundAt(compare(raw, 0) > 0 ? raw : 0, precision);
    scored.set(s, { scope: s, walked, total, bonus, penalty, applicablePoints: applicable, conditionVetoed: false, rank: 0, sanctions: [], vetoed: false });
  }

  // After every unit is scored: results are names (unit-level vetoes, sanction conditions, peers of them).
  for (const [s, r] of scored) {
    s.results = new Map<string, Value>([['total', r.total], ['bonus', r.bonus], ['penalty', r.penalty]]);
    for (const [id, score] of r.walked.scores) s.results.set(id, score === null ? undefined : score);
  }
  // The peers' names now read results too: a new list, so no peer value worked out before is reused.
  for (const group of groups.values()) { const list = [...group]; for (const s of group) s.peerList = list; }
  for (const [s, r] of scored) {
    for (const veto of (own(rules, 'vetoes') ?? []) as Json[]) {
      if (holds(own(veto, 'when') as string, s)) r.walked.vetoes.push({ id: own(veto, 'id') as string, title: own(veto, 'title') as string });
    }
    r.conditionVetoed = r.walked.vetoes.length > 0;
  }

  // §5: order and rank within each scope.
  const vetoedLast = own(ranking, 'vetoedLast') !== false;
  const tieBreak = (own(ranking, 'tieBreak') ?? []) as string[];
  const ahead = (a: Scored, b: Scored): number => {
    if (vetoedLast && a.conditionVetoed !== b.conditionVetoed) return a.conditionVetoed ? 1 : -1;
    const t = compare(b.total, a.total);
    if (t !== 0) return t;
    for (const id of tieBreak) {
      const x = a.walked.scores.get(id) ?? null;
      const y = b.walked.scores.get(id) ?? null;
      if (x === null && y === null) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = compare(y, x);
      if (c !== 0) return c;
    }
    return 0;
  };
  const orderedGroups = [...groups.entries()].sort(([a], [b]) => byId(a, b)).map(([, g]) => g.map((s) => scored.get(s) as Scored));
  for (const group of orderedGroups) {
    for (const r of group) r.rank = 1 + group.filter((o) => ahead(o, r) < 0).length;
    group.sort((a, b) => a.rank - b.rank || byId(a.scope.unit.id, b.scope.unit.id));
    sanction(group, ranking);
  }

  // §5: liability of parents, then grades.
  const parentIds = [...new Set(units.map((u) => u.parent).filter((p): p is string => p !== null))].sort(byId);
  const parents = parentIds.map((id) => {
    const childVetoed = [...scored.values()].some((r) => r.scope.unit.parent === id && r.conditionVetoed);
    const sanctions = childVetoed ? ((own(ranking, 'liability') ?? []) as Json[]).filter((l) => own(l, 'when') === undefined || own(l, 'when') === 'childVetoed').map((l) => ({ outcome: own(l, 'outcome') as string, label: own(l, 'label') as string })) : [];
    return { id, sanctions };
  });

  const grades = (own(rules, 'grades') ?? []) as Json[];
  const gradeOf = (r: Scored): string | null => {
    if (r.vetoed) return (grades.find((g) => own(g, 'vetoed') === true) ? own(grades.find((g) => own(g, 'vetoed') === true), 'label') : '不合格') as string;
    const g = grades.find((e) => own(e, 'vetoed') !== true && (own(e, 'atLeast') === undefined || compare(r.total, own(e, 'atLeast') as number) >= 0));
    return g ? own(g, 'label') as string : null;
  };

  const out: UnitOutput[] = [];
  for (const group of orderedGroups) {
    for (const r of group) {
      const metricOut: Record<string, number | boolean | string | null> = {};
      for (const name of metrics.keys()) {
        const v = r.scope.metricValues.get(name);
        metricOut[name] = typeof v === 'number' ? (Number.isFinite(v) ? roundAt(v, 4) : null) : typeof v === 'boolean' || typeof v === 'string' ? v : null;
      }
      out.push({
        id: r.scope.unit.id, name: r.scope.unit.name, parent: r.scope.unit.parent,
        total: r.total, rank: r.rank, grade: gradeOf(r), vetoed: r.vetoed,
        vetoes: r.walked.vetoes, sanctions: r.sanctions, bonus: r.bonus, penalty: r.penalty,
        scores: Object.fromEntries(r.walked.scores), values: Object.fromEntries(r.walked.values),
        metrics: metricOut, applicablePoints: roundAt(r.applicablePoints, precision),
      });
    }
  }
  return {
    ruleset: { id: own(rules, 'id') as string, version: own(rules, 'version') as string, sha256: createHash('sha256').update(ruleText, 'utf8').digest('hex') },
    units: out,
    parents,
  };
}

/** §5 and §7.9: sanctions of one scope, in file order, by place or rank range, `when` and `group`. */
function sanction(group: Scored[], ranking: Json): void {
  const list = (own(ranking, 'sanctions') ?? []) as Json[];
  const levels = [...new Set(group.map((r) => r.rank))].sort((a, b) => a - b);
  const named = new Set<number>();
  for (const s of list) {
    const place = own(s, 'place') as number | undefined;
    if (place !== undefined && place > 0 && place <= levels.length) named.add(levels[place - 1]);
  }
  const taken = new Map<Scored, Set<string>>();
  for (const s of list) {
    const place = own(s, 'place') as number | undefined;
    const range = own(s, 'rank') as [number, number] | undefined;
    let on: Scored[] = [];
    if (place !== undefined) {
      const level = place > 0 ? levels[place - 1] : levels[levels.length + place];
      if (level !== undefined && !(place < 0 && named.has(level))) on = group.filter((r) => r.rank === level);
    } else if (range) {
      on = group.filter((r) => r.rank >= range[0] && r.rank <= range[1]);
    }
    const groupName = own(s, 'group') as string | undefined;
    for (const r of on) {
      if (own(s, 'when') !== undefined && !holds(own(s, 'when') as string, r.scope)) continue;
      const mine = taken.get(r) ?? new Set<string>();
      if (groupName !== undefined && mine.has(groupName)) continue;
      if (groupName !== undefined) { mine.add(groupName); taken.set(r, mine); }
      r.sanctions.push({ outcome: own(s, 'outcome') as string, label: own(s, 'label') as string });
    }
  }
  for (const r of group) {
    r.vetoed = r.conditionVetoed || r.sanctions.some((e) => e.outcome === 'veto');
    if (r.vetoed) r.sanctions = r.sanctions.filter((e) => e.outcome !== 'commendation');
  }
}
