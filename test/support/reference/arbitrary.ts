import fc from 'fast-check';
import type { EventRow } from './data.js';
import type { ScoreJsonOutput } from './score.js';

/**
 * Random small VALID rule sets and data for the differential test (test/engine/reference.test.ts).
 * `v2: false` keeps to what version 1 of RULES.md defines (what today's engine scores); `v2: true` adds
 * §7: group conditions, appliesIf, floor, amount, events, peer functions, sanctions by rank range,
 * `when` and `group`. Numbers are small and round, with zeros and ties, to reach the edges (x / 0,
 * shared ranks, clamps) rather than the ends of a double.
 */

export interface Case {
  rules: Record<string, unknown>;
  data: Array<Record<string, unknown>>;
  events: EventRow[];
  /** The score JSON read for each source and link (§7.8), by its name. */
  sources: Record<string, ScoreJsonOutput>;
}

type Gen = fc.GeneratorValue;

const pick = <T>(g: Gen, options: readonly T[]): T => options[g(fc.integer, { min: 0, max: options.length - 1 })];
/** True `percent` times in a hundred; shrinks to false, so a shrunk case keeps only the parts its failure needs. */
const chance = (g: Gen, percent: number): boolean => g(fc.integer, { min: 0, max: 99 }) >= 100 - percent;
const CONSTANTS = ['0', '1', '2', '3', '0.5', '1.5', '10', '100', '0.1', '0.2', '2.675'];
const LEVELS = { 一般: 2, 较大: 5, 重大: 10 };

interface Names {
  numbers: string[];
  /** Numeric names a peer function may read (no metric with a peer function inside). */
  plain: string[];
  booleans: string[];
  grade: string;
  events: string[];
  /** Events inputs that declare levels. */
  leveled: string[];
  v2: boolean;
  /** Whether peer functions are allowed here (not inside another). */
  peers: boolean;
}

function num(g: Gen, n: Names, depth: number): string {
  const leafs = depth <= 0 || !chance(g, 65);
  if (leafs) {
    if (!chance(g, 70)) return pick(g, CONSTANTS);
    return pick(g, n.numbers);
  }
  const kinds = ['+', '-', '*', '/', 'min', 'max', 'abs', 'round', 'if', 'neg'];
  if (n.v2 && n.events.length > 0) kinds.push('count', 'sum');
  if (n.v2 && n.peers) kinds.push('peer', 'peer');
  const kind = pick(g, kinds);
  const sub = (): string => num(g, n, depth - 1);
  switch (kind) {
    case 'min': case 'max': return `${kind}(${sub()}, ${sub()})`;
    case 'abs': return `abs(${sub()})`;
    case 'round': return `round(${sub()}, ${pick(g, ['0', '1', '2'])})`;
    case 'if': return `if(${bool(g, n, depth - 1)}, ${sub()}, ${sub()})`;
    case 'neg': return `-${num(g, n, 0)}`;
    case 'count': {
      const e = pick(g, n.events);
      if (n.leveled.includes(e) && chance(g, 50)) return `count(${e}, "${pick(g, Object.keys(LEVELS))}")`;
      return `count(${e})`;
    }
    case 'sum': return `sum(${pick(g, n.events)})`;
    case 'peer': {
      const inner = num(g, { ...n, numbers: n.plain, peers: false }, 1);
      return `${pick(g, ['peerMax', 'peerMin', 'peerSum', 'peerCount', 'peerAvg', 'peerRank'])}(${inner})`;
    }
    default: return `(${sub()} ${kind} ${sub()})`;
  }
}

function bool(g: Gen, n: Names, depth: number): string {
  const kinds = ['compare', 'compare', 'compare', 'input', 'grade'];
  if (depth > 0) kinds.push('not', 'and', 'or');
  switch (pick(g, kinds)) {
    case 'input': return pick(g, n.booleans);
    case 'grade': return `${n.grade} ${pick(g, ['==', '!='])} "${pick(g, ['好', '中', '差'])}"`;
    case 'not': return `not ${bool(g, n, depth - 1)}`;
    case 'and': return `(${bool(g, n, depth - 1)} and ${bool(g, n, depth - 1)})`;
    case 'or': return `(${bool(g, n, depth - 1)} or ${bool(g, n, depth - 1)})`;
    default: return `${num(g, n, Math.max(0, depth - 1))} ${pick(g, ['==', '!=', '<', '<=', '>', '>='])} ${num(g, n, Math.max(0, depth - 1))}`;
  }
}

const points = (g: Gen, max: number): number => pick(g, [0.5, 1, 1.5, 2, 2.5, 3, 5].filter((p) => p <= max).concat([max]));

/** One method; `own` means it must carry its own points (adjustments). */
function method(g: Gen, n: Names, mode: 'award' | 'deduct' | 'adjustment', P: number): Record<string, unknown> {
  const kinds = ['fixed', 'check', 'per', 'ratio', 'linear', 'bands', 'grade', 'manual'];
  if (mode === 'deduct') kinds.push('shortfall', 'shortfall', 'per');
  if (n.v2) kinds.push('amount', 'amount');
  const kind = pick(g, mode === 'adjustment' ? kinds.filter((k) => k !== 'manual' && k !== 'grade') : kinds);
  const m: Record<string, unknown> = { method: kind };
  const ownPoints = mode === 'adjustment' || chance(g, 25);
  switch (kind) {
    case 'fixed': m.points = points(g, P); break;
    case 'check': m.test = bool(g, n, 2); if (ownPoints) m.points = points(g, P); break;
    case 'shortfall':
      Object.assign(m, { value: num(g, n, 2), target: Number(pick(g, ['0', '1', '2', '10', '2.5'])), better: pick(g, ['higher', 'lower']), per: pick(g, [0.5, 1, 2, 0.1]), points: pick(g, [0.5, 1, 2]) });
      if (chance(g, 60)) m.steps = pick(g, ['proportional', 'started', 'whole']);
      break;
    case 'per':
      Object.assign(m, { count: num(g, n, 2), points: pick(g, [0.5, 1, 2, 0.3]) });
      if (chance(g, 40)) m.per = pick(g, [1, 2, 0.5]);
      if (chance(g, 40)) m.allowed = pick(g, [0, 1, 2]);
      if (chance(g, 40)) m.steps = pick(g, ['proportional', 'started', 'whole']);
      break;
    case 'ratio': m.value = num(g, n, 2); if (ownPoints) m.points = points(g, P); break;
    case 'linear': {
      const [zeroAt, fullAt] = pick(g, [[0, 10], [10, 0], [1, 3], [0, 100], [2.5, -2.5]]);
      Object.assign(m, { value: num(g, n, 2), zeroAt, fullAt });
      if (ownPoints) m.points = points(g, P);
      break;
    }
    case 'bands': {
      const count = g(fc.integer, { min: 1, max: 3 });
      const bands: Array<Record<string, unknown>> = [];
      for (let i = 0; i < count; i++) {
        const band: Record<string, unknown> = { points: points(g, P) };
        for (const bound of ['atLeast', 'atMost', 'above', 'below']) if (chance(g, 25)) band[bound] = Number(pick(g, CONSTANTS));
        bands.push(band);
      }
      Object.assign(m, { value: num(g, n, 2), bands });
      break;
    }
    case 'grade': m.input = n.grade; m.points = Object.fromEntries(['好', '中', '差'].filter(() => chance(g, 70)).map((k) => [k, points(g, P)])); break;
    case 'manual': m.input = pick(g, n.numbers.filter((x) => x.startsWith('x'))); break;
    case 'amount': m.value = num(g, n, 2); break;
  }
  if (chance(g, 20)) m.when = bool(g, n, 1);
  if (chance(g, 15)) m.max = points(g, P);
  return m;
}

interface Counter { next: number }

function criterion(g: Gen, n: Names, ids: Counter, P: number): Record<string, unknown> {
  const c: Record<string, unknown> = { id: `c${ids.next++}`, title: `细则${ids.next}`, points: P };
  if (chance(g, 45)) c.award = method(g, n, 'award', P);
  else c.deduct = Array.from({ length: g(fc.integer, { min: 1, max: 2 }) }, () => method(g, n, 'deduct', P));
  if (chance(g, 15)) c.zeroIf = bool(g, n, 1);
  if (chance(g, 7)) c.vetoIf = bool(g, n, 1);
  if (chance(g, 20)) c.ifUndefined = pick(g, ['full', 'zero']);
  if (n.v2) {
    if (c.vetoIf !== undefined && chance(g, 50)) c.vetoTitle = `否决${ids.next}`;
    if (chance(g, 20)) c.appliesIf = bool(g, n, 1);
    if (chance(g, 20)) c.floor = pick(g, [0, -1, -2.5, -10]);
  }
  return c;
}

function item(g: Gen, n: Names, ids: Counter, depth: number): Record<string, unknown> {
  if (depth <= 0 || !chance(g, 35)) return criterion(g, n, ids, pick(g, [1, 2, 5, 10, 2.5, 20]));
  const id = `g${ids.next++}`;
  const children = Array.from({ length: g(fc.integer, { min: 1, max: 3 }) }, () => item(g, n, ids, depth - 1));
  const group: Record<string, unknown> = { id, title: `部分${id}`, points: children.reduce((s, c) => s + (c.points as number), 0), items: children };
  if (n.v2) {
    if (chance(g, 15)) group.zeroIf = bool(g, n, 1);
    if (chance(g, 10)) { group.vetoIf = bool(g, n, 1); if (chance(g, 50)) group.vetoTitle = `否决${id}`; }
    if (chance(g, 20)) group.appliesIf = bool(g, n, 1);
  }
  return group;
}

function ids(items: Array<Record<string, unknown>>): string[] {
  return items.flatMap((i) => [i.id as string, ...(Array.isArray(i.items) ? ids(i.items as Array<Record<string, unknown>>) : [])]);
}

function build(g: Gen, v2: boolean): Case {
  const inputs: Record<string, unknown> = {};
  const numberInputs = g(fc.integer, { min: 1, max: 3 });
  for (let i = 1; i <= numberInputs; i++) {
    const input: Record<string, unknown> = { label: `指标${i}`, type: pick(g, ['number', 'integer']) };
    if (chance(g, 30)) input.min = 0;
    if (chance(g, 20)) input.default = 1;
    inputs[`x${i}`] = input;
  }
  inputs.b1 = { label: '是否达标', type: 'boolean' };
  inputs.q1 = { label: '评定等次', type: 'grade', grades: ['好', '中', '差'] };
  const events: string[] = [];
  const leveled: string[] = [];
  if (v2) {
    const eventInputs = g(fc.integer, { min: 0, max: 2 });
    for (let i = 1; i <= eventInputs; i++) {
      const kind = pick(g, ['levels', 'range', 'both']);
      const input: Record<string, unknown> = { label: `事件${i}`, type: 'events' };
      if (kind !== 'range') { input.levels = LEVELS; leveled.push(`e${i}`); }
      if (kind !== 'levels') input.range = [1, 5];
      inputs[`e${i}`] = input;
      events.push(`e${i}`);
    }
  }
  const xs = Object.keys(inputs).filter((k) => k.startsWith('x'));
  const names: Names = { numbers: [...xs], plain: [...xs], booleans: ['b1'], grade: 'q1', events, leveled, v2, peers: v2 };

  // Up to 8 units: enough for ties, three parents and both ends of a ranking, and quick to score twice.
  const unitCount = g(fc.integer, { min: 2, max: 8 });
  const parents = ['p1', 'p2', 'p3'].slice(0, g(fc.integer, { min: 1, max: 3 }));
  const skeleton = Array.from({ length: unitCount }, (_, i) => ({ id: `u${String(i + 1).padStart(2, '0')}`, parent: pick(g, parents) }));
  const sources: Record<string, ScoreJsonOutput> = {};
  const declared: Record<string, unknown> = {};
  const links: Record<string, unknown> = {};
  if (v2 && chance(g, 40)) {
    const match = pick(g, ['self', 'parent'] as const);
    const required = chance(g, 60);
    declared.fp = { label: '专项考核', ruleset: 'fp', ...(match === 'parent' ? { match } : {}), ...(required ? {} : { required: false }), scores: ['k1'], metrics: ['r1'] };
    sources.fp = sourceDoc(g, match === 'parent' ? parents : skeleton.map((u) => u.id), required);
    names.numbers.push('fp.total', 'fp.k1', 'fp.r1', 'fp.rank', 'fp.applicablePoints');
    names.plain.push('fp.total', 'fp.k1');
    names.booleans.push('fp.vetoed');
  }
  if (v2 && chance(g, 20)) {
    links.town = { label: '所在村', metrics: ['r1'] };
    sources.town = sourceDoc(g, parents, true);
    names.numbers.push('town.total', 'town.r1');
    names.plain.push('town.r1');
  }

  const metrics: Record<string, unknown> = {};
  const metricCount = g(fc.integer, { min: 0, max: 2 });
  for (let i = 1; i <= metricCount; i++) {
    const expr = num(g, names, 2);
    metrics[`m${i}`] = { label: `计算${i}`, expr };
    names.numbers.push(`m${i}`);
    // A metric that calls a peer function, itself or through a metric it names, may not be read inside
    // a peer function's argument (PEER_NESTED, §7.7).
    const named = [...expr.matchAll(/\bm\d+\b/gu)].map((m) => m[0]);
    if (!/peer/u.test(expr) && named.every((m) => names.plain.includes(m))) names.plain.push(`m${i}`);
  }

  const counter: Counter = { next: 1 };
  const items = Array.from({ length: g(fc.integer, { min: 1, max: 4 }) }, () => item(g, names, counter, 2));
  const rules: Record<string, unknown> = {
    id: 'generated', version: v2 ? '2' : '1', title: '生成的细则', subject: 'village',
    totalPoints: items.reduce((s, i) => s + (i.points as number), 0),
    precision: g(fc.integer, { min: 0, max: 4 }),
    inputs, items,
  };
  if (metricCount > 0) rules.metrics = metrics;
  if (Object.keys(declared).length > 0) rules.sources = declared;
  if (Object.keys(links).length > 0) rules.links = links;
  for (const block of ['bonus', 'penalty']) {
    if (!chance(g, 30)) continue;
    const adjustments = Array.from({ length: g(fc.integer, { min: 1, max: 2 }) }, () => ({ id: `j${counter.next++}`, title: `调整${counter.next}`, ...method(g, names, 'adjustment', 5) }));
    rules[block] = chance(g, 60) ? { cap: pick(g, [1, 2, 5]), items: adjustments } : { items: adjustments };
  }

  // Unit-level vetoes and sanction conditions may also read total, bonus, penalty and scores.
  const itemIds = ids(items);
  const results: Names = { ...names, numbers: [...names.numbers, 'total', 'bonus', 'penalty', ...itemIds], plain: [...names.plain, 'total', ...itemIds] };
  if (chance(g, 25)) rules.vetoes = Array.from({ length: g(fc.integer, { min: 1, max: 2 }) }, () => ({ id: `v${counter.next++}`, title: `否决事项${counter.next}`, when: bool(g, results, 1) }));
  if (chance(g, 50)) {
    const grades: Array<Record<string, unknown>> = [];
    let at = pick(g, [20, 10, 5]);
    for (let i = g(fc.integer, { min: 0, max: 2 }); i > 0; i--) { grades.push({ atLeast: at, label: `等次${at}` }); at = Math.floor(at / 2); }
    if (chance(g, 60)) grades.push({ label: '其他' });
    if (chance(g, 30)) grades.push({ vetoed: true, label: '否决' });
    if (grades.length > 0) rules.grades = grades;
  }
  if (chance(g, 70)) {
    const ranking: Record<string, unknown> = {};
    if (chance(g, 60)) ranking.scope = pick(g, ['parent', 'all']);
    if (chance(g, 40)) ranking.tieBreak = itemIds.filter(() => chance(g, 40)).slice(0, 2);
    if (chance(g, 30)) ranking.vetoedLast = chance(g, 50);
    if (chance(g, 70)) {
      const sanctions: Array<Record<string, unknown>> = [];
      for (let i = g(fc.integer, { min: 1, max: 4 }); i > 0; i--) {
        const s: Record<string, unknown> = { outcome: pick(g, ['commendation', 'commendation', 'criticism', 'criticism', 'veto']), label: `奖惩${i}` };
        if (v2 && chance(g, 40)) { const from = g(fc.integer, { min: 1, max: 3 }); s.rank = [from, from + g(fc.integer, { min: 0, max: 3 })]; }
        else s.place = pick(g, [1, 2, 3, -1, -2, -3]);
        if (v2 && chance(g, 30)) s.when = bool(g, results, 1);
        if (v2 && chance(g, 30)) s.group = pick(g, ['prize', 'warning']);
        sanctions.push(s);
      }
      ranking.sanctions = sanctions;
    }
    if (chance(g, 30)) ranking.liability = [{ when: 'childVetoed', outcome: 'criticism', label: '连带责任' }];
    rules.ranking = ranking;
  }

  const data: Array<Record<string, unknown>> = [];
  const eventRows: EventRow[] = [];
  for (const [u, { id, parent }] of skeleton.entries()) {
    const row: Record<string, unknown> = { id, name: `单位${u + 1}`, parent };
    for (const x of xs) {
      const integer = (inputs[x] as { type: string }).type === 'integer';
      if ((inputs[x] as { default?: number }).default !== undefined && chance(g, 30)) continue;
      row[chance(g, 20) ? (inputs[x] as { label: string }).label : x] = integer ? g(fc.integer, { min: 0, max: 12 }) : pick(g, [0, 1, 2, 2.5, 3, 0.1, 0.2, 10, 9.95, 2.675, 100, 1.005]);
    }
    row.b1 = pick(g, [true, false, '是', '否', 1, 0]);
    row.q1 = pick(g, ['好', '中', '差']);
    for (const e of events) {
      const input = inputs[e] as { levels?: Record<string, number>; range?: number[] };
      const list = Array.from({ length: g(fc.integer, { min: 0, max: 3 }) }, () => (input.levels && (!input.range || chance(g, 50)) ? { level: pick(g, Object.keys(LEVELS)), note: '记录' } : { points: pick(g, [1, 2.5, 5, 3]), date: '2024-05-03' }));
      if (chance(g, 50)) row[e] = list;
      else list.forEach((ev) => eventRows.push({ row: eventRows.length + 2, unit: id, input: chance(g, 50) ? e : (inputs[e] as { label: string }).label, ...ev }));
    }
    // JSON data may give the inputs under "inputs" (§6).
    if (chance(g, 15)) {
      const { id: _id, name, parent: _parent, ...cells } = row;
      data.push({ id, name, parent, inputs: cells });
    } else data.push(row);
  }
  return { rules, data, events: eventRows, sources };
}

/** What `score --format json` printed for another assessment: a result for each id (some missing when not required). */
function sourceDoc(g: Gen, ids: string[], required: boolean): ScoreJsonOutput {
  const units = ids.filter(() => required || chance(g, 70)).map((id, i) => ({
    id, name: `单位${id}`, parent: null, total: pick(g, [0, 50, 80.5, 100, 92.25]), rank: i + 1, grade: pick(g, ['优秀', null]),
    vetoed: chance(g, 20), vetoes: [], sanctions: [], bonus: pick(g, [0, 2]), penalty: 0,
    scores: { k1: pick(g, [0, 10, 7.5, null]) }, values: {}, metrics: { r1: pick(g, [0, 0.5, 1.25, null]) },
    ...(chance(g, 70) ? { applicablePoints: pick(g, [100, 80]) } : {}),
  }));
  return { ruleset: { id: 'fp', version: '1', sha256: '0'.repeat(64) }, units, parents: [] } as unknown as ScoreJsonOutput;
}

export function ruleSetCase(v2: boolean): fc.Arbitrary<Case> {
  return fc.gen().map((g) => build(g, v2));
}

const BAD_CELLS: readonly unknown[] = ['x', '', null, ' ', '三', '0,5', 1.5, -1, ' 3 ', '1e2', '+2', '.5', 'NaN', 'Infinity', true, 1e400 === Infinity ? '1e400' : 0];
const BAD_BOOLEANS: readonly unknown[] = ['maybe', 2, '', null, 'TRUE', ' 是 ', 'yes', -1, '1.0'];
const BAD_GRADES: readonly unknown[] = ['优', '', null, ' 好', 1, true];

/**
 * A version-1 case whose data may be bad (§6): cells that are no number, out of range, fractional
 * integers, unknown grades, odd booleans, empty cells, duplicate ids, an absent column, and checks.
 * Both implementations must refuse it with the same problems, or score it the same.
 */
export function badDataCase(): fc.Arbitrary<Case> {
  return fc.gen().map((g) => {
    const c = build(g, false);
    const inputs = c.rules.inputs as Record<string, { type: string; label: string; default?: unknown }>;
    const names = Object.keys(inputs);
    for (const row of c.data) {
      if (!chance(g, 40)) continue;
      const name = pick(g, names);
      const key = chance(g, 30) ? inputs[name].label : name;
      delete row[name];
      delete row[inputs[name].label];
      const type = inputs[name].type;
      row[key] = pick(g, type === 'boolean' ? BAD_BOOLEANS : type === 'grade' ? BAD_GRADES : BAD_CELLS);
    }
    if (chance(g, 20)) c.data[c.data.length - 1].id = c.data[0].id;
    if (chance(g, 10)) c.data[g(fc.integer, { min: 0, max: c.data.length - 1 })].id = pick(g, ['', null, ' ']);
    if (chance(g, 15)) {
      const name = pick(g, names);
      for (const row of c.data) { delete row[name]; delete row[inputs[name].label]; }
    }
    if (chance(g, 40)) {
      const xs = names.filter((n) => n.startsWith('x'));
      c.rules.checks = [{ when: `${pick(g, xs)} ${pick(g, ['<=', '>=', '!='])} ${pick(g, ['2', '10', '0'])}`, message: '核对不符' }];
    }
    return c;
  });
}
