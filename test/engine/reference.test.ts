import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as engine from '../../src/engine/index.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { ruleSchema } from '../../src/io/rule-file.js';
import { badDataCase, ruleSetCase, type Case } from '../support/reference/arbitrary.js';
import { referenceScore, ReferenceDataInvalid, type EventRow, type ScoreJsonOutput } from '../support/reference/index.js';
import { FIXTURES, readJson } from '../helpers.js';

/**
 * Issue 20, point 1: the engine cross-checked with an independent implementation of RULES.md
 * (test/support/reference, written from the page alone). First the reference against every fixture's
 * expected results; then both on random valid rule sets and data, which must give the same JSON.
 * Set ENGINE_V2 once the version-2 engine has landed: its property then runs too.
 */
const ENGINE_V2 = true;
/**
 * A few hundred runs keep the file under ~30 s on two cores (the engine's load and code generation are most of a
 * case); REFERENCE_RUNS and REFERENCE_SEED run a longer, different search. A version-2 case costs about twice a
 * version-1 one, so it gets half the runs unless REFERENCE_RUNS asks for more.
 */
const RUNS = Number(process.env.REFERENCE_RUNS ?? 200);
const V2_RUNS = Number(process.env.REFERENCE_RUNS ?? 100);
/**
 * ENGINE DEFECT, reported to the lead (issue 20, point 1): the engine rounds each peer's `e` to 9 decimals before
 * it sums, averages or returns it (src/engine/peers.ts), where RULES.md §4 rounds only to compare and §7.7 says
 * peerAvg is exact. Found by the version-2 property at REFERENCE_RUNS=2000 REFERENCE_SEED=1. Set true with the fix.
 */
const ENGINE_PEERS_EXACT = true;
const SEED = Number(process.env.REFERENCE_SEED ?? 2020);

interface Fixture {
  description: string;
  rules: unknown;
  data?: unknown[];
  expected?: { units: Array<Record<string, unknown>>; parents: unknown[] };
  dataErrors?: Array<{ row: number; column: string | null; code: string }>;
  /** Version 2 fixtures may carry events rows and the score JSON of each source (§7.6, §7.8). */
  events?: EventRow[];
  sources?: Record<string, ScoreJsonOutput>;
}

const dir = path.join(FIXTURES, 'rulesets');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** The version-2 keys of a unit (§7.10), left out where the expected output is version 1's. */
function withoutV2(units: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return units.map(({ metrics, applicablePoints, ...rest }) => rest);
}

describe('the reference implementation of RULES.md (test/support/reference)', () => {
  describe('gives every rule-set fixture its expected results', () => {
    for (const name of files) {
      const fixture = readJson<Fixture>(path.join(dir, name));
      if (!fixture.expected && !fixture.dataErrors) continue;
      it(`${name}: ${fixture.description}`, () => {
        const text = JSON.stringify(fixture.rules, null, 2);
        if (fixture.dataErrors) {
          let caught: unknown;
          try { referenceScore(text, fixture.data ?? [], { events: fixture.events, sources: fixture.sources }); } catch (e) { caught = e; }
          expect(caught, 'the data should be refused').to.be.instanceOf(ReferenceDataInvalid);
          const found = (caught as ReferenceDataInvalid).problems;
          expect(found.map((p) => `${p.row} ${p.column} ${p.code}`), 'every problem, and no other').to.have.length(fixture.dataErrors.length);
          for (const e of fixture.dataErrors) {
            expect(found.some((f) => f.row === e.row && f.code === e.code && (e.column === null || f.column === e.column)), JSON.stringify(e)).to.equal(true);
          }
          return;
        }
        const out = referenceScore(text, fixture.data ?? [], { events: fixture.events, sources: fixture.sources });
        const expected = fixture.expected as { units: Array<Record<string, unknown>>; parents: unknown[] };
        const v1 = expected.units.every((u) => !('metrics' in u));
        expect({ units: v1 ? withoutV2(out.units as never) : out.units, parents: out.parents }).to.deep.equal(expected);
      });
    }
  });
});

/** The product's `score --format json` of a case, or the codes it refused the data with. */
function productScore(c: Case, text: string, v2: boolean): ScoreJsonOutput | { problems: string[] } {
  const { ruleset } = engine.loadRuleSet(text, 'generated.json', ruleSchema());
  const table = parseJsonData(JSON.stringify(c.data), 'data.json');
  // Version 2's third argument (events, sources) and sourceResultsFromScoreJson are the lead's, landing with the new engine.
  const appraise = engine.appraise as unknown as (r: unknown, t: unknown, o?: { events?: EventRow[]; sources?: Map<string, unknown> }) => ReturnType<typeof engine.appraise>;
  const fromScoreJson = (engine as unknown as Record<string, (doc: unknown, file: string) => unknown>).sourceResultsFromScoreJson;
  try {
    const sources = v2 ? new Map(Object.entries(c.sources).map(([name, doc]) => [name, fromScoreJson(doc, `${name}.json`)])) : undefined;
    const result = v2 ? appraise(ruleset, table, { events: c.events, sources }) : appraise(ruleset, table);
    return engine.scoreJson(ruleset, createHash('sha256').update(text, 'utf8').digest('hex'), result) as unknown as ScoreJsonOutput;
  } catch (e) {
    if (!(e instanceof engine.DataInvalid)) throw e;
    return { problems: problemList(e.problems) };
  }
}

/** Problems as sorted lines; a failed check's column is left open, as in the fixtures (RULES.md names none). */
function problemList(problems: Array<{ row: number; column: string | null; code: string }>): string[] {
  return problems.map((p) => `${p.row} ${p.code === 'CHECK_FAILED' ? '-' : p.column} ${p.code}`).sort();
}

function reference(c: Case, text: string, v2: boolean): ScoreJsonOutput | { problems: string[] } {
  try {
    // The engine prints version 2's keys (metrics, applicablePoints) for every rule file (§7.10).
    return referenceScore(text, c.data, v2 ? { events: c.events, sources: c.sources } : {});
  } catch (e) {
    if (!(e instanceof ReferenceDataInvalid)) throw e;
    return { problems: problemList(e.problems) };
  }
}

/** Both implementations on one case; a difference fails with the rule set, the data and where they part. */
function sameAsReference(c: Case, v2: boolean): void {
  const text = JSON.stringify(c.rules, null, 2);
  // Compared as the JSON that is printed (−0 prints as 0; key order does not matter).
  const mine = JSON.parse(JSON.stringify(reference(c, text, v2))) as ReturnType<typeof reference>;
  const theirs = JSON.parse(JSON.stringify(productScore(c, text, v2))) as ReturnType<typeof productScore>;
  try {
    if ('units' in mine && 'units' in theirs) {
      mine.units.forEach((unit, i) => expect(theirs.units[i], `unit ${i} (${unit.id})`).to.deep.equal(unit));
    }
    expect(theirs).to.deep.equal(mine);
  } catch (e) {
    const part = (mine: unknown, theirs: unknown): string => `reference:\n${JSON.stringify(mine)}\nengine:\n${JSON.stringify(theirs)}`;
    const at = 'units' in mine && 'units' in theirs ? mine.units.findIndex((u, i) => JSON.stringify(u) !== JSON.stringify(theirs.units[i])) : -1;
    const where = at >= 0 && 'units' in mine && 'units' in theirs ? part(mine.units[at], theirs.units[at]) : part(mine, theirs);
    throw new Error(`${(e as Error).message}\nrule set:\n${text}\ndata:\n${JSON.stringify(c.data)}\nevents:\n${JSON.stringify(c.events)}\nsources:\n${JSON.stringify(c.sources)}\n${where}`);
  }
}

describe('the engine against the reference implementation (differential)', function () {
  // A longer search (REFERENCE_RUNS) gets the time it needs; the default runs take seconds.
  this.timeout(Math.max(120_000, RUNS * 500));

  it('scores random version-1 rule sets and data exactly as the reference does', () => {
    fc.assert(fc.property(ruleSetCase(false), (c) => sameAsReference(c, false)), { numRuns: RUNS, seed: SEED });
  });

  it('refuses random bad data with the same problems as the reference, or scores it the same', () => {
    fc.assert(fc.property(badDataCase(), (c) => sameAsReference(c, false)), { numRuns: RUNS, seed: SEED });
  });

  (ENGINE_V2 ? it : it.skip)('scores random version-2 rule sets, events included, exactly as the reference does', () => {
    fc.assert(fc.property(ruleSetCase(true), (c) => sameAsReference(c, true)), { numRuns: V2_RUNS, seed: SEED });
  });

  (ENGINE_PEERS_EXACT ? it : it.skip)('ENGINE DEFECT (§4, §7.7): sums, averages and returns peer values exactly, rounding to 9 decimals only to compare', () => {
    // One unit, x = 1: x / 3 is 0.333…; times a million the 4 decimals printed show whether it was cut at 9.
    const rules = {
      id: 'v2', version: '2', title: '测试细则', subject: 'village', totalPoints: 100,
      inputs: { x: { label: '得分', type: 'number' } },
      metrics: { s: { label: '合计', expr: 'peerSum(x / 3) * 1000000' }, m: { label: '最高', expr: 'peerMax(x / 3) * 1000000' }, a: { label: '平均', expr: 'peerAvg(x / 3) * 1000000' } },
      items: [{ id: 'a', title: 'a', points: 100, award: { method: 'manual', input: 'x' } }],
    };
    sameAsReference({ rules, data: [{ id: 'u1', x: 1 }], events: [], sources: {} }, true);
  });
});

describe('the engine against the reference implementation on scopes of more than 32 units', function () {
  this.timeout(60_000);
  // A township's villages are ranked and their peers worked out by insertion, a larger scope by a sort: both ways,
  // with ties, undefined values (nothing due) and every unit in one scope ("all") or in scopes of 5 to 120.
  for (const scope of ['all', 'parent'] as const) {
    it(`scores peerRank, peerMax and peerAvg, and ranks, exactly as the reference does (scope ${scope})`, () => {
      const rules = {
        id: 'big', version: '2', title: '大范围', subject: 'village', totalPoints: 100, precision: 1,
        inputs: { done: { label: '完成数', type: 'integer', min: 0 }, due: { label: '应完成数', type: 'integer', min: 0 } },
        metrics: { rate: { label: '完成率', unit: '%', expr: 'done / due * 100' } },
        items: [
          { id: 'r', title: '排名', points: 40, award: { method: 'bands', value: 'peerRank(rate)', bands: [{ atMost: 1, points: 40 }, { atMost: 3, points: 36 }, { atMost: 40, points: 30 }, { points: 20 }] } },
          { id: 'm', title: '比最高', points: 30, award: { method: 'ratio', value: 'rate / peerMax(rate)' } },
          { id: 'a', title: '比平均', points: 30, award: { method: 'amount', value: 'if(rate >= peerAvg(rate), 30, 30 * rate / peerAvg(rate))' } },
        ],
        ranking: { scope, tieBreak: ['r'], sanctions: [{ place: -1, outcome: 'criticism', label: '通报批评' }] },
      };
      const sizes = [120, 33, 5, 40];
      const data: Array<Record<string, unknown>> = [];
      let k = 0;
      sizes.forEach((size, t) => {
        for (let i = 0; i < size; i++, k++) data.push({ id: `v${String(k).padStart(4, '0')}`, parent: `t${t}`, done: (k * 37) % 50, due: k % 11 === 0 ? 0 : 50 });
      });
      sameAsReference({ rules, data, events: [], sources: {} }, true);
    });
  }
});

/** Every inline event of a case moved to the events rows (§7.6: `--events` adds to the inline ones). */
function eventsAsRows(c: Case): Case {
  const inputs = c.rules.inputs as Record<string, { type: string; label: string }>;
  const events = [...c.events];
  const data = c.data.map((source) => {
    const row: Record<string, unknown> = { ...source, ...(source.inputs ? { inputs: { ...(source.inputs as Record<string, unknown>) } } : {}) };
    for (const [name, input] of Object.entries(inputs)) {
      if (input.type !== 'events') continue;
      for (const place of [row, row.inputs as Record<string, unknown> | undefined]) {
        for (const key of [name, input.label]) {
          if (!place || !Array.isArray(place[key])) continue;
          for (const event of place[key] as Array<Record<string, unknown>>) events.push({ row: events.length + 2, unit: row.id as string, input: key, ...event });
          delete place[key];
        }
      }
    }
    return row;
  });
  return { ...c, data, events };
}

/** Every item of a rule set given what changes nothing: an appliesIf that holds, a floor of 0, a note. */
function withNoOps(items: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return items.map((item) => ({
    appliesIf: '0 == 0', note: '说明',
    ...(Array.isArray(item.items) ? { items: withNoOps(item.items as Array<Record<string, unknown>>) } : { floor: 0 }),
    ...item,
  }));
}

describe('the reference agrees with itself on version 2 (metamorphic)', function () {
  this.timeout(60_000);
  // The units and parents only: the rule file's sha256 differs where its text does.
  const score = (c: Case): string => {
    const { units, parents } = referenceScore(JSON.stringify(c.rules), c.data, { events: c.events, sources: c.sources });
    return JSON.stringify({ units, parents });
  };

  it('gives the same results whether events are inline in the data or events rows', () => {
    fc.assert(fc.property(ruleSetCase(true), (c) => { expect(score(eventsAsRows(c))).to.equal(score(c)); }), { numRuns: 100, seed: SEED });
  });

  it('gives the same results when every item also carries an appliesIf that holds, a floor of 0 and a note', () => {
    fc.assert(fc.property(ruleSetCase(true), (c) => {
      const plain = { ...c, rules: { ...c.rules, items: withNoOps(c.rules.items as Array<Record<string, unknown>>) } };
      expect(score(plain)).to.equal(score(c));
    }), { numRuns: 100, seed: SEED });
  });
});

/** A version-2 rule set around some items, for the worked examples below. */
function v2(over: Record<string, unknown>): string {
  return JSON.stringify({ id: 'v2', version: '2', title: '测试细则', subject: 'village', totalPoints: 100, ...over });
}
const manual = (id: string, points: number, extra: Record<string, unknown> = {}) => ({ id, title: id, points, award: { method: 'manual', input: 'x' }, ...extra });
const X = { x: { label: '得分', type: 'number' } };
const unitOf = (out: ScoreJsonOutput, id: string) => out.units.find((u) => u.id === id) as ScoreJsonOutput['units'][number];
function problemsOf(run: () => unknown): string[] {
  try { run(); } catch (e) { if (e instanceof ReferenceDataInvalid) return e.problems.map((p) => `${p.row} ${p.column} ${p.code}`); throw e; }
  throw new Error('the data was scored, not refused');
}

describe('the reference reads version 2 as RULES.md §7 says (worked by hand)', () => {
  it('scales the top-level sum by totalPoints / applicablePoints when an item does not apply (§7.3)', () => {
    const rules = v2({
      inputs: { ...X, farm: { label: '农场', type: 'boolean', default: false } },
      items: [manual('a', 60), { id: 'g', title: 'g', points: 40, appliesIf: 'not farm', items: [manual('b', 40)] }],
    });
    const out = referenceScore(rules, [{ id: 'u1', parent: 't', x: 45, farm: true }, { id: 'u2', parent: 't', x: 30 }]);
    const farm = unitOf(out, 'u1');
    expect(farm.scores).to.deep.equal({ a: 45, g: null, b: null });
    expect(farm.values).to.deep.equal({ a: null, b: null });
    expect([farm.applicablePoints, farm.total]).to.deep.equal([60, 75]);
    expect([unitOf(out, 'u2').applicablePoints, unitOf(out, 'u2').total]).to.deep.equal([100, 60]);
  });

  it('lets a floored criterion go below zero and rounds −2.25 to −2.3; the total stays at least 0 (§7.4)', () => {
    const rules = v2({ inputs: X, items: [{ id: 'a', title: 'a', points: 10, floor: -5, deduct: [{ method: 'amount', value: 'x' }] }, { id: 'b', title: 'b', points: 90, award: { method: 'fixed', points: 0 } }] });
    const out = referenceScore(rules, [{ id: 'u1', x: 12.25 }, { id: 'u2', x: 100 }]);
    expect(unitOf(out, 'u1').scores.a).to.equal(-2.3);
    expect(unitOf(out, 'u1').total).to.equal(0);
    expect(unitOf(out, 'u2').scores.a).to.equal(-5);
  });

  it('counts events inline and from the events rows, by level and by points (§7.6)', () => {
    const rules = v2({
      totalPoints: 20,
      inputs: { acc: { label: '安全事故', type: 'events', levels: { 一般: 5, 较大: 10 }, range: [2, 5] } },
      metrics: { big: { label: '较大', expr: 'count(acc, "较大")' }, all: { label: '起数', expr: 'count(acc)' } },
      items: [{ id: 'a', title: 'a', points: 20, deduct: [{ method: 'amount', value: 'sum(acc)' }] }],
    });
    const out = referenceScore(rules, [{ id: 'u1', acc: [{ level: '较大', date: '2024-05-03' }, { points: 3 }] }, { id: 'u2', 安全事故: null }], {
      events: [{ row: 2, unit: 'u1', input: '安全事故', level: '一般', points: '' }],
    });
    expect(unitOf(out, 'u1').scores.a).to.equal(2);
    expect(unitOf(out, 'u1').metrics).to.deep.equal({ big: 1, all: 3 });
    expect(unitOf(out, 'u2').scores.a).to.equal(20);
  });

  it('refuses every bad event at once, with its row and column (§7.6)', () => {
    const rules = v2({
      totalPoints: 20,
      inputs: { acc: { label: '安全事故', type: 'events', levels: { 一般: 5 } }, sp: { label: '督查', type: 'events', range: [2, 5] } },
      items: [{ id: 'a', title: 'a', points: 20, deduct: [{ method: 'amount', value: 'sum(acc) + sum(sp)' }] }],
    });
    const problems = problemsOf(() => referenceScore(rules, [{ id: 'u1', acc: { level: '一般' } }, { id: 'u2', sp: [{ points: 6 }] }], {
      events: [
        { row: 2, unit: 'nobody', input: 'acc', level: '一般' },
        { row: 3, unit: 'u1', input: '没有', level: '一般' },
        { row: 4, unit: 'u1', input: 'acc', level: '重大' },
        { row: 5, unit: 'u1', input: 'acc', points: 3 },
        { row: 6, unit: 'u1', input: 'sp', level: '一般', points: 3 },
        { row: 7, unit: 'u1', input: 'sp' },
      ],
    }));
    expect(problems).to.have.members(['2 acc NOT_AN_EVENT_LIST', '3 sp OUT_OF_RANGE', '2 unit EVENT_UNKNOWN_UNIT', '3 input EVENT_UNKNOWN_INPUT',
      '4 level UNKNOWN_LEVEL_VALUE', '5 points EVENT_POINTS_NOT_ALLOWED', '6 points EVENT_LEVEL_AND_POINTS', '7 level EVENT_NO_LEVEL_OR_POINTS']);
  });

  it('scores against the peers of the ranking scope: by rank, against the best and the average (§7.7)', () => {
    const rules = v2({
      inputs: X,
      metrics: { share: { label: '比例', expr: 'x / peerMax(x)' }, above: { label: '高于平均', expr: 'x >= peerAvg(x)' } },
      items: [
        { id: 'r', title: 'r', points: 60, award: { method: 'bands', value: 'peerRank(x)', bands: [{ atMost: 1, points: 60 }, { atMost: 2, points: 57 }, { points: 54 }] } },
        { id: 's', title: 's', points: 40, award: { method: 'ratio', value: 'share' } },
      ],
    });
    const out = referenceScore(rules, [{ id: 'a1', parent: 'ta', x: 80 }, { id: 'a2', parent: 'ta', x: 40 }, { id: 'a3', parent: 'ta', x: 40 }, { id: 'b1', parent: 'tb', x: 10 }]);
    expect(unitOf(out, 'a2').scores).to.deep.equal({ r: 57, s: 20 });
    expect(unitOf(out, 'a2').metrics).to.deep.equal({ share: 0.5, above: false });
    expect(unitOf(out, 'a1').metrics.above).to.equal(true);
    expect(unitOf(out, 'b1').scores).to.deep.equal({ r: 60, s: 40 });
  });

  it('gives prizes by rank range, condition and group; a vetoed unit loses its prize but used up its group (§7.9)', () => {
    const rules = v2({
      inputs: { ...X, bad: { label: '违规', type: 'boolean', default: false } },
      items: [manual('a', 100)],
      vetoes: [{ id: 'v', title: '违规', when: 'bad' }],
      ranking: {
        scope: 'all', vetoedLast: false,
        sanctions: [
          { rank: [1, 2], when: 'total >= 90', group: 'prize', outcome: 'commendation', label: '一等奖' },
          { rank: [1, 6], when: 'total >= 80', group: 'prize', outcome: 'commendation', label: '二等奖' },
        ],
      },
    });
    const out = referenceScore(rules, [{ id: 'u1', x: 95, bad: true }, { id: 'u2', x: 91 }, { id: 'u3', x: 91 }, { id: 'u4', x: 85 }, { id: 'u5', x: 70 }]);
    expect(out.units.map((u) => [u.id, u.rank, u.sanctions.map((s) => s.label).join()])).to.deep.equal([
      ['u1', 1, ''], ['u2', 2, '一等奖'], ['u3', 2, '一等奖'], ['u4', 4, '二等奖'], ['u5', 5, ''],
    ]);
  });

  it('lists a group’s veto under its vetoTitle before the vetoes inside it, also in a zeroed group (§7.2)', () => {
    const rules = v2({
      inputs: X,
      items: [{ id: 'g', title: '组', points: 100, zeroIf: 'x > 1', vetoIf: 'x > 2', vetoTitle: '出现政策外多孩生育', items: [manual('a', 50, { vetoIf: 'x > 3' }), manual('b', 50, { appliesIf: 'x < 4', vetoIf: 'x > 3' })] }],
      vetoes: [{ id: 'w', title: '整体', when: 'x > 3' }],
    });
    const u = unitOf(referenceScore(rules, [{ id: 'u1', x: 5 }]), 'u1');
    expect(u.vetoes).to.deep.equal([{ id: 'g', title: '出现政策外多孩生育' }, { id: 'a', title: 'a' }, { id: 'w', title: '整体' }]);
    expect(u.scores).to.deep.equal({ g: 0, a: 0, b: null });
    expect([u.applicablePoints, u.total, u.grade]).to.deep.equal([50, 0, '不合格']);
  });

  it('reads sources by unit or by parent; a missing required one is SOURCE_MISSING, an optional one undefined (§7.8)', () => {
    const source = (units: Array<Record<string, unknown>>): ScoreJsonOutput => ({ ruleset: { id: 's', version: '1', sha256: '' }, units, parents: [] } as unknown as ScoreJsonOutput);
    const rules = v2({
      sources: { fp: { label: '计生', ruleset: 'fp', scores: ['c'] }, last: { label: '上年', ruleset: 'x', required: false }, town: { label: '村', ruleset: 'v', match: 'parent' } },
      items: [
        { id: 'a', title: 'a', points: 50, award: { method: 'amount', value: 'fp.total * 0.4 + fp.c' } },
        { id: 'b', title: 'b', points: 50, appliesIf: 'not last.vetoed', award: { method: 'amount', value: 'town.total / 2' } },
      ],
    });
    const fp = source([{ id: 'u1', total: 80, scores: { c: 10 } }, { id: 'u2', total: 50, scores: { c: null } }]);
    const town = source([{ id: 't1', total: 90 }]);
    const last = source([{ id: 'u1', vetoed: false }]);
    const out = referenceScore(rules, [{ id: 'u1', parent: 't1' }, { id: 'u2', parent: 't1' }], { sources: { fp, town, last } });
    expect(unitOf(out, 'u1').scores).to.deep.equal({ a: 42, b: 45 });
    expect(unitOf(out, 'u2').scores).to.deep.equal({ a: 50, b: null });
    expect(problemsOf(() => referenceScore(rules, [{ id: 'u1', parent: 't2' }, { id: 'u3', parent: 't1' }], { sources: { fp, town } })))
      .to.have.members(['2 parent SOURCE_MISSING', '3 id SOURCE_MISSING']);
  });

  it('ranks an item that does not apply below every score in tieBreak (§7.3)', () => {
    const rules = v2({
      inputs: { ...X, farm: { label: '农场', type: 'boolean', default: false } },
      items: [manual('a', 50), manual('t', 50, { appliesIf: 'not farm' })],
      ranking: { scope: 'all', tieBreak: ['t'] },
    });
    const out = referenceScore(rules, [{ id: 'u1', x: 25, farm: true }, { id: 'u2', x: 25 }, { id: 'u3', x: 10, farm: true }]);
    expect(out.units.map((u) => [u.id, u.total, u.rank])).to.deep.equal([['u2', 50, 1], ['u1', 50, 2], ['u3', 20, 3]]);
  });

  it('puts a unit vetoed by a group’s vetoIf last and gives its parent the liability (§7.2)', () => {
    const rules = v2({
      inputs: { ...X, bad: { label: '违规', type: 'boolean', default: false } },
      items: [{ id: 'g', title: '计生', points: 100, vetoIf: 'bad', items: [manual('a', 100)] }],
      ranking: { liability: [{ when: 'childVetoed', outcome: 'criticism', label: '连带责任' }] },
    });
    const out = referenceScore(rules, [{ id: 'u1', parent: 't1', x: 90, bad: true }, { id: 'u2', parent: 't1', x: 50 }, { id: 'u3', parent: 't2', x: 10 }]);
    expect(out.units.map((u) => [u.id, u.rank, u.grade, u.vetoes])).to.deep.equal([
      ['u2', 1, null, []], ['u1', 2, '不合格', [{ id: 'g', title: '计生' }]], ['u3', 1, null, []],
    ]);
    expect(out.parents).to.deep.equal([{ id: 't1', sanctions: [{ outcome: 'criticism', label: '连带责任' }] }, { id: 't2', sanctions: [] }]);
  });

  it('lets unit-level vetoes and sanction conditions compare a total with its peers’ (§7.7)', () => {
    const rules = v2({
      inputs: X,
      items: [manual('a', 100)],
      vetoes: [{ id: 'low', title: '低于平均', when: 'total < peerAvg(total)' }],
      ranking: { scope: 'all', sanctions: [{ rank: [1, 3], when: 'total >= peerAvg(total)', outcome: 'commendation', label: '达标' }] },
    });
    const out = referenceScore(rules, [{ id: 'u1', x: 90 }, { id: 'u2', x: 60 }, { id: 'u3', x: 30 }]);
    expect(out.units.map((u) => [u.id, u.vetoed, u.sanctions.map((e) => e.label).join()])).to.deep.equal([['u1', false, '达标'], ['u2', false, '达标'], ['u3', true, '']]);
  });

  it('counts only the outermost items that do not apply: a zeroed group whose children do not apply is null (§7.2, §7.3)', () => {
    const rules = v2({
      inputs: { ...X, farm: { label: '农场', type: 'boolean', default: false } },
      items: [manual('a', 60), { id: 'g', title: 'g', points: 40, zeroIf: 'x > 0', items: [manual('b', 40, { appliesIf: 'farm' })] }],
    });
    const u = unitOf(referenceScore(rules, [{ id: 'u1', x: 30 }]), 'u1');
    expect(u.scores).to.deep.equal({ a: 30, g: null, b: null });
    expect([u.applicablePoints, u.total]).to.deep.equal([60, 50]);
  });

  it('keeps §7.10a’s logic over undefined: false and undefined is false, true or undefined is true', () => {
    const rules = v2({
      sources: { last: { label: '上年', ruleset: 'x', required: false } },
      inputs: X,
      items: [
        manual('a', 25, { appliesIf: 'last.vetoed or true' }), manual('b', 25, { appliesIf: 'last.vetoed and true' }),
        manual('c', 25, { zeroIf: 'not (last.vetoed and false)' }), manual('d', 25, { zeroIf: 'not last.vetoed' }),
      ],
    });
    expect(unitOf(referenceScore(rules, [{ id: 'u1', x: 10 }]), 'u1').scores).to.deep.equal({ a: 10, b: null, c: 0, d: 10 });
  });
});
