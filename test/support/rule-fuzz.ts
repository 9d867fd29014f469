import { expect } from 'chai';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { appraise, DataInvalid, explainCriterion, loadRuleSet, RuleFileInvalid, scoreJson, type CompiledRuleSet } from '../../src/engine/index.js';
import { scoreUnit, scoreUnitByClosures } from '../../src/engine/score.js';
import { statistics } from '../../src/engine/statistics.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { ruleSchema } from '../../src/io/rule-file.js';
import { appraisalSync } from './cli.js';
import { signedIn, startApp, type TestApp } from './web.js';
import { tempDir } from './temp.js';

/**
 * Issue 17, item 9: rule files and data made by fast-check, hostile on purpose: names
 * every JavaScript object has, expressions nested around the depth limit and past it,
 * numbers at the ends of what a double holds and past them, type errors, unknown
 * functions, text that is no expression at all. Each is either refused with named
 * errors, or scored, and then the generated scorer and the closures agree on every score
 * of every unit. Shared by `npm test` (a fixed seed, a bounded count) and `npm run
 * test:hard` (many more).
 */

/** Inputs of every fuzzed rule set: the hostile names among them are ordinary inputs. */
const INPUTS = {
  n1: { label: '甲数', type: 'number' },
  n2: { label: '乙数', type: 'integer', min: 0, default: 0 },
  b1: { label: '丙项', type: 'boolean' },
  g1: { label: '丁等', type: 'grade', grades: ['好', '中', '__proto__'] },
  constructor: { label: '戊数', type: 'number', default: 1 },
  toString: { label: '己项', type: 'boolean', default: false },
};
/** Names every rule set has (inputs, the metric m1 outside its own formula), and names it never has. */
const NUMBER_NAMES = ['n1', 'n2', 'constructor'];
const BOOLEAN_NAMES = ['b1', 'toString', 'true', 'false'];
const UNKNOWN_NAMES = ['valueOf', '__proto__', 'hasOwnProperty', 'm2', 'NaN', 'Infinity'];
const HOSTILE_FUNCTIONS = ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty', 'eval', 'Math', 'count'];

/** Numbers as an author writes them, from the ordinary to the ends of a double (and, when hostile, past them). */
const numberText = (hostile: boolean) => fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 1000 }).map(String), weight: 4 },
  { arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map(String), weight: 2 },
  { arbitrary: fc.constantFrom('0.1', '0.2', '0.3', '2.675', '1e308', '1.7976931348623157e308', '1e-300', '5e-324', '9e15', '123456789.123456789', '1e-400', ...(hostile ? ['1e400'] : [])), weight: 2 },
);

/** A number for a field of the rule file; Infinity stands for 1e400 (written raw, see ruleText). */
const fieldNumber = (hostile: boolean) => fc.oneof(
  { arbitrary: fc.integer({ min: -100, max: 1000 }), weight: 6 },
  { arbitrary: fc.constantFrom(0, 0.1, 2.675, 1e15, -1e15, 1e308, -1e308, 1e-300, ...(hostile ? [Infinity, -Infinity] : [])), weight: 1 },
);
const pointsNumber = (hostile: boolean) => (hostile ? fieldNumber(true) : fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0.5, 2.675, 1e-300)));
const positive = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 100 }), weight: 8 }, { arbitrary: fc.constantFrom(0.5, 1e-300, 1e308), weight: 1 });

function expressions(hostile: boolean, names: string[]) {
  const nameArb = hostile ? fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 4 }, { arbitrary: fc.constantFrom(...UNKNOWN_NAMES), weight: 1 }) : fc.constantFrom(...names);
  const calls = hostile ? [fc.tuple(fc.constantFrom(...HOSTILE_FUNCTIONS), fc.constantFrom(...names)).map(([f, a]) => `${f}(${a})`)] : [];
  const { num, bool } = fc.letrec<{ num: string; bool: string }>((tie) => ({
    num: fc.oneof(
      { depthSize: 'small', maxDepth: 7 },
      { arbitrary: numberText(hostile), weight: 3 },
      { arbitrary: nameArb, weight: 3 },
      fc.tuple(tie('num'), fc.constantFrom('+', '-', '*', '/'), tie('num')).map(([a, op, b]) => `${a} ${op} ${b}`),
      tie('num').map((a) => `(${a})`),
      tie('num').map((a) => `-${a}`),
      fc.tuple(fc.constantFrom('min', 'max'), fc.array(tie('num'), { minLength: 1, maxLength: 4 })).map(([f, a]) => `${f}(${a.join(', ')})`),
      tie('num').map((a) => `abs(${a})`),
      fc.tuple(tie('num'), fc.integer({ min: -2, max: 6 })).map(([a, d]) => `round(${a}, ${d})`),
      fc.tuple(tie('bool'), tie('num'), tie('num')).map(([c, a, b]) => `if(${c}, ${a}, ${b})`),
      ...calls,
    ),
    bool: fc.oneof(
      { depthSize: 'small', maxDepth: 7 },
      { arbitrary: fc.constantFrom(...BOOLEAN_NAMES), weight: 3 },
      fc.tuple(tie('num'), fc.constantFrom('<', '<=', '>', '>=', '==', '!='), tie('num')).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(tie('bool'), fc.constantFrom('and', 'or'), tie('bool')).map(([a, op, b]) => `${a} ${op} ${b}`),
      tie('bool').map((a) => `not ${a}`),
      tie('bool').map((a) => `(${a})`),
      fc.constantFrom('好', '中', '__proto__', ...(hostile ? ['优'] : [])).map((g) => `g1 == "${g}"`),
    ),
  }));
  // Around the depth limit: under it when tame, far past it too when hostile.
  const deep = (leaf: fc.Arbitrary<string>, kind: 'num' | 'bool') =>
    fc.tuple(fc.integer({ min: hostile ? 90 : 20, max: hostile ? 1400 : 80 }), fc.constantFrom('brackets', 'signs', 'calls', 'chain'), leaf).map(([n, shape, a]) => {
      switch (shape) {
        case 'brackets': return `${'('.repeat(n)}${a}${')'.repeat(n)}`;
        case 'signs': return kind === 'num' ? `${'-'.repeat(n)}(${a})` : `${'not '.repeat(n)}(${a})`;
        case 'calls': return kind === 'num' ? `${'abs('.repeat(n)}${a}${')'.repeat(n)}` : `${'not ('.repeat(n)}${a}${')'.repeat(n)}`;
        default: return Array.from({ length: n }, () => `(${a})`).join(kind === 'num' ? ' + ' : ' and ');
      }
    });
  const shallow = (kind: 'num' | 'bool') => (kind === 'num' ? num : bool).filter((a) => a.length < 400);
  if (!hostile) {
    return {
      num: fc.oneof({ arbitrary: num, weight: 12 }, { arbitrary: deep(fc.constantFrom(...names), 'num'), weight: 1 }, { arbitrary: deep(shallow('num').filter((a) => a.length < 60), 'num').filter((a) => a.length < 3000), weight: 1 }),
      bool: fc.oneof({ arbitrary: bool, weight: 12 }, { arbitrary: deep(fc.constantFrom('b1', 'toString'), 'bool'), weight: 1 }),
    };
  }
  const garbage = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
  return {
    num: fc.oneof({ arbitrary: num, weight: 12 }, { arbitrary: deep(shallow('num'), 'num'), weight: 2 }, { arbitrary: garbage, weight: 1 }, { arbitrary: bool, weight: 1 }),
    bool: fc.oneof({ arbitrary: bool, weight: 12 }, { arbitrary: deep(shallow('bool'), 'bool'), weight: 2 }, { arbitrary: garbage, weight: 1 }, { arbitrary: num, weight: 1 }),
  };
}

/** An object with a key set as its own, even `__proto__` (which an object literal or an assignment would take for the prototype). */
const withOwn = (o: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

function methods(hostile: boolean, numExpr: fc.Arbitrary<string>, boolExpr: fc.Arbitrary<string>) {
  const n = fieldNumber(hostile), pts = pointsNumber(hostile);
  // A list of bands longer than the scorer writes inline (INLINE_BANDS) now and then.
  const band = fc.record({ atLeast: maybe(n), below: maybe(n), points: pts });
  const award = [
    fc.record({ method: fc.constant('ratio'), value: numExpr }),
    fc.record({ method: fc.constant('check'), test: boolExpr }),
    fc.record({ method: fc.constant('fixed'), points: pts }),
    fc.record({ method: fc.constant('linear'), value: numExpr, zeroAt: n, fullAt: n }),
    fc.record({ method: fc.constant('bands'), value: numExpr, bands: fc.oneof({ arbitrary: fc.array(band, { minLength: 1, maxLength: 3 }), weight: 4 }, { arbitrary: fc.array(band, { minLength: 60, maxLength: 90 }), weight: 1 }) }),
    fc.record({ method: fc.constant('grade'), input: fc.constant('g1'), points: fc.tuple(pts, pts).map(([good, odd]) => withOwn({ 好: good }, '__proto__', odd)) }),
    fc.record({ method: fc.constant('manual'), input: fc.constantFrom('n1', 'constructor') }),
  ];
  const deductOnly = [
    fc.record({ method: fc.constant('shortfall'), value: numExpr, target: n, better: fc.constantFrom('higher', 'lower'), per: positive, points: pts, steps: maybe(fc.constantFrom('proportional', 'started', 'whole')) }),
    fc.record({ method: fc.constant('per'), count: numExpr, per: maybe(positive), points: pts, allowed: maybe(hostile ? n : fc.nat({ max: 10 })) }),
  ];
  const extra = fc.record({ when: maybe(boolExpr), max: maybe(hostile ? n : fc.nat({ max: 200 })) });
  const withExtra = (m: fc.Arbitrary<Record<string, unknown>>) => m.chain((x) => extra.map((e) => ({ ...x, ...e })));
  // An adjustment has no criterion: its check, ratio and linear give their own points (or, hostile, may not).
  const ownPoints = (m: Record<string, unknown>) => (hostile || 'points' in m || m.method === 'manual' || m.method === 'bands' || m.method === 'grade' ? fc.constant(m) : pts.map((p) => ({ ...m, points: p })));
  return {
    award: withExtra(fc.oneof(...award, ...(hostile ? deductOnly : []))),
    deduct: withExtra(fc.oneof(...award, ...deductOnly)),
    adjustment: withExtra(fc.oneof(...award, ...deductOnly).chain(ownPoints)),
  };
}

const ruleFileOf = (hostile: boolean) => {
  const { num, bool } = expressions(hostile, [...NUMBER_NAMES, 'm1']);
  const metricExpr = expressions(hostile, NUMBER_NAMES).num;
  const m = methods(hostile, num, bool);
  const criterion = (id: string) => fc.record({
    id: fc.constant(id),
    title: fc.constantFrom('考核项', 'constructor', '__proto__'),
    points: fc.integer({ min: 1, max: 200 }),
    award: m.award,
    deduct: fc.array(m.deduct, { minLength: 1, maxLength: 3 }),
    mode: fc.constantFrom('award', 'deduct'),
    zeroIf: maybe(bool),
    vetoIf: maybe(bool),
    ifUndefined: maybe(fc.constantFrom('full', 'zero')),
  }).map(({ mode, award, deduct, ...c }) => (mode === 'award' ? { ...c, award } : { ...c, deduct }));
  return fc.record({
    ids: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'constructor', '__proto__', 'toString', 'valueOf'), { minLength: 1, maxLength: 4 }),
    precision: maybe(fc.integer({ min: 0, max: 4 })),
    metric: metricExpr,
    bonus: maybe(fc.array(m.adjustment, { minLength: 1, maxLength: 2 })),
    cap: maybe(hostile ? fieldNumber(true) : fc.nat({ max: 100 })),
    veto: maybe(bool),
    totalOff: hostile ? fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: -5, max: 5 }), weight: 1 }) : fc.constant(0),
  }).chain(({ ids, precision, metric, bonus, cap, veto, totalOff }) =>
    fc.tuple(...ids.map((id) => criterion(id))).map((items) => ({
      id: 'village-annual', version: 'fuzz', title: '模糊测试细则', subject: 'village',
      totalPoints: items.reduce((sum, c) => sum + c.points, 0) + totalOff,
      ...(precision === undefined ? {} : { precision }),
      inputs: INPUTS,
      metrics: { m1: { label: '指标', expr: metric } },
      items,
      ...(bonus ? { bonus: { ...(cap === undefined ? {} : { cap }), items: bonus.map((b, k) => ({ id: `bonus${k}`, title: '加分', ...b })) } } : {}),
      // In a unit-level veto the total and the scores are names too.
      ...(veto ? { vetoes: [{ id: 'veto', title: '否决', when: veto.replace(/\bn2\b/, 'total').replace(/\bn1\b/, ids[0] === 'a' ? 'a' : 'bonus') }] } : {}),
      grades: [{ atLeast: 90, label: '优秀' }, { label: '一般' }],
      ranking: {
        scope: 'all', tieBreak: [items[0].id],
        sanctions: [{ place: 1, outcome: 'commendation', label: '表彰' }, { place: -1, outcome: 'veto', label: '一票否决' }],
      },
    })));
};

/** A rule file as an object: tame (mostly valid, so that it is scored) or hostile (mostly refused). */
export const ruleFile = fc.oneof(ruleFileOf(false), ruleFileOf(true));

/** Rows of data: numbers at the ends of a double, hostile ids, cells left out. */
export const dataRows = fc.array(fc.record({
  n1: fc.oneof(
    { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), weight: 8 },
    { arbitrary: fc.constantFrom(0, 0.1, 2.675, 1e308, -1e308, 5e-324, Number.MAX_VALUE), weight: 3 },
    { arbitrary: fc.constantFrom<unknown>('1e400', '', 'abc', null, true), weight: 1 },
  ),
  n2: maybe(fc.nat({ max: 1000 })),
  b1: fc.oneof({ arbitrary: fc.boolean(), weight: 8 }, { arbitrary: fc.constantFrom<unknown>('是', '否', 'maybe'), weight: 1 }),
  g1: fc.oneof({ arbitrary: fc.constantFrom('好', '中', '__proto__'), weight: 12 }, { arbitrary: fc.constantFrom('优', 'constructor'), weight: 1 }),
  constructor: maybe(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })),
}, { requiredKeys: ['n1', 'b1', 'g1'] }), { minLength: 1, maxLength: 6 })
  .map((rows) => rows.map((r, k) => ({ id: ['constructor', '__proto__', 'v1', 'toString', 'v2', 'v3'][k], parent: 't1', ...r })));

/** A rule file's text: JSON, but with Infinity written as a number no double holds, as an attacker would. */
export function ruleText(file: unknown): string {
  return JSON.stringify(file, (_k, v: unknown) => (v === Infinity ? '@@INF' : v === -Infinity ? '@@-INF' : v))
    .replace(/"@@INF"/g, '1e400').replace(/"@@-INF"/g, '-1e400');
}

const CODE = /^[A-Z][A-Z0-9_]+$/;
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

export type Verdict = 'refused' | 'data refused' | 'scored';

/**
 * The property: the file is refused with named, placed errors; or the data is refused
 * with named errors at rows; or every unit is scored, by the generated scorer exactly as
 * by the closures, and the results print as §6 JSON with every total a finite number.
 */
export function judge(text: string, rows: unknown[]): Verdict {
  let rs: CompiledRuleSet;
  try {
    rs = loadRuleSet(text, 'fuzz.json', ruleSchema()).ruleset;
  } catch (e) {
    if (!(e instanceof RuleFileInvalid)) throw e;
    expect(e.problems.length).to.be.greaterThan(0);
    for (const p of e.problems) {
      expect(p.code).to.match(CODE);
      expect(p.line).to.be.at.least(1);
      expect(p.message).to.be.a('string').and.not.equal('');
    }
    return 'refused';
  }
  let ranking;
  try {
    ranking = appraise(rs, parseJsonData(JSON.stringify(rows), 'data.json'));
  } catch (e) {
    if (!(e instanceof DataInvalid)) throw e;
    for (const p of e.problems) {
      expect(p.code).to.match(CODE);
      expect(p.row).to.be.at.least(1);
    }
    return 'data refused';
  }
  for (const ranked of ranking.units) {
    const a = scoreUnit(rs, ranked.unit), b = scoreUnitByClosures(rs, ranked.unit);
    expect(same(a.scores, b.scores), `scores of ${ranked.unit.id}: ${[...a.scores]} / ${[...b.scores]}`).to.equal(true);
    expect([a.total, a.bonus, a.penalty], ranked.unit.id).to.deep.equal([b.total, b.bonus, b.penalty]);
    expect(a.vetoes, ranked.unit.id).to.deep.equal(b.vetoes);
    expect(Number.isFinite(ranked.total), `total of ${ranked.unit.id}`).to.equal(true);
    for (const c of rs.criteria) explainCriterion(rs, c, ranked.unit.env, a.scores[c.index]);
  }
  JSON.stringify(scoreJson(rs, '', ranking));
  statistics(rs, { file: 'data.json', units: ranking.units.map((u) => u.unit) });
  return 'scored';
}

/** A rule file and its data, together. */
export const fuzzCase = fc.record({ file: ruleFile, rows: dataRows });

/**
 * The fuzz suite, as `npm test` runs it (a fixed seed, a bounded count) and `npm run test:hard`
 * runs it (more of each): in the engine, then through `appraisal check` and `score` in a
 * child process, then through the web editor's preview, which scores the period's data with
 * the edited rules.
 */
export function fuzzSuite(o: { seed: number; runs: number; commandLine: number; editor: number }): void {
  it(`refuses with named errors, or scores alike by the generated scorer and the closures, ${o.runs} rule files and their data`, () => {
    const seen: Record<Verdict, number> = { refused: 0, 'data refused': 0, scored: 0 };
    fc.assert(fc.property(fuzzCase, ({ file, rows }) => { seen[judge(ruleText(file), rows)]++; }), { seed: o.seed, numRuns: o.runs });
    // A generator that never reaches the scorer, or never a refusal, would prove nothing.
    for (const verdict of Object.keys(seen) as Verdict[]) expect(seen[verdict], JSON.stringify(seen)).to.be.at.least(o.runs / 10);
  });

  it(`never ends \`appraisal check\` or \`score\` with exit code 70 (${o.commandLine} files)`, () => {
    const dir = tempDir('appraisal-fuzz-');
    const config = { databaseFile: path.join(dir, 'unused.sqlite'), port: 0, seed: 'none' as const };
    fc.sample(fuzzCase, { seed: o.seed + 1, numRuns: o.commandLine }).forEach(({ file, rows }, k) => {
      const rules = path.join(dir, `rules-${k}.json`), data = path.join(dir, `data-${k}.json`);
      writeFileSync(rules, ruleText(file));
      writeFileSync(data, JSON.stringify(rows));
      const checked = appraisalSync(config, ['check', rules]);
      expect(checked.code, checked.stderr).to.be.oneOf([0, 1]);
      const scored = appraisalSync(config, ['score', rules, data, '--format', 'json']);
      expect(scored.code, scored.stderr).to.be.oneOf(checked.code === 0 ? [0, 2] : [1]);
      expect(checked.stderr + scored.stderr).not.to.match(/内部错误|RangeError|TypeError/);
    });
  });

  describe('through the web editor', () => {
    let app: TestApp;
    before(async () => { app = await startApp(); });
    after(async () => { await app?.close(); });

    it(`never answers 500 to a preview of the edited rules (${o.editor} files)`, async () => {
      const admin = await signedIn(app.url, 'admin');
      const statuses = new Map<number, number>();
      for (const { file } of fc.sample(fuzzCase, { seed: o.seed + 2, numRuns: o.editor })) {
        await admin.get('/rules/village-annual/edit');
        const res = await admin.post('/rules/village-annual/preview', { source: ruleText(file) });
        await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).to.be.oneOf([200, 422]);
      }
      // Both answers were seen: a preview shown, and a refusal with its errors.
      expect([...statuses.keys()].sort(), JSON.stringify([...statuses])).to.deep.equal([200, 422]);
    });
  });
}
