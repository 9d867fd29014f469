import { above9, atLeast9, round9, roundHalfUp, roundTo } from './decimal.js';
import { decimalText, yesNoText } from './cells.js';
import type { CompiledCheck, CompiledGroup, CompiledInput, CompiledNode, CompiledPeer, CompiledRuleSet } from './compiled.js';
import * as I from './inline.js';
import { bandPoints } from './methods.js';
import { num } from './inline.js';
import { columnOf, Field, sourceField, type SourceField, type SourceResults } from './source-fields.js';
import { Kind } from './source-results.js';

/**
 * The scorer of a rule set as one straight-line JavaScript function, generated once
 * from the checked expression trees and method definitions: every criterion, group,
 * adjustment, the total and the vetoes, with no call per node and no allocation.
 *
 * No text of the rule file ever reaches the generated source: names became slot
 * numbers, strings became ids, numbers are printed again from their values, and
 * tables (grade points) are passed in as data (`K`). The source is checked for that
 * before it is compiled: it may hold only ASCII code, with no quote or backslash.
 * The decimal discipline and the methods are written inline (inline.ts), so that no
 * number is boxed on the way; the helpers `H.*` are the very functions the closures
 * use, called only for what is rare (magnitudes beyond 9e6, `round`, text cells).
 */

/**
 * Scores the values in `e`: every slot it computes into `e`, the score of every node into `s`,
 * the index of every veto that holds onto `vetoes`. Given a batch's `totals` and `ties`, it
 * also writes the total and the ranking's tie-break scores at place `at` there: so no score
 * passes through code of ours that V8 may not have optimized yet, where every one would be
 * boxed (a scorer called 100,000 times a run always is).
 */
export type Scorer = (e: Float64Array, s: Float64Array, vetoes: number[], totals?: Float64Array, ties?: Float64Array, at?: number) => void;

const H = {
  r9: round9,
  /** The comparisons at 9 decimals (§4): round9(a) >= round9(b), round9(a) > round9(b), rounding only what could decide otherwise. */
  atLeast9, above9,
  rh: roundHalfUp,
  round: roundTo,
  /** A number cell: the number, or a plain decimal string's value; NaN for anything else. */
  cn: (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? decimalText(v) : NaN),
  /** A yes/no cell given as text (是/否, 1/0, true/false); NaN for anything else. */
  pb: (v: unknown) => (typeof v === 'string' ? yesNoText(v) : NaN),
  /** The points of a list of bands too long to write inline (methods.ts). */
  bands: bandPoints,
  /** Texts the generated code compares with, which its source may not spell (see compile). */
  blank: '',
  /** An event as a clean list holds it: a plain object (not null, not an array). Tests of a type as calls: the source may not spell a type's name, and V8 inlines these where `typeof x === H.name` was a call of its own. */
  isEvent: (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v),
  isText: (v: unknown) => typeof v === 'string',
  isNumber: (v: unknown) => typeof v === 'number',
};

export function generateScorer(rs: CompiledRuleSet): Scorer {
  const p = rs.precision;
  const T = rs.totalPoints;
  const lines: string[] = ['let a = 0, t = 0, b = 0, x = 0, n = 0, items = 0;'];
  const groupOf = (k: number) => rs.nodes[k] as CompiledGroup;
  /** Whether the node's parent applies, and is zeroed (§7.2–7.3): the group's flags, or the top level's. */
  // A group with no appliesIf (zeroIf) on it or on any group around it always applies (is never zeroed): its
  // flag is then the constant itself, and V8 drops the tests of it, where a slot would be read for every criterion.
  const alwaysApplies = (g: CompiledGroup): boolean => !g.appliesIfSrc && (g.parent < 0 || alwaysApplies(groupOf(g.parent)));
  const neverZeroed = (g: CompiledGroup): boolean => !g.zeroIfSrc && (g.parent < 0 || neverZeroed(groupOf(g.parent)));
  const applies = (g: CompiledGroup) => (alwaysApplies(g) ? '1' : `e[${g.appliesSlot}]`);
  const parentApplies = (node: CompiledNode) => (node.parent < 0 ? '1' : applies(groupOf(node.parent)));
  const parentZeroed = (node: CompiledNode) => (node.parent < 0 || neverZeroed(groupOf(node.parent)) ? '0' : `e[${groupOf(node.parent).zeroSlot}]`);
  // The points of the outermost items that do not apply are added up in the applicable-points slot, and taken from the total's points at the end.
  lines.push(`e[${rs.applicableSlot}] = 0;`);
  if (rs.conditional) {
    // Each group's flags, in document order: it applies when its parent does and its appliesIf holds; it is
    // zeroed when its parent is, or its own zeroIf holds. Nothing of a group that does not apply is evaluated.
    for (const g of rs.nodes) {
      if (g.kind !== 'group') continue;
      const own = g.appliesIfSrc ? `(${g.appliesIfSrc}) === 1` : 'true';
      const zero = g.zeroIfSrc ? `${parentZeroed(g)} === 1 || (${g.zeroIfSrc}) === 1` : `${parentZeroed(g)} === 1`;
      lines.push(`if (${parentApplies(g)} === 1 && ${own}) { e[${g.appliesSlot}] = 1; e[${g.zeroSlot}] = ${zero} ? 1 : 0; }`
        + ` else { if (${parentApplies(g)} === 1) e[${rs.applicableSlot}] += ${num(g.points)}; e[${g.appliesSlot}] = 0; e[${g.zeroSlot}] = 0; }`);
    }
  }
  // The criteria in functions of a few each, called in turn: one function of 40 criteria
  // takes V8 a third of a second to optimize, and a 10,000-unit run is over before that.
  const parts: string[] = [];
  for (let from = 0; from < rs.criteria.length; from += CRITERIA_PER_PART) {
    const body: string[] = ['let a = 0, t = 0;'];
    for (const c of rs.criteria.slice(from, from + CRITERIA_PER_PART)) {
      const undef = num(c.ifUndefined === 'zero' ? 0 : c.points);
      const amount = c.mode === 'award'
        ? `a = ${c.methods[0].src}; t = a !== a ? ${undef} : ${I.clamp('a', c.floor, c.points)};`
        : `a = ${c.methods.map((m) => `(${m.src})`).join(' + ') || '0'}; t = a !== a ? ${undef} : ${I.clamp(`${num(c.points)} - a`, c.floor, c.points)};`;
      const zero = [rs.conditional ? `${parentZeroed(c)} === 1` : '', c.zeroIfSrc ? `(${c.zeroIfSrc}) === 1` : ''].filter(Boolean).join(' || ');
      const scored = `${zero ? `if (${zero}) t = 0; else { ${amount} }` : amount}\nt = ${I.roundHalfUp('t', p)}; s[${c.index}] = t; e[${c.slot}] = t;`;
      if (!rs.conditional) { body.push(scored); continue; }
      const applies = `${parentApplies(c)} === 1${c.appliesIfSrc ? ` && (${c.appliesIfSrc}) === 1` : ''}`;
      const outermost = c.appliesIfSrc ? `if (${parentApplies(c)} === 1) e[${rs.applicableSlot}] += ${num(c.points)}; ` : '';
      body.push(`if (${applies}) { ${scored} } else { ${outermost}s[${c.index}] = ${I.NAN}; e[${c.slot}] = ${I.NAN}; }`);
    }
    const text = body.join('\n');
    parts.push(`function part${parts.length}(e, s) {\n${I.temporaries(text)}\n${text}\n}`);
    lines.push(`part${parts.length - 1}(e, s);`);
  }
  // A group's score: the sum of its children that apply; none that applies (or the group itself not): undefined, printed null.
  const sumOf = (list: number[]) => list.map((k) => `x = s[${k}]; if (x === x) { t += x; n = 1; }`).join(' ');
  for (const g of rs.groupsPostOrder) {
    if (!rs.conditional) {
      lines.push(`t = ${I.roundHalfUp(g.children.map((k) => `s[${k}]`).join(' + ') || '0', p)}; s[${g.index}] = t; e[${g.slot}] = t;`);
      continue;
    }
    lines.push(`t = 0; n = 0; if (${applies(g)} === 1) { ${sumOf(g.children)} } t = n === 1 ? ${I.roundHalfUp('t', p)} : ${I.NAN}; s[${g.index}] = t; e[${g.slot}] = t;`);
  }
  if (rs.conditional) {
    lines.push(`t = 0; n = 0; ${sumOf(rs.top)} items = t;`);
  } else {
    lines.push(`items = ${rs.top.map((k) => `s[${k}]`).join(' + ') || '0'};`);
  }
  // Scaled to the total's points when some items do not apply (§7.3): exact until the total is rounded.
  lines.push(`x = ${num(T)} - e[${rs.applicableSlot}]; e[${rs.applicableSlot}] = x;`);
  if (rs.conditional) lines.push(`if (${I.r9('x')} < ${num(round9(T))}) items = ${I.r9('x')} <= 0 ? 0 : items * ${num(T)} / x;`);
  for (const [block, slot] of [[rs.bonus, rs.bonusSlot], [rs.penalty, rs.penaltySlot]] as const) {
    lines.push('b = 0;');
    // An adjustment's amount below 0 counts 0 (§7.4), as an undefined one does.
    for (const item of block?.items ?? []) lines.push(`a = ${item.method.src}; if (a > 0) b += ${I.roundHalfUp('a', p)};`);
    lines.push(`b = ${I.roundHalfUp('b', p)};`);
    if (block?.cap !== undefined) lines.push(`b = Math.min(${num(block.cap)}, b);`);
    lines.push(`e[${slot}] = b - b === 0 ? b : 0;`);
  }
  lines.push(`e[${rs.totalSlot}] = Math.max(0, ${I.roundHalfUp(`items + e[${rs.bonusSlot}] - e[${rs.penaltySlot}]`, p)});`);
  // Condition vetoes in document order (a group before the items inside it), each only where its item applies; then vetoes[].
  let k = 0;
  for (const node of rs.vetoNodes) {
    const where = !rs.conditional ? '' : node.kind === 'group' ? `${applies(node)} === 1 && ` : `${parentApplies(node)} === 1${node.appliesIfSrc ? ` && (${node.appliesIfSrc}) === 1` : ''} && `;
    lines.push(`if (${where}(${node.vetoIfSrc}) === 1) v.push(${k++});`);
  }
  for (const veto of rs.vetoes) lines.push(`if (${veto.src} === 1) v.push(${k++});`);
  const tieBreak = rs.ranking.tieBreak;
  // An item that does not apply compares below every score (§7.3).
  lines.push(`if (T !== undefined) { T[at] = e[${rs.totalSlot}];${tieBreak.map((node, j) => ` x = s[${node}]; W[at * ${tieBreak.length} + ${j}] = x === x ? x : -Infinity;`).join('')} }`);
  return compile<Scorer>('score', 'e, s, v, T, W, at', lines.join('\n'), rs.constants, [], parts.join('\n'));
}

/**
 * Takes one unit's arguments of peer calls (`e`: its values) into row k of the table's peer values (`A`,
 * rs.peers.length a row), each at its call's own place, where its value is later written; undefined (or
 * beyond what a double holds) as NaN.
 */
export type ArgumentTaker = (e: Float64Array, A: Float64Array, k: number) => void;

/**
 * The taking of peer calls' arguments (peers.ts) as generated code: each argument's expression
 * written inline, its value stored straight into its array, never returned from a call (a double
 * returned from a closure V8 does not inline is boxed: one allocation a unit and call).
 */
export function generateArgumentTaker(rs: CompiledRuleSet, peers: CompiledPeer[]): ArgumentTaker {
  const width = rs.peers.length;
  const lines = peers.map((p) => `x = ${p.argSrc}; A[at + ${rs.peers.indexOf(p)}] = x - x === 0 ? x : ${I.NAN};`);
  return compile<ArgumentTaker>('take', 'e, A, k', [`let x; const at = k * ${width};`, ...lines].join('\n'), rs.constants);
}

/** Criteria per generated function (see generateScorer). */
const CRITERIA_PER_PART = 6;

/**
 * JavaScript made of checked trees becomes a function here, and only here: the source
 * may hold only ASCII code, with no quote or backslash, so no text of the file is in it.
 * `prelude` runs once when the function is made (constants it closes over).
 */
function compile<F>(name: string, params: string, body: string, constants: unknown[], extra: unknown[] = [], prelude = ''): F {
  if (/["'`\\]|[^\x00-\x7f]/.test(prelude + body)) throw new Error('generated code would hold text from the rule file');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from checked trees only (see above)
  const make = new Function('H', 'K', 'X', `${prelude}\nreturn function ${name}(${params}) {\n${I.temporaries(body)}\n${body}\n};`) as (h: typeof H, k: unknown[], x: unknown[]) => F;
  return make(H, constants, extra);
}

/** Where a reader finds an input in a row: its column (the input's name or label), if the table has one. */
export interface ReadPlan { input: CompiledInput; column: string | undefined; /** Read from the row's result of its source (source-fields.ts). */ attached?: boolean; }

/**
 * A cell read the general way (units.ts): its value, or undefined when the cell has a problem; for
 * an events input, whether its events were read into their figures in `env`.
 */
export type CellReader = ((cells: Record<string, unknown>) => number | undefined) | ((cells: Record<string, unknown>, env: Float64Array) => boolean);

/**
 * Reads one row's cells into its values, computes the metrics and runs the checks, for
 * the common row: every number a finite number (or a plain decimal string) within its
 * limits, every yes/no a boolean (or 是/否, 1/0, true/false), every check passed. It
 * returns false at the first cell it does not take that way, and the row is then read
 * again by the general code, which says what is wrong; so it only makes the clean row
 * fast, and decides nothing itself.
 *
 * Each input's own property access is a site of its own, so it stays monomorphic; the
 * column names are passed in as data (`X`), never written into the source.
 */
export type RowReader = (c: Record<string, unknown>, e: Float64Array, z: SourceColumns, k: number) => boolean;

/**
 * What a reader reads beside the row (`k`: the row's index in its table), in this order: each attached
 * source's places of the rows' results, then the columns of the sources' results (source-results.ts),
 * three a field (kinds, figures, texts), then the peers' values (units.ts PeerValues), if any.
 */
export type SourceColumns = ReadonlyArray<Int32Array | Uint8Array | Float64Array | Array<string | undefined> | undefined>;

/** A generated reader, and how what it reads beside the rows is taken from a table's attached results and peers' values. */
export interface Reader {
  read: RowReader;
  columnsOf(attached: ReadonlyMap<string, { results: SourceResults; places: Int32Array }> | undefined, peers: { all: Float64Array } | undefined): SourceColumns;
}

export function generateReader(rs: CompiledRuleSet, plan: ReadPlan[], general: CellReader[], checks: CompiledCheck[]): Reader {
  const keys: unknown[] = [];
  const key = (k: unknown) => `X[${keys.push(k) - 1}]`;
  const prelude: string[] = [];
  const lines: string[] = ['let v, x, y;'];
  // Each row's place in its source's columns, as appraise found it (links.ts attachSource): -1 none.
  const attachedSources = [...new Set(plan.filter((p) => p.attached).map((p) => sourceField(rs, p.input).k))];
  attachedSources.forEach((k, j) => lines.push(`const r${k} = z[${j}][k];`));
  if (plan.some((p) => p.attached && p.input.type === 'text')) prelude.push(`const ST = ${key(rs.strings)};`);
  // The fields read from the sources' columns, in the order their columns are in `z` (three a field).
  const fields: SourceField[] = [];
  plan.forEach(({ input, column, attached }, j) => {
    if (attached) {
      keys.push(null); // keeps the general readers' places in step with the plan
      const field = sourceField(rs, input);
      lines.push(sourceFieldReader(rs, input, j, attachedSources.length + 3 * fields.length, prelude));
      fields.push(field);
      return;
    }
    if (input.type === 'events') {
      keys.push(null); // the general reader's place: a row whose events this code does not take is read again the general way
      lines.push(...eventsReader(input, column, j, key, prelude));
      return;
    }
    const general = `x = X[${keys.push(null) - 1}](c); if (x === undefined) return false;`;
    const simple = column !== undefined && !input.link && (input.type === 'number' || input.type === 'integer' || input.type === 'boolean');
    if (!simple) {
      lines.push(`${general} e[${input.slot}] = x;`);
      return;
    }
    const k = `k${j}`;
    prelude.push(`const ${k} = ${key(column)};`);
    lines.push(`v = c[${k}];`);
    // A row that spells the input by its name while the table's column is its label: the general way.
    if (column !== input.name) {
      prelude.push(`const n${j} = ${key(input.name)};`);
      lines.push(`if (c[n${j}] !== undefined) return false;`);
    }
    if (input.type === 'boolean') {
      lines.push('if (v === true) x = 1; else if (v === false) x = 0; else { x = H.pb(v); if (x !== x) return false; }');
    } else {
      lines.push('x = H.cn(v);');
      const tests = ['x - x !== 0'];
      if (input.type === 'integer') tests.push('x !== Math.floor(x)');
      if (input.min !== undefined) tests.push(`x < ${num(input.min)}`);
      if (input.max !== undefined) tests.push(`x > ${num(input.max)}`);
      lines.push(`if (${tests.join(' || ')}) return false;`);
    }
    lines.push(`e[${input.slot}] = x;`);
  });
  // The linked values a reader for an import leaves out are 0, as in a fresh array.
  for (const input of rs.inputs) if (!plan.some((p) => p.input === input)) lines.push(`e[${input.slot}] = 0;`);
  // The peers' values, worked out over the unit's scope before it is scored (§7.7); undefined until then.
  const peersAt = attachedSources.length + 3 * fields.length;
  if (rs.peers.length) {
    lines.push(`v = z[${peersAt}];`);
    lines.push(`if (v !== undefined) { const po = k * ${rs.peers.length}; ${rs.peers.map((p, j) => `e[${p.slot}] = v[po + ${j}];`).join(' ')} } else { ${rs.peers.map((p) => `e[${p.slot}] = ${I.NAN};`).join(' ')} }`);
  }
  for (const m of rs.metrics) lines.push(`e[${m.slot}] = ${m.src};`);
  for (const check of checks) lines.push(`if (${check.src} !== 1) return false;`);
  lines.push('return true;');
  // The general readers take the places reserved for them (null) in X, in plan order.
  let g = 0;
  const extra = keys.map((k) => (k === null ? general[g++] : k));
  const read = compile<RowReader>('read', 'c, e, z, k', lines.join('\n'), rs.constants, extra, prelude.join('\n'));
  return {
    read,
    columnsOf: (attached, peers) => [
      ...attachedSources.map((k) => attached?.get(rs.sources[k].name)?.places),
      ...fields.flatMap((f) => {
        const results = attached?.get(f.source.name)?.results;
        const c = results && columnOf(results, f);
        return c ? [c.kinds, c.numbers, c.texts] : [undefined, undefined, undefined];
      }),
      peers?.all,
    ],
  };
}

/**
 * The reading of a source's field from its columns at the row's place (-1: the unit has none, every
 * field undefined) — `z[at]` the kinds, `z[at + 1]` the figures, `z[at + 2]` the texts —, for the
 * values a result holds as the engine made it: a figure (NaN too), yes/no, a grade as text, null.
 * Anything else — a listed score or metric the result lacks, a figure given as text — is read the
 * general way (units.ts), which reports what is missing.
 */
function sourceFieldReader(rs: CompiledRuleSet, input: CompiledInput, j: number, at: number, prelude: string[]): string {
  const field = sourceField(rs, input);
  const r = `r${field.k}`, e = `e[${input.slot}]`;
  // A field every result has (not a listed score or metric, which a result may lack) that nothing reads.
  if (input.unread && field.kind !== Field.Score && field.kind !== Field.Metric) return `${e} = ${I.NAN};`;
  const kind = `y = z[${at}][${r}];`, figure = `z[${at + 1}][${r}]`;
  const number = `${kind} if (y === ${Kind.Number}) ${e} = ${figure}; else if (y === ${Kind.Null}) ${e} = ${I.NAN}; else return false;`;
  let read: string;
  switch (field.kind) {
    case Field.Total: case Field.Rank: case Field.Bonus: case Field.Penalty: case Field.Score: case Field.Metric:
      read = number; break;
    case Field.Vetoed: read = `${kind} if (y === ${Kind.True}) ${e} = 1; else if (y === ${Kind.False}) ${e} = 0; else return false;`; break;
    case Field.ApplicablePoints: read = `${kind} if (y === ${Kind.Number}) { x = ${figure}; ${e} = x - x === 0 ? x : ${I.NAN}; } else if (y === ${Kind.Null} || y === ${Kind.Missing}) ${e} = ${I.NAN}; else return false;`; break;
    case Field.Grade:
      // A grade's id by the string table, the last one looked up kept (a source's grades are a few texts, row after row).
      if (input.type !== 'text') { read = number; break; }
      prelude.push(`let GT${j} = null, GI${j} = 0;`);
      read = `${kind} if (y === ${Kind.Null}) ${e} = ${I.NAN}; else if (y === ${Kind.Text}) { x = z[${at + 2}][${r}]; ${e} = x === GT${j} ? GI${j} : (GI${j} = ST.id(GT${j} = x)); } else return false;`;
      break;
    default: return 'return false;';
  }
  return `if (${r} < 0) ${e} = ${I.NAN}; else { ${read} }`;
}

/**
 * The reading of an events input's clean list (§7.6) into its figures: an array of events each a
 * plain object with a level of the input's (given as its exact text, no points) or points within the
 * range (a number, no level); anything else, the general way (readEvents) says what is wrong or
 * reads what it can (levels with spaces, points as text). Level names are data (`X`), never source.
 */
function eventsReader(input: CompiledInput, column: string | undefined, j: number, key: (k: string) => string, prelude: string[]): string[] {
  const f = input.figures!;
  const levels = Object.entries(input.levels ?? {});
  const lines: string[] = [`e[${f.count}] = 0; e[${f.sum}] = 0;`, ...[...f.levels.values()].map((slot) => `e[${slot}] = 0;`)];
  if (column === undefined) return lines; // no column: no events
  prelude.push(`const k${j} = ${key(column)};`);
  // A row of JSON data may spell the input by its other name (label or name): the general way.
  const other = column === input.name ? input.label : input.name;
  if (other !== column) {
    prelude.push(`const n${j} = ${key(other)};`);
    lines.push(`if (c[n${j}] !== undefined) return false;`);
  }
  levels.forEach(([name], m) => prelude.push(`const l${j}_${m} = ${key(name)};`));
  const byLevel = levels.map(([, points], m) => `if (l === l${j}_${m}) { e[${f.sum}] += ${num(points)}; e[${f.levels.get(levels[m][0])!}]++; }`);
  const byPoints = input.range ? `else if (l === undefined && H.isNumber(p) && p >= ${num(input.range[0])} && p <= ${num(input.range[1])}) e[${f.sum}] += p;` : '';
  lines.push(
    `v = c[k${j}];`,
    'if (Array.isArray(v)) {',
    '  for (let i = 0; i < v.length; i++) {',
    '    const ev = v[i];',
    '    if (!H.isEvent(ev)) return false;',
    '    const l = ev.level, p = ev.points;',
    `    if (H.isText(l) && (p === undefined || p === null || p === H.blank)) { ${[...byLevel, 'return false;'].join(' else ')} }`,
    `    ${byPoints} else return false;`,
    `    e[${f.count}]++;`,
    '  }',
    '} else if (v !== undefined && v !== null && v !== H.blank) return false;',
  );
  return lines;
}

/** The vetoes a generated scorer reports by index: every vetoIf in document order, under its vetoTitle; then `vetoes[]`. */
export function vetoTable(rs: CompiledRuleSet): Array<{ id: string; title: string }> {
  return [...rs.vetoNodes.map((n) => ({ id: n.id, title: n.vetoTitle })), ...rs.vetoes.map((v) => ({ id: v.id, title: v.title }))];
}
