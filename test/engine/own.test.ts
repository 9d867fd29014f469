import { expect } from 'chai';
import { appraise, DataInvalid, linkTable, loadRuleSet, RuleFileInvalid, scoreJson, SourceResults, type CompiledRuleSet, type DataTable } from '../../src/engine/index.js';
import { statistics } from '../../src/engine/statistics.js';
import { dict, own } from '../../src/engine/own.js';
import { parseCsvData, parseJsonData } from '../../src/io/data-file.js';
import { ruleSchema } from '../../src/io/rule-file.js';

/**
 * Every name a plain JavaScript object already has (`constructor`, `toString`, `__proto__` …)
 * is, to the engine, a name like any other: as a function, an input (with and without a
 * default, by name and by label), a metric, a grade, an item or veto id, a link's metric,
 * a data column, a unit id, a parent. Each case is scored twice, once with the name and
 * once with a plain one in its place, and must give the same result, name for name.
 */

const NAMES = Object.getOwnPropertyNames(Object.prototype);
const PLAIN = 'plainName';

type Outcome = { scored: unknown } | { refused: string[] } | { dataErrors: unknown[] };

interface Case {
  what: string;
  rules: (n: string) => Record<string, unknown>;
  rows: (n: string) => Array<Record<string, unknown>>;
  /** Extra work on the table before scoring (links). */
  table?: (rs: CompiledRuleSet, t: DataTable, n: string) => DataTable;
}

const base = (_n: string, over: Record<string, unknown>) => ({
  id: 't', version: '1', title: '测试细则', totalPoints: 10,
  inputs: { x: { label: '得分率', type: 'number' } },
  items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'ratio', value: 'x' } }],
  ...over,
});

const CASES: Case[] = [
  {
    what: 'a function name',
    rules: (n) => base(n, { items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'ratio', value: `${n}(x)` } }] }),
    rows: () => [{ id: 'v1', x: 0.5 }],
  },
  {
    what: 'an input with a default that the data leaves out',
    rules: (n) => base(n, {
      inputs: { x: { label: '得分率', type: 'number' }, [n]: { label: '扣分次数', type: 'integer', min: 0, default: 2 } },
      items: [{ id: 'a', title: '甲项', points: 10, deduct: [{ method: 'per', count: n, points: 1 }] }],
    }),
    rows: () => [{ id: 'v1', x: 0.5 }, { id: 'v2', x: 0.2 }],
  },
  {
    what: 'an input with a default that one row gives and another leaves out',
    rules: (n) => base(n, {
      inputs: { x: { label: '得分率', type: 'number' }, [n]: { label: '扣分次数', type: 'integer', min: 0, default: 2 } },
      items: [{ id: 'a', title: '甲项', points: 10, deduct: [{ method: 'per', count: n, points: 1 }] }],
    }),
    rows: (n) => [{ id: 'v1', x: 0.5, [n]: 5 }, { id: 'v2', x: 0.2 }],
  },
  {
    what: 'an input without a default that the data leaves out',
    rules: (n) => base(n, {
      inputs: { x: { label: '得分率', type: 'number' }, [n]: { label: '扣分次数', type: 'integer', min: 0 } },
      items: [{ id: 'a', title: '甲项', points: 10, deduct: [{ method: 'per', count: n, points: 1 }] }],
    }),
    rows: (n) => [{ id: 'v1', x: 0.5, [n]: 1 }, { id: 'v2', x: 0.2 }],
  },
  {
    what: 'an input label, as the data\'s column',
    rules: (n) => base(n, {
      inputs: { x: { label: n, type: 'number' } },
    }),
    rows: (n) => [{ id: 'v1', [n]: 0.5 }, { id: 'v2', [n]: 0.3 }],
  },
  {
    what: 'a metric',
    rules: (n) => base(n, {
      metrics: { [n]: { label: '比率', expr: 'x * 2' } },
      items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'ratio', value: `${n} / 4` } }],
    }),
    rows: () => [{ id: 'v1', x: 0.5 }, { id: 'v2', x: 1 }],
  },
  {
    what: 'a grade',
    rules: (n) => base(n, {
      inputs: { q: { label: '评定', type: 'grade', grades: ['好', n] } },
      items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'grade', input: 'q', points: { 好: 10, [n]: 4 } } }],
      vetoes: [{ id: 'w', title: '评为末等', when: `q == "${n}"` }],
    }),
    rows: (n) => [{ id: 'v1', q: '好' }, { id: 'v2', q: n }],
  },
  {
    what: 'a criterion id, read as a name in a veto and as a tie-break',
    rules: (n) => base(n, {
      items: [{ id: 'g', title: '一组', points: 10, items: [{ id: n, title: '甲项', points: 10, award: { method: 'ratio', value: 'x' } }] }],
      vetoes: [{ id: 'w', title: '得分过低', when: `${n} < 3` }],
      ranking: { scope: 'all', tieBreak: [n], sanctions: [{ place: -1, outcome: 'criticism', label: '通报批评' }] },
    }),
    rows: () => [{ id: 'v1', x: 0.5 }, { id: 'v2', x: 0.2 }, { id: 'v3', x: 0.9 }],
  },
  {
    what: 'a group id and a veto id',
    rules: (n) => base(n, {
      items: [{ id: n, title: '一组', points: 10, items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'ratio', value: 'x' }, vetoIf: 'x < 0.1' }] }],
      vetoes: [{ id: `${n}_veto`, title: '得分过低', when: 'x < 0.3' }],
    }),
    rows: () => [{ id: 'v1', x: 0.5 }, { id: 'v2', x: 0.2 }, { id: 'v3', x: 0.05 }],
  },
  {
    what: 'a unit id, a parent and a unit name',
    rules: (n) => base(n, { ranking: { scope: 'parent', sanctions: [{ place: 1, outcome: 'commendation', label: '表彰' }], liability: [{ when: 'childVetoed', outcome: 'criticism', label: '连带责任' }] }, vetoes: [{ id: 'w', title: '过低', when: 'x < 0.1' }] }),
    rows: (n) => [{ id: n, name: n, parent: 't1', x: 0.5 }, { id: 'v2', name: '乙村', parent: n, x: 0.05 }, { id: 'v3', name: '丙村', parent: n, x: 0.7 }],
  },
  {
    what: 'a data column that is no input',
    rules: (n) => base(n, {}),
    rows: (n) => [{ id: 'v1', x: 0.5, [n]: 'abc' }, { id: 'v2', x: 0.2, [n]: '' }],
  },
  {
    what: 'a linked unit\'s metric',
    rules: (n) => base(n, {
      links: { village: { label: '所在村', metrics: [n] } },
      items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'ratio', value: `village.${n} / 10` } }],
    }),
    rows: () => [{ id: 's1', parent: 'v1' }, { id: 's2', parent: 'v2' }],
    table: (rs, t, n) => {
      const metrics = (v: number) => Object.assign(dict<number | null>(), { [n]: v });
      const results = SourceResults.from([
        ['v1', { total: 90, rank: 1, grade: null, vetoed: false, bonus: 0, penalty: 0, metrics: metrics(7) }],
        ['v2', { total: 80, rank: 2, grade: null, vetoed: false, bonus: 0, penalty: 0, metrics: metrics(3) }],
      ]);
      return linkTable(rs, t, 'village', results, 'village.json');
    },
  },
];

function outcome(c: Case, n: string, format: 'json' | 'csv'): Outcome {
  let rs: CompiledRuleSet;
  try {
    rs = loadRuleSet(JSON.stringify(c.rules(n)), 'test.json', ruleSchema()).ruleset;
  } catch (e) {
    if (e instanceof RuleFileInvalid) return { refused: e.problems.map((p) => `${p.code} ${p.pointer}`) };
    throw e;
  }
  const rows = c.rows(n);
  let table = format === 'json' ? parseJsonData(JSON.stringify(rows), 'data') : parseCsvData(toCsv(rows), 'data');
  try {
    if (c.table) table = c.table(rs, table, n);
    const ranking = appraise(rs, table);
    const stats = statistics(rs, { file: 'data', units: ranking.units.map((u) => u.unit) }, { file: 'data', units: ranking.units.map((u) => u.unit) });
    return { scored: { ...scoreJson(rs, '', ranking), statistics: stats, ignored: ranking.ignoredColumns } };
  } catch (e) {
    if (e instanceof DataInvalid) return { dataErrors: e.problems.map(({ row, column, code }) => ({ row, column, code })) };
    throw e;
  }
}

function toCsv(rows: Array<Record<string, unknown>>): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns, ...rows.map((r) => columns.map((c) => (Object.hasOwn(r, c) ? String(r[c]) : '')))].map((line) => line.join(',')).join('\n');
}

/**
 * The outcome as JSON text with the name put back as the plain one, keys and values alike,
 * its units, parents and rows in id order: a unit's place in the output follows its id and
 * its parent's, and `toString` sorts where `plainName` does not.
 */
function spelledPlain(o: Outcome, n: string): string {
  const text = JSON.stringify(o).split(JSON.stringify(n)).join(JSON.stringify(PLAIN))
    .split(`"${n}_`).join(`"${PLAIN}_`).split(`.${n}`).join(`.${PLAIN}`);
  const out = JSON.parse(text) as { scored?: { units: Array<{ id: string }>; parents: Array<{ id: string }>; statistics: { rows: Array<{ id: string }> } } };
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (out.scored) for (const list of [out.scored.units, out.scored.parents, out.scored.statistics.rows]) list.sort(byId);
  return JSON.stringify(out);
}

describe('names that JavaScript objects already have', () => {
  it('walks every Object.prototype member name, __proto__ among them', () => {
    expect(NAMES).to.include.members(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']);
  });

  for (const c of CASES) {
    for (const format of ['json', 'csv'] as const) {
      // A CSV file has no way to leave one row's cell out but an empty cell: the case of the absent key is JSON's.
      it(`${c.what} (${format} data): every such name gives what a plain name gives`, () => {
        const plain = spelledPlain(outcome(c, PLAIN, format), PLAIN);
        const failures = NAMES.filter((n) => spelledPlain(outcome(c, n, format), n) !== plain);
        expect(failures, plain).to.deep.equal([]);
      });
    }
  }

  it('is not fooled by the plain name itself: a case whose result does not depend on the name would prove nothing', () => {
    const scored = CASES.filter((c) => 'scored' in outcome(c, PLAIN, 'json'));
    expect(scored.length).to.be.greaterThan(CASES.length / 2);
    expect(outcome(CASES[0], PLAIN, 'json')).to.have.property('refused');
  });

  describe('own() and dict()', () => {
    it('reads only what an object itself has', () => {
      expect(own({ a: 1 }, 'a')).to.equal(1);
      expect(own({ a: 1 } as Record<string, unknown>, 'toString')).to.equal(undefined);
      expect(own(JSON.parse('{"__proto__": 5}') as Record<string, number>, '__proto__')).to.equal(5);
      expect(own(undefined, 'a')).to.equal(undefined);
    });

    it('makes a table in which __proto__ is a key like any other', () => {
      const t = dict<number>();
      t.__proto__ = 3;
      t['constructor'] = 4;
      expect(JSON.parse(JSON.stringify(t))).to.deep.equal(JSON.parse('{"__proto__": 3, "constructor": 4}'));
      expect(Object.keys(dict())).to.deep.equal([]);
    });
  });
});
