import { expect } from 'chai';
import path from 'node:path';
import { DataInvalid, readUnits, type CompiledRuleSet, type DataTable } from '../../src/engine/index.js';
import { statistics, type StatisticsRow, type UnitSet } from '../../src/engine/statistics.js';
import { readDataFile } from '../../src/io/data-file.js';
import { readRuleFile } from '../../src/io/rule-file.js';
import { DATA_DIR, RULES_DIR } from '../../src/paths.js';
import { compile, ruleSet } from '../helpers.js';

function units(rs: CompiledRuleSet, t: DataTable): UnitSet {
  return { file: t.file, units: readUnits(rs, t).units };
}

function table(columns: string[], rows: Array<Array<string | number>>, file = 'd.csv'): DataTable {
  return { file, columns, rows: rows.map((r, k) => ({ row: k + 2, cells: Object.fromEntries(columns.map((c, i) => [c, String(r[i])])) })) };
}

function dataProblems(fn: () => unknown) {
  try { fn(); } catch (e) {
    if (e instanceof DataInvalid) return e.problems.map(({ file, row, column, code }) => ({ file, row, column, code }));
    throw e;
  }
  return [];
}

describe('the statistics report', () => {
  const rs = compile(ruleSet({
    inputs: {
      population: { label: '总人口', type: 'integer', min: 0 },
      births: { label: '出生人数', type: 'integer', min: 0 },
      share: { label: '占比', type: 'number' },
      board: { label: '宣传栏', type: 'boolean' },
      star: { label: '星级', type: 'grade', grades: ['好', '差'] },
    },
    metrics: {
      birthRate: { label: '出生率', unit: '‰', expr: 'births / population * 1000' },
      third: { label: '三分之一', expr: 'births / 3', decimals: 3 },
      big: { label: '大村', expr: 'population > 1000' },
    },
    items: [{ id: 'c', title: 'c', points: 100, award: { method: 'fixed', points: 100 } }],
  }));
  const header = ['id', 'name', 'parent', 'population', 'births', 'share', 'board', 'star'];
  const villages = table(header, [
    ['v2', '乙村', 't1', 3000, 30, 0.2, '是', '差'],
    ['v1', '甲村', 't1', 1000, 20, 0.1, '否', '好'],
    ['v3', '丙村', 't2', 500, 0, 0.5, '1', '好'],
    ['v4', '丁村', '', 0, 0, 1, '1', '好'],
  ]);

  it('lists every unit and every parent, parents before their children and siblings by id', () => {
    const { rows } = statistics(rs, units(rs, villages));
    expect(rows.map((r) => [r.id, r.parent, r.depth])).to.deep.equal([
      ['t1', null, 0], ['v1', 't1', 1], ['v2', 't1', 1],
      ['t2', null, 0], ['v3', 't2', 1],
      ['v4', null, 0],
    ]);
  });

  it('includes parents named only in the parent column, without a name', () => {
    const { rows } = statistics(rs, units(rs, villages));
    const t1 = rows.find((r) => r.id === 't1')!;
    expect(t1.name).to.equal(null);
    expect(t1.inputs.population).to.equal(4000);
  });

  it('sums the children\'s numeric inputs for a parent and leaves yes/no and grades empty', () => {
    const t1 = statistics(rs, units(rs, villages)).rows[0];
    expect(t1.inputs).to.deep.equal({ population: 4000, births: 50, share: 0.3, board: null, star: null });
    const v1 = statistics(rs, units(rs, villages)).rows[1];
    expect(v1.inputs).to.deep.equal({ population: 1000, births: 20, share: 0.1, board: false, star: '好' });
  });

  it('computes a district rate from the summed inputs, never as the average of its villages\' rates', () => {
    const [t1, v1, v2] = statistics(rs, units(rs, villages)).rows;
    expect(v1.metrics.birthRate).to.equal(20);
    expect(v2.metrics.birthRate).to.equal(10);
    // (20 + 10) / 2 = 15 would be the average of rates; 50 births in 4000 people are 12.5‰.
    expect(t1.metrics.birthRate).to.equal(12.5);
    expect(t1.metrics.big).to.equal(true);
  });

  it('shows a metric at its decimals, 2 by default, rounded half-up', () => {
    const { rows } = statistics(rs, units(rs, table(header, [['v1', '', 't', 3000, 2, 0, 1, '好']])));
    expect(rows[1].metrics.birthRate).to.equal(0.67);
    expect(rows[1].metrics.third).to.equal(0.667);
  });

  it('gives null for a metric that is undefined (a division by zero)', () => {
    const v4 = statistics(rs, units(rs, villages)).rows.find((r) => r.id === 'v4')!;
    expect(v4.metrics.birthRate).to.equal(null);
    expect(v4.metrics.third).to.equal(0);
  });

  it('gives no change without last year\'s data', () => {
    expect(statistics(rs, units(rs, villages)).rows.every((r) => r.change === null)).to.equal(true);
  });

  it('gives the change on last year as this year\'s displayed value minus last year\'s displayed value', () => {
    const last = table(header, [
      ['v1', '甲村', 't1', 3000, 20, 0.1, '否', '好'],
      ['v2', '乙村', 't1', 3000, 10, 0.2, '是', '好'],
    ]);
    const rows = statistics(rs, units(rs, villages), units(rs, last)).rows;
    const v1 = rows.find((r) => r.id === 'v1')!;
    // 20/1000 = 20.00‰ now, 20/3000 = 6.666…‰ shown as 6.67 last year: the change printed is 13.33.
    expect(v1.change!.birthRate).to.equal(13.33);
    expect(v1.change!.population).to.equal(-2000);
    expect(v1.change!.share).to.equal(0);
    expect(v1.change!.board).to.equal(null);
    const t1 = rows.find((r) => r.id === 't1')!;
    expect(t1.change!.births).to.equal(20);
    expect(t1.change!.birthRate).to.equal(7.5); // 12.50 − 5.00
  });

  it('gives null changes for a unit that is missing from last year\'s data', () => {
    const last = table(header, [['v1', '甲村', 't1', 3000, 20, 0.1, '否', '好']]);
    const rows = statistics(rs, units(rs, villages), units(rs, last)).rows;
    const v3 = rows.find((r) => r.id === 'v3')!;
    expect(Object.values(v3.change!).every((d) => d === null)).to.equal(true);
    expect(Object.keys(v3.change!)).to.deep.equal(['population', 'births', 'share', 'board', 'star', 'birthRate', 'third', 'big']);
  });

  it('sums a parent that has a row of its own from its children, and says so', () => {
    const withOwn = table(header, [['t1', '一镇', 'county', 1, 1, 0, 1, '好'], ...villages.rows.map((r) => header.map((c) => String(r.cells[c])))]);
    const result = statistics(rs, units(rs, withOwn));
    const t1 = result.rows.find((r) => r.id === 't1')!;
    expect([t1.name, t1.parent, t1.depth, t1.inputs.population]).to.deep.equal(['一镇', 'county', 1, 4000]);
    expect(result.rows[0].id).to.equal('county');
    expect(result.replacedByChildren).to.deep.equal(['t1']);
  });

  it('refuses parents that loop back on themselves, naming the rows', () => {
    const loop = table(header, [['a', '', 'b', 1, 1, 0, 1, '好'], ['b', '', 'a', 1, 1, 0, 1, '好'], ['c', '', '', 1, 1, 0, 1, '好']]);
    expect(dataProblems(() => statistics(rs, units(rs, loop)))).to.deep.equal([
      { file: 'd.csv', row: 2, column: 'parent', code: 'PARENT_CYCLE' },
      { file: 'd.csv', row: 3, column: 'parent', code: 'PARENT_CYCLE' },
    ]);
  });
});

describe('the seed\'s half-year analysis of 荷塘区, reproduced (seed 001, part 3)', () => {
  const rule = readRuleFile(path.join(RULES_DIR, 'half-year-analysis.json'));
  const rs = rule.ruleset;
  const dir = path.join(DATA_DIR, 'seed-analysis');
  const read = (name: string) => units(rs, readDataFile(path.join(dir, name)));
  const { rows } = statistics(rs, read('this-half-year.csv'), read('last-year-same-period.csv'));
  const row = (name: string): StatisticsRow => rows.find((r) => (r.name ?? r.id) === name)!;
  const district = row('荷塘区');

  it('is a valid rule set without warnings, for district reports', () => {
    expect(rule.warnings).to.deep.equal([]);
    expect(rs.subject).to.equal('district-report');
    expect(rs.metrics.every((m) => m.label !== m.name && m.unit)).to.equal(true);
  });

  it('puts the five units under 荷塘区, which is named only in their parent column', () => {
    expect(rows.map((r) => [r.name ?? r.id, r.depth])).to.deep.equal([
      ['荷塘区', 0], ['仙庾镇', 1], ['明照乡', 1], ['桂花办事处', 1], ['宋家桥办事处', 1], ['金山办事处', 1],
    ]);
  });

  it('reproduces population, births, deaths, net growth, birth rate and natural growth rate', () => {
    // 全区总人口为220444人，全区总出生1070人，死亡307人，净增长763人，出生率为4.85‰，自然增长率为3.46‰
    expect(district.inputs).to.include({ population: 220444, births: 1070, deaths: 307 });
    expect(district.metrics).to.include({ naturalIncrease: 763, birthRate: 4.85, naturalGrowthRate: 3.46 });
  });

  it('reproduces the births by order: 一孩 914 (85.42%), 二孩 156 (14.58%), no 多孩', () => {
    expect(district.inputs).to.include({ firstBirths: 914, secondBirths: 156, multiBirths: 0 });
    expect(district.metrics).to.include({ firstBirthShare: 85.42, secondBirthShare: 14.58, multiBirthShare: 0 });
  });

  it('reproduces the sex ratio at birth 100.37 (536 boys, 534 girls) and 110.81 for second births', () => {
    expect(district.inputs).to.include({ boys: 536, girls: 534, secondBoys: 82, secondGirls: 74 });
    expect(district.metrics).to.include({ sexRatio: 100.37, secondSexRatio: 110.81 });
    // 二孩性别比为110.81，比正常值高2.81个点 (the normal value being 108)
    expect(Math.round((district.metrics.secondSexRatio as number - 108) * 100) / 100).to.equal(2.81);
  });

  it('prints the first-birth sex ratio as 98.70, where the seed prints 98.69 that no consistent figures give', () => {
    // The seed's totals fix the first-birth sexes: 536 boys − 82 second-born boys = 454 and
    // 534 − 74 = 460 girls (82/74 is the only split of 156 second births giving 110.81).
    // 454 / 460 × 100 = 98.6957, which rounds to 98.70; the seed truncated it to 98.69. No split
    // of the 914 first births gives 98.69 (453/461 = 98.26, 454/460 = 98.70), so the product
    // prints 98.70 and does not follow the seed here.
    expect(district.inputs).to.include({ firstBoys: 454, firstGirls: 460 });
    expect(district.metrics.firstSexRatio).to.equal(98.7);
    for (let boys = 0; boys <= 914; boys++) {
      const girls = 914 - boys;
      if (girls > 0) expect(Math.round(boys / girls * 10000) / 100, `${boys}/${girls}`).not.to.equal(98.69);
    }
  });

  it('reproduces the late reports: 173, of which 172 planned and 1 against the policy', () => {
    expect(district.inputs).to.include({ lateReports: 173, lateInPlan: 172, lateOutOfPolicy: 1 });
  });

  it('reproduces the long-acting contraception table: 430 due, 182 done, 248 in arrears, 42.33%', () => {
    const seen = rows.map((r) => [r.name ?? r.id, r.inputs.contraceptionDue, r.inputs.contraceptionDone, r.metrics.contraceptionArrears, r.metrics.contraceptionRate]);
    expect(seen).to.deep.equal([
      ['荷塘区', 430, 182, 248, 42.33],
      ['仙庾镇', 184, 85, 99, 46.2],
      ['明照乡', 149, 56, 93, 37.58],
      ['桂花办事处', 41, 12, 29, 29.27],
      ['宋家桥办事处', 19, 8, 11, 42.11],
      ['金山办事处', 37, 21, 16, 56.76],
    ]);
  });

  it('gives the district 42.33%, not the 42.38% average of its units\' rates', () => {
    const unitRates = rows.filter((r) => r.depth === 1).map((r) => r.metrics.contraceptionRate as number);
    const average = Math.round(unitRates.reduce((a, b) => a + b, 0) / unitRates.length * 100) / 100;
    expect(average).to.equal(42.38);
    expect(district.metrics.contraceptionRate).to.equal(42.33);
  });

  it('reproduces each unit\'s surgeries as the seed gives them, but 金山办事处\'s 上环 (20, not 21)', () => {
    expect(rows.slice(1).map((r) => [r.name, r.inputs.sterilizations, r.inputs.iudInsertions])).to.deep.equal([
      ['仙庾镇', 20, 65], ['明照乡', 11, 45], ['桂花办事处', 1, 11], ['宋家桥办事处', 0, 8], ['金山办事处', 1, 20],
    ]);
    // 共结扎33例 as printed; 共上环150例 cannot be had together with 182 carried out (see the next test).
    expect(district.inputs).to.include({ sterilizations: 33, iudInsertions: 149 });
  });

  it('refuses the seed\'s own surgery counts, naming 金山办事处\'s row: 1 结扎 + 21 上环 is not its 21 carried out', () => {
    // The seed's table gives 金山办事处 21 carried out (21/37 = 56.76%, the district 182/430 = 42.33%), its
    // item 6 gives 结扎1例、上环21例 = 22, and its totals 33 + 150 = 183 ≠ 182. The `surgeries` check catches it.
    const table = readDataFile(path.join(dir, 'this-half-year-as-printed.csv'));
    expect(dataProblems(() => readUnits(rs, table))).to.deep.equal([
      { file: table.file, row: 6, column: '结扎数、上环数、长效节育措施已落实数', code: 'CHECK_FAILED' },
    ]);
    expect(table.rows.find((r) => r.row === 6)!.cells.name).to.equal('金山办事处');
  });

  describe('the change on the same period last year (比去年同期)', () => {
    const change = district.change!;

    it('reproduces 140 more births, the birth rate up 0.66‰ and the natural growth rate up 0.56‰', () => {
      expect(change).to.include({ births: 140, birthRate: 0.66, naturalGrowthRate: 0.56 });
    });

    it('reproduces 118 more first births, 22 more second births and the shares down and up 0.17 points', () => {
      expect(change).to.include({ firstBirths: 118, secondBirths: 22, firstBirthShare: -0.17, secondBirthShare: 0.17 });
    });

    it('reproduces the sex ratio 22.12 points lower than last year', () => {
      expect(change.sexRatio).to.equal(-22.12);
    });

    it('reproduces 9 fewer late reports against the policy', () => {
      expect(change.lateOutOfPolicy).to.equal(-9);
    });

    it('reproduces 11 fewer 结扎 but gives 113 fewer 上环 where the seed says 112, because this year has 149 and not 150', () => {
      // Last year's 44 结扎 and 262 上环 are the seed's own (33 + 11, 150 + 112). This year's 上环 is 149 once
      // 金山办事处's figures are made to add up, so the printed change is −113.
      expect(change).to.include({ sterilizations: -11, iudInsertions: -113 });
    });

    it('gives every unit a change, since every unit is in last year\'s data', () => {
      expect(rows.every((r) => r.change !== null && r.change.births !== null)).to.equal(true);
    });
  });
});
