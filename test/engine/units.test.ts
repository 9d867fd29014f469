import { expect } from 'chai';
import { DataInvalid, readUnits, type DataTable } from '../../src/engine/index.js';
import { keyRuns, parentRuns, withKeys } from '../../src/engine/units.js';
import { compile, ruleSet } from '../helpers.js';

const rs = compile(ruleSet({
  inputs: {
    births: { label: '出生人数', type: 'integer', min: 0 },
    boys: { label: '男孩', type: 'integer', min: 0 },
    girls: { label: '女孩', type: 'integer', min: 0 },
    rate: { label: '落实率', type: 'number', min: 0, max: 100 },
    board: { label: '宣传栏', type: 'boolean', default: true },
    star: { label: '星级', type: 'grade', grades: ['好', '中', '差'] },
  },
  items: [{ id: 'c', title: 'c', points: 100, award: { method: 'fixed', points: 100 } }],
  checks: [{ when: 'boys + girls == births', message: '男女合计应等于出生数' }],
}));

function table(columns: string[], rows: string[][]): DataTable {
  return { file: 'd.csv', columns, rows: rows.map((r, k) => ({ row: k + 2, cells: Object.fromEntries(columns.map((c, i) => [c, r[i]])) })) };
}

function problems(t: DataTable) {
  try { readUnits(rs, t); } catch (e) {
    if (e instanceof DataInvalid) return e.problems.map(({ row, column, code }) => ({ row, column, code }));
    throw e;
  }
  return [];
}

describe('reading unit data', () => {
  const header = ['id', 'name', '出生人数', 'boys', 'girls', 'rate', 'board', 'star'];

  it('matches columns by input name or label and parses every type', () => {
    const { units } = readUnits(rs, table(header, [['v1', '甲村', '3', '2', '1', '97.5', '是', '好']]));
    // As the engine computes with them: numbers, 1 for yes, and the grade's id in the rule set's strings.
    expect([...units[0].env.slice(0, 6)]).to.deep.equal([3, 2, 1, 97.5, 1, rs.strings.id('好')]);
  });

  it('reads every row in order when rows read the general way come between rows read fast', () => {
    // An empty cell (its default) is read the general way; the rows around it, and after it, fast.
    const rows = [
      ['v1', '甲村', '3', '2', '1', '97.5', '否', '好'], ['v2', '乙村', '4', '2', '2', '90', '', '中'],
      ['v3', '丙村', '1', '1', '0', '80', '是', '差'], ['v4', '丁村', '2', '0', '2', '70', '', '好'], ['v5', '戊村', '5', '3', '2', '60', '否', '中'],
    ];
    for (const t of [table(header, rows), withKeys(table(header, rows))]) {
      const { units } = readUnits(rs, t);
      expect(units.map((u) => [u.id, u.row, ...u.env.slice(0, 5)])).to.deep.equal([
        ['v1', 2, 3, 2, 1, 97.5, 0], ['v2', 3, 4, 2, 2, 90, 1], ['v3', 4, 1, 1, 0, 80, 1], ['v4', 5, 2, 0, 2, 70, 1], ['v5', 6, 5, 3, 2, 60, 0],
      ]);
    }
  });

  it('gives a maker that keeps no units the values of each row as it reads them, fast or the general way, and lists none', () => {
    const rows = [['v1', '甲村', '3', '2', '1', '97.5', '否', '好'], ['v2', '乙村', '4', '2', '2', '90', '', '中'], ['v3', '丙村', '1', '1', '0', '80', '是', '差']];
    const seen: Array<[number, number]> = [];
    const maker = {
      scratch: undefined, keeps: false,
      fromRow: (row: { row: number }) => ({ row: row.row }) as never, fromHeld: (u: never) => u,
      onRead: (_u: unknown, values: Float64Array, k: number) => { seen.push([k, values[0]]); },
    };
    expect(readUnits(rs, withKeys(table(header, rows)), { maker }).units).to.deep.equal([]);
    expect(seen).to.deep.equal([[0, 3], [1, 4], [2, 1]]);
  });

  it('uses the default of an input whose cell is empty', () => {
    const { units } = readUnits(rs, table(header, [['v1', '甲村', '3', '2', '1', '97.5', '', '好']]));
    expect(units[0].env[4]).to.equal(1);
  });

  it('reports every bad cell at once, by spreadsheet row and column', () => {
    const found = problems(table(header, [
      ['v1', '甲村', '3', '2', '1', '97.5', '1', '好'],
      ['v2', '乙村', 'abc', '2', '1', '101', 'maybe', '优'],
      ['v1', '丙村', '2.5', '', '1', '50', '0', '中'],
    ]));
    expect(found).to.have.deep.members([
      { row: 3, column: '出生人数', code: 'NOT_A_NUMBER' },
      { row: 3, column: 'rate', code: 'OUT_OF_RANGE' },
      { row: 3, column: 'board', code: 'NOT_A_BOOLEAN' },
      { row: 3, column: 'star', code: 'UNKNOWN_GRADE_VALUE' },
      { row: 4, column: 'id', code: 'DUPLICATE_UNIT_ID' },
      { row: 4, column: '出生人数', code: 'NOT_AN_INTEGER' },
      { row: 4, column: 'boys', code: 'MISSING_VALUE' },
    ]);
  });

  // The same whether the rows' ids are read as each row is read, or read once beforehand (withKeys, as appraise reads them).
  for (const [way, keyed] of [['row by row', (t: DataTable) => t], ['read once beforehand', withKeys]] as const) {
    it(`names, for every repeated id among thousands, the row where it first appeared, spaces around it ignored (ids ${way})`, () => {
      const rows = Array.from({ length: 5000 }, (_, k) => [`v${k}`, '村', '3', '2', '1', '90', '1', '好']);
      rows.push([' v17 ', '村', '3', '2', '1', '90', '1', '好'], ['v4999', '村', '3', '2', '1', '90', '1', '好'], ['v17', '村', '3', '2', '1', '90', '1', '好']);
      try { readUnits(rs, keyed(table(header, rows))); expect.fail('read'); } catch (e) {
        if (!(e instanceof DataInvalid)) throw e;
        expect(e.problems.map(({ row, code, message }) => ({ row, code, message }))).to.deep.equal([
          { row: 5002, code: 'DUPLICATE_UNIT_ID', message: '单位编号 “v17” 与第19行重复' },
          { row: 5003, code: 'DUPLICATE_UNIT_ID', message: '单位编号 “v4999” 与第5001行重复' },
          { row: 5004, code: 'DUPLICATE_UNIT_ID', message: '单位编号 “v17” 与第19行重复' },
        ]);
      }
    });

    it(`finds a repeated id among ids in increasing order, as a snapshot lists them (ids ${way})`, () => {
      const ids = ['a01', 'a02', 'a02', 'a03', 'a04', 'a04 ', '', 'a05'];
      expect(problems(keyed(table(header, ids.map((id) => [id, '村', '3', '2', '1', '90', '1', '好']))))).to.deep.equal([
        { row: 4, column: 'id', code: 'DUPLICATE_UNIT_ID' },
        { row: 7, column: 'id', code: 'DUPLICATE_UNIT_ID' },
        { row: 8, column: 'id', code: 'MISSING_VALUE' },
      ]);
    });

    it(`gives each unit its own id and parent (ids ${way})`, () => {
      const rows = [['b', '村', '3', '2', '1', '90', '1', '好', ' p1 '], ['a', '村', '3', '2', '1', '90', '1', '好', 'p1'], ['c', '村', '3', '2', '1', '90', '1', '好', '']];
      const { units } = readUnits(rs, keyed(table([...header, 'parent'], rows)));
      expect(units.map((u) => [u.id, u.parent])).to.deep.equal([['b', 'p1'], ['a', 'p1'], ['c', null]]);
    });
  }

  it('reads ids that differ only in case, length or spelling of a number as different units', () => {
    const ids = ['a', 'A', 'aa', 'aaa', '甲', '甲村', '1', '01', '1.0'];
    const { units } = readUnits(rs, table(header, ids.map((id) => [id, '村', '3', '2', '1', '90', '1', '好'])));
    expect(units.map((u) => u.id)).to.deep.equal(ids);
  });

  it('reports a failed check with the row and the columns it reads', () => {
    const found = problems(table(header, [['v1', '甲村', '3', '1', '1', '97.5', '1', '好']]));
    expect(found).to.deep.equal([{ row: 2, column: 'boys、girls、出生人数', code: 'CHECK_FAILED' }]);
  });

  it('reports a missing id column and a missing input column', () => {
    const found = problems(table(['name', 'boys', 'girls', 'rate', 'star'], [['甲村', '1', '1', '50', '好']]));
    expect(found).to.deep.include({ row: 1, column: 'id', code: 'MISSING_ID_COLUMN' });
    expect(found).to.deep.include({ row: 1, column: 'births', code: 'MISSING_COLUMN' });
  });

  it('names the columns it ignores', () => {
    const { ignoredColumns } = readUnits(rs, table([...header, '备注'], [['v1', '甲村', '3', '2', '1', '97.5', '1', '好', 'x']]));
    expect(ignoredColumns).to.deep.equal(['备注']);
  });

  describe('clean rows, read by the generated reader', () => {
    const values = (t: DataTable) => readUnits(rs, t).units.map((u) => [...u.env]);

    it('reads numbers and yes/no written as text exactly as the same values typed', () => {
      const typed = { file: 'd.json', columns: header, rows: [{ row: 2, cells: { id: 'v1', 出生人数: 3, boys: 2, girls: 1, rate: 97.5, board: true, star: '好' } }] };
      for (const [rate, board] of [['97.5', '是'], [' 97.5 ', 'true'], ['+97.50', '1'], ['9.75e1', 'TRUE']]) {
        expect(values(table(header, [['v1', '甲村', '3', '2', '1', rate, board, '好']])), `${rate} ${board}`).to.deep.equal(values(typed));
      }
    });

    it('reads a row the same whether it spells an input by its name or by its label', () => {
      const byName = { file: 'd.json', columns: header, rows: [{ row: 2, cells: { id: 'v1', births: 3, boys: 2, girls: 1, rate: 50, board: false, star: '中' } }] };
      const byLabel = { file: 'd.json', columns: header, rows: [{ row: 2, cells: { id: 'v1', 出生人数: 3, 男孩: 2, 女孩: 1, 落实率: 50, 宣传栏: false, 星级: '中' } }] };
      expect(values(byLabel)).to.deep.equal(values(byName));
    });

    it('gives the same values to a clean row and to one read cell by cell after a default', () => {
      const t = table(header, [['v1', '甲村', '3', '2', '1', '97.5', '', '好'], ['v2', '乙村', '3', '2', '1', '97.5', '是', '好']]);
      const [withDefault, clean] = values(t);
      expect(withDefault).to.deep.equal(clean);
    });

    it('reads a unit\'s values again from its row when they are asked for, and refuses a row changed since', () => {
      const t = table(header, [['v1', '甲村', '3', '2', '1', '97.5', '是', '好']]);
      const [unit] = readUnits(rs, t).units;
      expect(unit.env[3]).to.equal(97.5);
      t.rows[0].cells.rate = 'changed';
      expect(() => unit.env).to.throw(/第2行（v1）在读取后被改动/);
    });
  });
});

describe('the runs of each parent\'s rows', () => {
  it('are where each parent\'s rows begin, ending with the count, when each parent\'s rows come together and no parent comes before the unit without one, or an id after it', () => {
    expect(parentRuns([null, null, 'p1', 'p1', 'p1', 'p2', 'p10'])).to.equal(undefined); // 'p10' < 'p2' as code units
    expect(parentRuns([null, 'p1', 'p1', 'p10', 'p2', 'p2'])).to.deep.equal([0, 1, 3, 4, 6]);
    expect(parentRuns(['p1', 'p1'])).to.deep.equal([0, 2]);
  });

  it('are none when a parent\'s rows are apart, the parents out of order, or a row without one comes after one with one', () => {
    expect(parentRuns(['p1', 'p2', 'p1'])).to.equal(undefined);
    expect(parentRuns(['p2', 'p1'])).to.equal(undefined);
    expect(parentRuns(['p1', null])).to.equal(undefined);
  });

  it('are worked out once for a table\'s keys, the same as for its parents', () => {
    const t = withKeys({ file: 'd.json', columns: ['id', 'parent'], rows: ['a', 'b', 'c'].map((id, k) => ({ row: k + 2, cells: { id, parent: k < 2 ? 'p1' : 'p2' } })) });
    expect(keyRuns(t.keys!)).to.deep.equal([0, 2, 3]);
    expect(keyRuns(t.keys!)).to.equal(keyRuns(t.keys!));
    expect(parentRuns(t.keys!.parents)).to.equal(keyRuns(t.keys!));
  });
});

