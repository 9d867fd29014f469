import { expect } from 'chai';
import { appraise, rankUnits, readUnits, scoreUnit, scoreUnits, type CompiledRuleSet, type RankedUnit } from '../../src/engine/index.js';
import { rankScored } from '../../src/engine/rank.js';
import { scoringRows } from '../../src/engine/score.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { compile, ruleSet } from '../helpers.js';

/** A rule set whose score is the input `s` itself and whose second criterion is `t`, for ranking tests. */
function rules(ranking: Record<string, unknown>, extra: Record<string, unknown> = {}): CompiledRuleSet {
  return compile(ruleSet({
    inputs: { s: { type: 'number', min: 0, max: 90 }, t: { type: 'number', min: 0, max: 10 }, bad: { type: 'boolean', default: false } },
    items: [
      { id: 'main', title: '主项', points: 90, award: { method: 'manual', input: 's' } },
      { id: 'second', title: '次项', points: 10, award: { method: 'manual', input: 't' } },
    ],
    vetoes: [{ id: 'policy', title: '政策外生育', when: 'bad' }],
    grades: [{ atLeast: 80, label: '优秀' }, { atLeast: 60, label: '合格' }, { label: '不合格' }],
    ranking,
    ...extra,
  }));
}

const SANCTIONS = [
  { place: 1, outcome: 'commendation', label: '表彰' },
  { place: -1, outcome: 'veto', label: '一票否决' },
  { place: -2, outcome: 'criticism', label: '通报批评' },
];

function run(rs: CompiledRuleSet, rows: Array<Record<string, unknown>>) {
  const result = appraise(rs, parseJsonData(JSON.stringify(rows), 'd.json'));
  return {
    units: result.units.map((u) => ({ id: u.unit.id, rank: u.rank, vetoed: u.vetoed, grade: u.grade, sanctions: u.sanctions.map((s) => s.label) })),
    parents: result.parents,
  };
}

const unit = (id: string, s: number, t = 0, extra: Record<string, unknown> = {}) => ({ id, parent: 'p1', s, t, ...extra });

describe('ranking and sanctions', () => {
  it('gives competition ranks: equal units share a rank and the next rank skips', () => {
    const { units } = run(rules({ scope: 'all' }), [unit('a', 80), unit('b', 70), unit('c', 70), unit('d', 60)]);
    expect(units.map((u) => [u.id, u.rank])).to.deep.equal([['a', 1], ['b', 2], ['c', 2], ['d', 4]]);
  });

  it('vetoes both units tied for last place, and criticises the level above them', () => {
    const { units } = run(rules({ sanctions: SANCTIONS }), [unit('a', 80), unit('b', 70), unit('c', 60), unit('d', 60)]);
    expect(units).to.deep.equal([
      { id: 'a', rank: 1, vetoed: false, grade: '优秀', sanctions: ['表彰'] },
      { id: 'b', rank: 2, vetoed: false, grade: '合格', sanctions: ['通报批评'] },
      { id: 'c', rank: 3, vetoed: true, grade: '不合格', sanctions: ['一票否决'] },
      { id: 'd', rank: 3, vetoed: true, grade: '不合格', sanctions: ['一票否决'] },
    ]);
  });

  it('with two units, commends the first and vetoes the second, criticising nobody', () => {
    const { units } = run(rules({ sanctions: SANCTIONS }), [unit('a', 80), unit('b', 70)]);
    expect(units.map((u) => u.sanctions)).to.deep.equal([['表彰'], ['一票否决']]);
  });

  it('with one unit, only commends it', () => {
    const { units } = run(rules({ sanctions: SANCTIONS }), [unit('a', 80)]);
    expect(units.map((u) => [u.sanctions, u.vetoed])).to.deep.equal([[['表彰'], false]]);
  });

  it('ranks a unit vetoed by a condition last, whatever its total', () => {
    const { units } = run(rules({ sanctions: SANCTIONS }), [unit('a', 90, 0, { bad: true }), unit('b', 70), unit('c', 60)]);
    expect(units.map((u) => [u.id, u.rank, u.sanctions])).to.deep.equal([['b', 1, ['表彰']], ['c', 2, ['通报批评']], ['a', 3, ['一票否决']]]);
  });

  it('never lets a vetoed unit keep a commendation', () => {
    const { units } = run(rules({ vetoedLast: false, sanctions: SANCTIONS }), [unit('a', 90, 0, { bad: true }), unit('b', 70), unit('c', 60)]);
    expect(units[0]).to.deep.equal({ id: 'a', rank: 1, vetoed: true, grade: '不合格', sanctions: [] });
  });

  it('breaks ties on the named scores, higher first', () => {
    const { units } = run(rules({ scope: 'all', tieBreak: ['second'] }), [unit('c', 71, 4), unit('a', 70, 5), unit('b', 71, 4), unit('d', 74, 0)]);
    expect(units.map((u) => [u.id, u.rank])).to.deep.equal([['a', 1], ['b', 2], ['c', 2], ['d', 4]]);
    const untied = run(rules({ scope: 'all' }), [unit('b', 71, 4), unit('a', 70, 5)]);
    expect(untied.units.map((u) => [u.id, u.rank])).to.deep.equal([['a', 1], ['b', 1]]);
  });

  it('ranks within each parent, listing parents in id order', () => {
    const { units } = run(rules({ scope: 'parent', sanctions: SANCTIONS }), [
      { id: 'x1', parent: 't2', s: 50, t: 0 }, { id: 'y1', parent: 't1', s: 40, t: 0 },
      { id: 'x2', parent: 't2', s: 60, t: 0 }, { id: 'y2', parent: 't1', s: 30, t: 0 },
    ]);
    expect(units.map((u) => [u.id, u.rank, u.sanctions])).to.deep.equal([
      ['y1', 1, ['表彰']], ['y2', 2, ['一票否决']], ['x2', 1, ['表彰']], ['x1', 2, ['一票否决']],
    ]);
  });

  it('ranks the same whether the units of each parent come together in parent order, or interleaved, units without a parent first', () => {
    const rs = rules({ scope: 'parent', sanctions: SANCTIONS, tieBreak: ['second'] });
    // t2 has more units than are sorted by insertion; totals repeat within each parent.
    const sizes: Array<[string | null, number]> = [[null, 3], ['t1', 5], ['t2', 40], ['t3', 1]];
    const grouped = sizes.flatMap(([parent, n], p) => Array.from({ length: n }, (_, k) => ({ id: `u${p}-${String(k).padStart(2, '0')}`, parent, s: (k * 13) % 7 * 10, t: k % 3 })));
    const interleaved = [...grouped].sort((a, b) => (a.id.slice(-1) + a.id).localeCompare(b.id.slice(-1) + b.id)).reverse();
    const together = run(rs, grouped), apart = run(rs, interleaved);
    expect(apart).to.deep.equal(together);
    expect(together.units.map((u) => u.id.slice(0, 2))).to.deep.equal(grouped.map((u) => u.id.slice(0, 2)));
    expect(together.units.filter((u) => u.rank === 1).map((u) => u.sanctions)).to.deep.include.members([['表彰']]);
    for (const [p] of sizes.entries()) {
      const ranks = together.units.filter((u) => u.id.startsWith(`u${p}-`)).map((u) => u.rank);
      expect(ranks[0], `parent ${p}`).to.equal(1);
      expect([...ranks].sort((a, b) => a - b), `parent ${p}`).to.deep.equal(ranks);
    }
  });

  it('gives the liability outcome to the parent of a unit vetoed by a condition, not by a rank sanction', () => {
    const rs = rules({ sanctions: SANCTIONS, liability: [{ when: 'childVetoed', outcome: 'criticism', label: '通报批评、黄牌警告' }] });
    const { parents } = run(rs, [
      { id: 'a', parent: 't1', s: 80, t: 0, bad: true }, { id: 'b', parent: 't1', s: 70, t: 0 },
      { id: 'c', parent: 't2', s: 80, t: 0 }, { id: 'd', parent: 't2', s: 70, t: 0 },
    ]);
    expect(parents).to.deep.equal([
      { id: 't1', sanctions: [{ outcome: 'criticism', label: '通报批评、黄牌警告' }] },
      { id: 't2', sanctions: [] },
    ]);
  });

  it('lists every parent once, in id order, with its liability, whether ranked by parent or all together and whatever order its units come in', () => {
    const liability = [{ when: 'childVetoed', outcome: 'criticism', label: '通报批评' }];
    const rows = [
      { id: 'a', parent: 't3', s: 80, t: 0 }, { id: 'b', parent: 't1', s: 70, t: 0, bad: true }, { id: 'c', s: 60, t: 0 },
      { id: 'd', parent: 't3', s: 50, t: 0, bad: true }, { id: 'e', parent: 't1', s: 40, t: 0 }, { id: 'f', parent: 't2', s: 30, t: 0 }, { id: 'g', parent: 't4', s: 20, t: 0, bad: true },
    ];
    const expected = [
      { id: 't1', sanctions: [{ outcome: 'criticism', label: '通报批评' }] },
      { id: 't2', sanctions: [] },
      { id: 't3', sanctions: [{ outcome: 'criticism', label: '通报批评' }] },
      { id: 't4', sanctions: [{ outcome: 'criticism', label: '通报批评' }] },
    ];
    for (const scope of ['parent', 'all']) {
      const rs = rules({ scope, sanctions: SANCTIONS, liability });
      expect(run(rs, rows).parents, scope).to.deep.equal(expected);
      // The same units, each parent's together and the parents in id order.
      const sorted = [...rows].sort((x, y) => `${x.parent ?? ''}${x.id}`.localeCompare(`${y.parent ?? ''}${y.id}`));
      expect(run(rs, sorted).parents, `${scope}, in order`).to.deep.equal(expected);
    }
  });

  it('grades a vetoed unit with the vetoed label when the rule set gives one', () => {
    const rs = rules({ sanctions: SANCTIONS }, { grades: [{ vetoed: true, label: '不合格（否决）' }, { atLeast: 60, label: '合格' }, { label: '不合格' }] });
    const { units } = run(rs, [unit('a', 80), unit('b', 70, 0, { bad: true })]);
    expect(units.map((u) => u.grade)).to.deep.equal(['合格', '不合格（否决）']);
  });
});

describe('ranking a list of scored units', () => {
  const rs = rules({ scope: 'parent', sanctions: SANCTIONS });
  // Parents out of id order, so that the units are gathered scope by scope; and in order, taken as they lie.
  const shuffled = [unit('a', 50), { ...unit('b', 70), parent: 'p0' }, unit('c', 90), { ...unit('d', 60), parent: 'p0' }];
  const grouped = [{ ...unit('b', 70), parent: 'p0' }, { ...unit('d', 60), parent: 'p0' }, unit('a', 50), unit('c', 90)];

  for (const [name, rows] of [['gathered by scope', shuffled], ['taken as they lie', grouped]] as const) {
    it(`leaves the list given as it was (${name})`, () => {
      const scored = scoreUnits(rs, readUnits(rs, parseJsonData(JSON.stringify(rows), 'd.json')).units);
      const before = [...scored];
      const ranked = rankUnits(rs, scored).units;
      expect(scored.every((u, i) => u === before[i]), 'the same units in the same places').to.equal(true);
      expect(ranked.map((u) => u.unit.id)).to.deep.equal(['b', 'd', 'c', 'a']);
    });
  }
});

describe('scored units kept column by column', () => {
  // Ranked by parent (ten scopes), so that each scope has its own last and second-to-last.
  const rs = rules({ scope: 'parent', tieBreak: ['second'], vetoedLast: true, sanctions: SANCTIONS });
  // 3,000 units, so that a batch begun small has to grow many times; totals repeat, so ties are broken by `second`;
  // every 97th is vetoed by a condition.
  const rows = Array.from({ length: 3000 }, (_, k) => ({ ...unit(`u${k}`, (k * 37) % 90, (k * 7) % 10), parent: `p${k % 10}`, bad: k % 97 === 0 }));
  const ranked = (units: RankedUnit[]) => units.map((u) => ({
    id: u.unit.id, total: u.total, rank: u.rank, behind: u.behind, second: u.tie(0),
    vetoed: u.vetoed, grade: u.grade, vetoes: u.vetoes.map((v) => v.id), sanctions: u.sanctions.map((x) => x.label),
  }));

  it('rank the same whether scored as read and kept in their batch, or scored again from units read first', () => {
    const table = parseJsonData(JSON.stringify(rows), 'd.json');
    const asRead = scoringRows(rs, table);
    expect(readUnits(rs, table, { maker: asRead.maker }).units).to.deep.equal([]); // kept in the batch alone
    const again = scoreUnits(rs, readUnits(rs, table).units);
    const a = ranked(rankScored(rs, asRead.scored).units), b = ranked(rankUnits(rs, again).units);
    expect(a).to.deep.equal(b);
    expect(a).to.have.length(3000);
    // Each unit's own figures, not a neighbour's: the total is s + t, the tie-break t, the distance to the
    // unit above in its scope; its vetoes, sanctions and grade its own.
    for (let i = 0; i < a.length; i++) {
      const k = Number(a[i].id.slice(1)), row = rows[k];
      const first = i === 0 || rows[Number(a[i - 1].id.slice(1))].parent !== row.parent;
      expect(a[i].total).to.equal(row.s + row.t);
      expect(a[i].second).to.equal(row.t);
      expect(a[i].behind).to.equal(first ? null : a[i].rank === a[i - 1].rank ? a[i - 1].behind : Math.round((a[i - 1].total - a[i].total) * 1e9) / 1e9);
      expect(a[i].vetoes).to.deep.equal(row.bad ? ['policy'] : []);
      const last = i === a.length - 1 || rows[Number(a[i + 1].id.slice(1))].parent !== row.parent;
      if (last) expect(a[i].sanctions).to.deep.equal(['一票否决']);
      expect(a[i].vetoed).to.equal(row.bad || a[i].sanctions.includes('一票否决'));
      expect(a[i].grade).to.equal(a[i].vetoed ? '不合格' : a[i].total >= 80 ? '优秀' : a[i].total >= 60 ? '合格' : '不合格');
      expect(a[i].sanctions.includes('表彰')).to.equal(a[i].rank === 1 && !a[i].vetoed);
    }
    expect(a.filter((u) => u.vetoes.length > 0)).to.have.length(rows.filter((r) => r.bad).length);
  });

  it('rank the same when scored as read and kept in their batch until ranked (appraise) as when listed and ranked unit by unit', () => {
    // Every 13th row leaves `bad` to its default, and so is read the general way; a sanction's condition reads
    // more than the total (t), so that ranking asks the unit at a place for its values.
    const withCondition = rules({ scope: 'parent', tieBreak: ['second'], vetoedLast: true, sanctions: [...SANCTIONS, { place: 2, when: 't >= 5', outcome: 'commendation', label: '进步奖' }] });
    const mixed = rows.map((r, k) => (k % 13 === 0 ? { id: r.id, parent: r.parent, s: r.s, t: r.t } : r));
    const table = parseJsonData(JSON.stringify(mixed), 'd.json');
    const kept = ranked(appraise(withCondition, table).units);
    const listed = ranked(rankUnits(withCondition, scoreUnits(withCondition, readUnits(withCondition, table).units)).units);
    expect(kept).to.deep.equal(listed);
    expect(kept.filter((u) => u.sanctions.includes('进步奖'))).not.to.be.empty;
    expect(kept.filter((u) => u.vetoes.length > 0)).to.have.length(mixed.filter((r) => 'bad' in r && r.bad).length);
  });

  it('rank the same whether read and written in their batch\'s own arrays or, in another order, unit by unit', () => {
    const table = parseJsonData(JSON.stringify(rows), 'd.json');
    const scored = scoreUnits(rs, readUnits(rs, table).units); // in their batch's order: its arrays are read as they are
    const byId = (list: ReturnType<typeof ranked>) => [...list].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const inBatch = byId(ranked(rankUnits(rs, scored).units));
    // The same units, every third moved to the end: no longer each at its own place, so read through the getters.
    const moved = [...scored.filter((_, k) => k % 3 !== 0), ...scored.filter((_, k) => k % 3 === 0)];
    const unitByUnit = byId(ranked(rankUnits(rs, moved).units));
    expect(unitByUnit).to.deep.equal(inBatch);
    const commended = inBatch.filter((u) => u.sanctions.includes('表彰'));
    expect(commended).to.have.length(inBatch.filter((u) => u.rank === 1 && !u.vetoed).length).and.not.to.be.empty;
    expect(inBatch.filter((u) => u.behind !== null)).not.to.be.empty;
  });
});

describe('the distance to the unit ranked above', () => {
  const rs = rules({ scope: 'parent' });
  const rows = [unit('a', 80.5), unit('b', 70), unit('c', 70), unit('d', 59.9), { ...unit('e', 40), parent: 'p2' }, { ...unit('f', 30.3), parent: 'p2' }];
  const distances = (units: RankedUnit[]) => Object.fromEntries(units.map((u) => [u.unit.id, u.behind]));
  const expected = { a: null, b: 10.5, c: 10.5, d: 10.1, e: null, f: 9.7 };

  it('is the last of the level before: tied units share it, and each scope\'s first has none', () => {
    expect(distances(appraise(rs, parseJsonData(JSON.stringify(rows), 'd.json')).units)).to.deep.equal(expected);
  });

  it('is the same when each unit was scored on its own, in a batch of its own', () => {
    const read = readUnits(rs, parseJsonData(JSON.stringify(rows), 'd.json')).units;
    expect(distances(rankUnits(rs, read.map((u) => scoreUnit(rs, u))).units)).to.deep.equal(expected);
  });
});

describe('a unit scored as it is read', () => {
  const rs = rules({ scope: 'parent' });

  it('gives the id, name, parent and row of its row, as written there less the blanks around them', () => {
    const [u] = appraise(rs, parseJsonData(JSON.stringify([{ id: ' a1 ', name: '甲村 ', parent: ' p1', s: 10, t: 1 }]), 'd.json')).units;
    expect([u.unit.id, u.unit.name, u.unit.parent, u.unit.row]).to.deep.equal(['a1', '甲村', 'p1', 2]);
  });

  it('gives null for a name or a parent left empty', () => {
    const [u] = appraise(rs, parseJsonData(JSON.stringify([{ id: 'a1', name: ' ', s: 10, t: 1 }]), 'd.json')).units;
    expect([u.unit.name, u.unit.parent]).to.deep.equal([null, null]);
  });

  it('reads its values again from its row, and refuses a row changed since it was read', () => {
    const table = parseJsonData(JSON.stringify([unit('a', 80, 5), unit('b', 70)]), 'd.json');
    const [a, b] = appraise(rs, table).units;
    expect(a.unit.env[0]).to.equal(80);
    expect([...a.scores]).to.deep.equal([80, 5]);
    table.rows[1].cells.s = 'changed';
    expect(() => b.scores).to.throw(/第3行（b）在读取后被改动/);
    expect(() => b.unit.env).to.throw(/第3行（b）在读取后被改动/);
  });
});

describe('peer functions over each parent\'s units', () => {
  const rs = compile(ruleSet({
    version: '2', subject: 'village', totalPoints: 90,
    inputs: { s: { type: 'number', min: 0, max: 90 } },
    items: [{ id: 'r', title: '排名', points: 90, award: { method: 'bands', value: 'peerRank(s)', bands: [{ atMost: 1, points: 90 }, { atMost: 2, points: 60 }, { points: 30 }] } }],
    ranking: { scope: 'parent' },
  }));
  const rows = [
    { id: 'a1', parent: 'p2', s: 10 }, { id: 'a2', parent: 'p2', s: 30 }, { id: 'a3', parent: 'p2', s: 20 },
    { id: 'b1', parent: 'p1', s: 5 }, { id: 'b2', parent: 'p1', s: 50 },
  ];
  const totals = (list: typeof rows) => Object.fromEntries(appraise(rs, parseJsonData(JSON.stringify(list), 'd.json')).units.map((u) => [u.unit.id, u.total]));
  const expected = { a1: 30, a2: 90, a3: 60, b1: 60, b2: 90 };

  it('are the same whether the parents come in id order, each together out of order, or apart', () => {
    const inOrder = [...rows.slice(3), ...rows.slice(0, 3)].sort((x, y) => (x.id < y.id ? -1 : 1)).sort((x, y) => (x.parent < y.parent ? -1 : x.parent > y.parent ? 1 : 0));
    const apart = [rows[0], rows[3], rows[1], rows[4], rows[2]];
    for (const list of [inOrder, rows, apart]) expect(totals(list)).to.deep.equal(expected);
  });
});

