import { expect } from 'chai';
import { finderKey, finderOptions, findingSummary, findUnits, foundChartSvg, gradeChoices, MAX_SEARCH, RANKING_PAGE, type FinderOptions } from '../../src/services/ranking-finder.js';
import type { RankingView } from '../../src/services/rankings.js';

/** Finding a unit in a ranking: the query read whatever it holds, then filters and sorts on the ranking's units. */

type Unit = RankingView['units'][number];

function unit(id: string, name: string | null, rank: number, total: number, more: Partial<Unit> = {}): Unit {
  return {
    id, name, parent: 'p', total, rank, grade: total >= 900 ? '优秀' : '合格', vetoed: false, vetoes: [], sanctions: [],
    bonus: 0, penalty: 0, scores: {}, values: {}, groupScores: [total / 2, total / 2], ...more,
  };
}

const UNITS: Unit[] = [
  unit('a', '新桥村', 1, 990, { groupScores: [480, 510], sanctions: [{ outcome: 'commendation', label: '表彰' }] }),
  unit('b', '枫林村', 2, 950, { groupScores: [500, 450] }),
  unit('c', '枫林社区', 3, 950, { groupScores: [490, 460] }),
  unit('d', 'Ａ组10', 4, 820),
  unit('e', 'a组2', 5, 810),
  unit('f', '白石村', 6, 700, { sanctions: [{ outcome: 'criticism', label: '通报批评' }] }),
  // Vetoed by a condition, with no sanction: still one of the 一票否决.
  unit('g', '双塘村', 7, 930, { vetoed: true, grade: '不合格（一票否决）', vetoes: [{ id: 'x', title: '政策外多孩' }] }),
  unit('h', '长冲村', 8, 600, { vetoed: true, grade: '不合格（一票否决）', sanctions: [{ outcome: 'veto', label: '一票否决' }] }),
];

const VIEW = {
  units: UNITS,
  groups: [{ id: 'one', title: '一、指标', points: 500 }, { id: 'two', title: '二、基础', points: 500 }],
  ruleset: { grades: [{ atLeast: 900, label: '优秀' }, { label: '合格' }, { vetoed: true, label: '不合格（一票否决）' }], totalPoints: 1000 },
  chartSvg: '<svg>all</svg>',
} as unknown as RankingView;

const find = (query: Record<string, unknown>) => findUnits(VIEW, finderOptions(query));
const ids = (query: Record<string, unknown>) => find(query).units.map((u) => u.id).join('');

describe('finding a unit in a ranking', () => {
  describe('reading the options from a page’s query', () => {
    it('keeps the ranking’s order when the query asks for nothing', () => {
      expect(finderOptions({})).to.deep.equal({ sort: 'rank', dir: 'asc', grade: null, sanction: null, q: null, page: 1 });
    });

    it('sorts by rank when the column or the direction is none the table has', () => {
      for (const sort of ['id', 'g0', 'g1000', 'total;drop', '', ['total', 'name'], { a: 1 }]) expect(finderOptions({ sort }).sort, String(sort)).to.equal('rank');
      expect(finderOptions({ sort: 'g12' }).sort).to.equal('g12');
      expect(finderOptions({ dir: 'sideways' }).dir).to.equal('asc');
      expect(finderOptions({ dir: 'desc' }).dir).to.equal('desc');
    });

    it('filters nothing by a sanction that is none, and trims a search, cut to its length', () => {
      expect(finderOptions({ sanction: 'bonus' }).sanction).to.equal(null);
      expect(finderOptions({ sanction: 'veto' }).sanction).to.equal('veto');
      expect(finderOptions({ q: '  枫林 ' }).q).to.equal('枫林');
      expect(finderOptions({ q: '   ' }).q).to.equal(null);
      expect([...finderOptions({ q: '𠀀'.repeat(100) }).q!]).to.have.length(MAX_SEARCH);
    });

    it('keeps a finding under a key that differs with each option', () => {
      const base: FinderOptions = finderOptions({});
      const keys = new Set([base, { ...base, sort: 'name' }, { ...base, dir: 'desc' as const }, { ...base, grade: '优秀' }, { ...base, sanction: 'none' as const }, { ...base, q: '村' }].map(finderKey));
      expect(keys.size).to.equal(6);
    });
  });

  describe('sorting', () => {
    it('sorts totals as numbers, ties in the ranking’s order whichever way', () => {
      expect(ids({ sort: 'total', dir: 'desc' })).to.equal('abcgdefh');
      expect(ids({ sort: 'total', dir: 'asc' })).to.equal('hfedgbca');
    });

    it('sorts names by pinyin (Chinese before Latin), the numbers in them by value, full-width letters as half-width', () => {
      expect(find({ sort: 'name' }).units.map((u) => u.name)).to.deep.equal(['白石村', '枫林村', '枫林社区', '双塘村', '新桥村', '长冲村', 'a组2', 'Ａ组10']);
      expect(find({ sort: 'name', dir: 'desc' }).units.map((u) => u.name)[0]).to.equal('Ａ组10');
    });

    it('sorts by each group’s score, by grade in the rule set’s order and by sanction, commended first and vetoed last', () => {
      expect(ids({ sort: 'g1', dir: 'desc' })[0]).to.equal('b');
      expect(ids({ sort: 'g2', dir: 'desc' })[0]).to.equal('a');
      expect(ids({ sort: 'grade' })).to.equal('abcdefgh');
      expect(ids({ sort: 'sanction' })).to.equal('abcdefgh');
      expect(ids({ sort: 'sanction', dir: 'desc' })).to.equal('ghfbcdea');
    });

    it('marks the sorted column and sends a second click the other way, another column its own first way', () => {
      const { columns } = find({ sort: 'total', dir: 'desc' });
      expect(columns.map((c) => c.key)).to.deep.equal(['rank', 'name', 'total', 'g1', 'g2', 'grade', 'sanction']);
      const total = columns.find((c) => c.key === 'total')!;
      expect([total.ariaSort, total.arrow, total.nextDir]).to.deep.equal(['descending', '▼', 'asc']);
      const name = columns.find((c) => c.key === 'name')!;
      expect([name.ariaSort, name.nextDir]).to.deep.equal([null, 'asc']);
      expect(columns.find((c) => c.key === 'g1')!.nextDir).to.equal('desc');
    });
  });

  describe('filtering and searching', () => {
    it('filters by grade', () => {
      expect(ids({ grade: '优秀' })).to.equal('abc');
      expect(ids({ grade: '不合格（一票否决）' })).to.equal('gh');
      expect(ids({ grade: '不存在' })).to.equal('');
    });

    it('filters by sanction: a veto by a condition is one, a unit with none has neither sanction nor veto', () => {
      expect(ids({ sanction: 'veto' })).to.equal('gh');
      expect(ids({ sanction: 'commendation' })).to.equal('a');
      expect(ids({ sanction: 'criticism' })).to.equal('f');
      expect(ids({ sanction: 'none' })).to.equal('bcde');
    });

    it('finds by part of a name, whatever its width and case, and treats the search as text', () => {
      expect(ids({ q: '枫林' })).to.equal('bc');
      expect(ids({ q: 'a组' })).to.equal('de');
      expect(ids({ q: '.*' })).to.equal('');
      expect(ids({ q: '枫林', sanction: 'none', sort: 'name', dir: 'desc' })).to.equal('cb');
    });

    it('draws the chart of what was found, and the view’s own when nothing is filtered out', () => {
      expect(foundChartSvg(VIEW, finderOptions({ sort: 'name' }))).to.equal('<svg>all</svg>');
      const found = foundChartSvg(VIEW, finderOptions({ q: '枫林' }));
      expect(found).to.match(/^<svg/).and.to.contain('枫林社区').and.not.to.contain('新桥村');
      expect(foundChartSvg(VIEW, finderOptions({ q: '无此村' }))).to.equal('');
    });

    it('offers the rule set’s grades, and 不合格 where a veto gave it without the rule set naming it', () => {
      expect(gradeChoices(VIEW, finderOptions({ grade: '合格' }))).to.deep.equal([
        { name: '优秀', selected: false }, { name: '合格', selected: true }, { name: '不合格（一票否决）', selected: false },
      ]);
      const bare = { ...VIEW, units: [unit('z', '村', 1, 10, { grade: '不合格', vetoed: true })] } as RankingView;
      expect(gradeChoices(bare, finderOptions({})).map((g) => g.name)).to.include('不合格');
    });

    it('says how the page is filtered and sorted, and nothing of the ranking as it stands', () => {
      expect(findingSummary(VIEW, finderOptions({}))).to.equal(null);
      expect(findingSummary(VIEW, finderOptions({ sort: 'rank', dir: 'desc' }))).to.deep.equal({ filter: null, sort: '排名降序' });
      expect(findingSummary(VIEW, finderOptions({ grade: '优秀', sanction: 'veto', q: '枫林', sort: 'g1', dir: 'desc' }))).to.deep.equal({
        filter: '等级 优秀；奖惩 一票否决；名称含“枫林”', sort: '一、指标降序',
      });
    });
  });

  describe('a page at a time (a province’s ranking)', () => {
    const many = Array.from({ length: 1200 }, (_, k) => unit(`u${k + 1}`, `第${k + 1}村`, k + 1, 1000 - k / 10));
    const big = { ...VIEW, units: many } as unknown as RankingView;
    it('shows RANKING_PAGE units a page, counts all that were found, and takes a page past the last as the last', () => {
      const first = findUnits(big, finderOptions({}));
      expect(first).to.include({ foundCount: 1200, page: 1, pages: 3 });
      expect(first.units.map((u) => u.id).slice(0, 2)).to.deep.equal(['u1', 'u2']);
      expect(first.units).to.have.length(RANKING_PAGE);
      const last = findUnits(big, finderOptions({ page: '3' }));
      expect(last.units.map((u) => u.rank)).to.deep.equal(Array.from({ length: 200 }, (_, k) => 1001 + k));
      expect(findUnits(big, finderOptions({ page: '99' })).page).to.equal(3);
      for (const page of ['0', '-1', 'x', '1e3', ['2', '3']]) expect(finderOptions({ page }).page, String(page)).to.equal(1);
      // A search pages what it found.
      expect(findUnits(big, finderOptions({ q: '第11' }))).to.include({ foundCount: 111, pages: 1 });
      expect(finderKey(finderOptions({ page: '2' }))).not.to.equal(finderKey(finderOptions({})));
    });
  });
});

