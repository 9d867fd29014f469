import { expect } from 'chai';
import { appraise, DataInvalid, sourceResultsOf, linkTable, loadRuleSet, RuleFileInvalid } from '../../src/engine/index.js';
import { tableFromJsonRows } from '../../src/io/data-file.js';
import { ruleSchema } from '../../src/io/rule-file.js';
import { compile, ruleSet } from '../helpers.js';

/** The second track (双线考核): a staff rule set reads the results of the village its staff serve. */

const villages = compile(ruleSet({
  inputs: { s: { type: 'number', min: 0, max: 100 }, births: { type: 'integer' }, population: { type: 'integer' } },
  metrics: { birthRate: { label: '出生率', unit: '‰', expr: 'births / population * 1000' } },
  items: [{ id: 'c', title: 'c', points: 100, award: { method: 'manual', input: 's' } }],
  grades: [{ atLeast: 90, label: '优秀' }, { label: '合格' }],
  ranking: { sanctions: [{ place: -1, outcome: 'veto', label: '一票否决' }] },
}));

const staff = compile(ruleSet({
  id: 'staff', subject: 'staff',
  inputs: { work: { type: 'number', min: 0, max: 60 } },
  links: { village: { label: '所服务村', metrics: ['birthRate'] } },
  items: [
    { id: 'work', title: '工作', points: 60, award: { method: 'manual', input: 'work' } },
    { id: 'village', title: '村考核结果', points: 40, award: { method: 'linear', value: 'village.total', zeroAt: 60, fullAt: 100 },
      zeroIf: 'village.vetoed' },
  ],
  bonus: { cap: 5, items: [{ id: 'excellent', title: '村优秀', method: 'check', test: 'village.grade == "优秀"', points: 5 }] },
  vetoes: [{ id: 'rate', title: '村出生率超标', when: 'village.birthRate > 10' }],
}));

const villageRanking = appraise(villages, tableFromJsonRows([
  { id: 'v1', parent: 't', s: 95, births: 5, population: 1000 },
  { id: 'v2', parent: 't', s: 80, births: 12, population: 1000 },
  { id: 'v3', parent: 't', s: 70, births: 0, population: 0 },
], 'villages'));
const linked = sourceResultsOf(villages, villageRanking);

function scoreStaff(rows: Array<Record<string, unknown>>) {
  const table = linkTable(staff, tableFromJsonRows(rows, 'staff'), 'village', linked, 'villages');
  return appraise(staff, table).units.map((u) => ({ id: u.unit.id, total: u.total, vetoes: u.vetoes.map((v) => v.id) }));
}

describe('links between tracks (rules/README.md)', () => {
  it('reads the served village’s total, grade and metrics through the staff row’s parent', () => {
    expect(scoreStaff([{ id: 's1', parent: 'v1', work: 50 }, { id: 's2', parent: 'v2', work: 50 }])).to.deep.equal([
      { id: 's1', total: 50 + 35 + 5, vetoes: [] },
      { id: 's2', total: 50 + 20, vetoes: ['rate'] },
    ]);
  });

  it('reads the village’s veto by rank sanction, and an undefined metric as undefined', () => {
    expect(scoreStaff([{ id: 's3', parent: 'v3', work: 40 }])).to.deep.equal([{ id: 's3', total: 40, vetoes: [] }]);
  });

  it('reports every staff row whose village has no result, at its parent column', () => {
    let caught: unknown;
    try { scoreStaff([{ id: 's1', parent: 'v1', work: 1 }, { id: 's9', parent: 'v9', work: 1 }, { id: 's0', work: 1 }]); } catch (e) { caught = e; }
    expect((caught as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[3, 'parent', 'SOURCE_MISSING'], [4, 'parent', 'SOURCE_MISSING']]);
  });

  it('refuses to score a linked rule set without its link: every unit lacks the result, at its parent column (RULES.md §7.8)', () => {
    let caught: unknown;
    try { appraise(staff, tableFromJsonRows([{ id: 's1', parent: 'v1', work: 1 }, { id: 's2', parent: 'v2', work: 1 }], 'staff')); } catch (e) { caught = e; }
    expect((caught as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[2, 'parent', 'SOURCE_MISSING'], [3, 'parent', 'SOURCE_MISSING']]);
  });

  it('keeps a dotted name an error in a rule file without links', () => {
    let caught: unknown;
    try {
      loadRuleSet(JSON.stringify(ruleSet({ items: [{ id: 'c', title: 'c', points: 100, award: { method: 'check', test: 'village.vetoed' } }] })), 'x.json', ruleSchema());
    } catch (e) { caught = e; }
    expect((caught as RuleFileInvalid).problems.map((p) => p.code)).to.deep.equal(['EXPR_UNKNOWN_NAME']);
  });
});

describe('a table appraised with its sources and peers', () => {
  // A 综合考核 of one source, ranked within it by a peer function over the source's total.
  const composite = compile(ruleSet({
    version: '2', id: 'composite',
    sources: { fp: { label: '计生专项', ruleset: 'villages' } },
    inputs: { s: { type: 'number', min: 0, max: 20 } },
    metrics: { place: { label: '计生名次', expr: 'peerRank(fp.total)' } },
    items: [
      { id: 'a', title: '计生专项折合', points: 80, award: { method: 'amount', value: 'fp.total * 0.8' } },
      { id: 'b', title: '名次', points: 20, award: { method: 'amount', value: 'if(place == 1, 20, s)' } },
    ],
  }));
  const rows = () => [{ id: 'v3', parent: 't', s: 5 }, { id: 'v1', parent: 't', s: 5 }, { id: 'v2', parent: 't', s: 5 }];

  it('leaves every row as it was given: the sources\' places and the peers\' values are kept beside the rows', () => {
    const table = tableFromJsonRows(rows(), 'composite');
    const before = JSON.stringify(table.rows);
    const shapes = table.rows.map((r) => [Reflect.ownKeys(r), Reflect.ownKeys(r.cells)]);
    const first = appraise(composite, table, { sources: new Map([['fp', linked]]) });
    expect(JSON.stringify(table.rows)).to.equal(before);
    expect(table.rows.map((r) => [Reflect.ownKeys(r), Reflect.ownKeys(r.cells)])).to.deep.equal(shapes);
    // v1 95 (first: 76 + 20), v2 80 (64 + 5), v3 70 (56 + 5); appraised again, the same.
    const totals = (a: typeof first) => a.units.map((u) => [u.unit.id, u.total]);
    expect(totals(first)).to.deep.equal([['v1', 96], ['v2', 69], ['v3', 61]]);
    expect(totals(appraise(composite, table, { sources: new Map([['fp', linked]]) }))).to.deep.equal(totals(first));
  });

  it('reads every field of a source that an expression, a condition or a method\'s input names, and leaves the others unread', () => {
    const rs = compile(ruleSet({
      version: '2', id: 'by-input', totalPoints: 20,
      sources: { fp: { label: '计生专项', ruleset: 'villages' } },
      inputs: { s: { type: 'number', min: 0, max: 100 } },
      items: [
        { id: 'a', title: '名次', points: 10, award: { method: 'manual', input: 'fp.rank' } },
        { id: 'b', title: '未否决', points: 10, zeroIf: 'fp.vetoed', award: { method: 'manual', input: 's' } },
      ],
      ranking: { sanctions: [{ rank: [1, 2], when: 'fp.grade == "优秀"', outcome: 'commendation', label: '表彰' }] },
    }));
    expect(rs.inputs.filter((i) => i.link && !i.unread).map((i) => i.name).sort()).to.deep.equal(['fp.grade', 'fp.rank', 'fp.vetoed']);
    const table = tableFromJsonRows([{ id: 'v1', parent: 't', s: 4 }, { id: 'v2', parent: 't', s: 6 }, { id: 'v3', parent: 't', s: 9 }], 'by-input');
    const got = appraise(rs, table, { sources: new Map([['fp', linked]]) });
    // In the source v1 is first (95, 优秀), v2 second, v3 last and vetoed by its rank sanction (b zeroed):
    // v1 1 + 4, v2 2 + 6, v3 3 + 0; of the first two here only v1 was 优秀 there.
    expect(got.units.map((u) => [u.unit.id, u.total, u.sanctions.map((x) => x.label)])).to.deep.equal([
      ['v2', 8, []], ['v1', 5, ['表彰']], ['v3', 3, []],
    ]);
  });
});
