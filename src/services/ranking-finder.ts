import { totalsChartSvg } from '../report/chart.js';
import type { RankingView } from './rankings.js';

/**
 * Finding a unit in a ranking (排序、筛选、查找): the table sorted by any of its columns,
 * filtered by grade and by sanction, searched by part of a name. Worked out on the server
 * from the query of the page's address (?sort=total&dir=desc&grade=优秀&sanction=veto&q=枫林):
 * the page needs no script (its CSP allows none), a link to what was found can be sent on,
 * and the page prints as it was found.
 */

export type SortDir = 'asc' | 'desc';
/** 表彰, 通报批评, 一票否决 (by a condition or by rank), or none of these. */
export type SanctionFilter = 'commendation' | 'criticism' | 'veto' | 'none';

export interface FinderOptions {
  /** rank, name, total, grade, sanction, or g1…gN: the Nth top-level group's score. */
  sort: string;
  dir: SortDir;
  grade: string | null;
  sanction: SanctionFilter | null;
  /** Part of a name, as typed (trimmed, at most MAX_SEARCH characters). */
  q: string | null;
  /** Which page of RANKING_PAGE units (from 1): a province's ranking is 100,000 rows. */
  page: number;
}

/** Units a ranking page shows: a county's 300 villages on one page, a province's a page at a time. */
export const RANKING_PAGE = 500;

type Unit = RankingView['units'][number];

export const MAX_SEARCH = 40;

export const SANCTION_FILTERS: ReadonlyArray<{ id: SanctionFilter; name: string }> = [
  { id: 'commendation', name: '表彰' },
  { id: 'criticism', name: '通报批评' },
  { id: 'veto', name: '一票否决' },
  { id: 'none', name: '无奖惩' },
];

/** Commended first, vetoed last: the order a township reads sanctions in. */
function sanctionOrder(u: Unit): number {
  if (u.vetoed) return 3;
  if (u.sanctions.some((s) => s.outcome === 'criticism')) return 2;
  if (u.sanctions.some((s) => s.outcome === 'commendation')) return 0;
  return 1;
}

function hasSanction(u: Unit, which: SanctionFilter): boolean {
  switch (which) {
    case 'veto': return u.vetoed;
    case 'none': return !u.vetoed && u.sanctions.length === 0;
    default: return u.sanctions.some((s) => s.outcome === which);
  }
}

/** Names in the order of their pinyin (白石村, 枫林村, 黄泥坳村…), numbers in them by value (2组 before 10组). */
const byName = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' });

/** Full-width letters and digits as half-width, no case: 'Ａ村' is found by 'a村'. */
const folded = (s: string) => s.normalize('NFKC').toLowerCase();

interface Column {
  key: string;
  title: string;
  /** The group's points, shown under its title. */
  points?: number;
  num: boolean;
  group: boolean;
  /** The order of a first click: totals highest first, names and ranks from the top. */
  first: SortDir;
  compare: (a: Unit, b: Unit) => number;
}

function columnsOf(view: RankingView): Column[] {
  const gradeIndex = new Map(view.ruleset.grades.map((g, i) => [g.label, i]));
  const gradeOrder = (u: Unit) => (u.grade === null ? Infinity : gradeIndex.get(u.grade) ?? view.ruleset.grades.length);
  return [
    { key: 'rank', title: '排名', num: true, group: false, first: 'asc', compare: (a, b) => a.rank - b.rank },
    { key: 'name', title: '单位', num: false, group: false, first: 'asc', compare: (a, b) => byName.compare(a.name ?? '', b.name ?? '') },
    { key: 'total', title: '总分', num: true, group: false, first: 'desc', compare: (a, b) => a.total - b.total },
    ...view.groups.map((g, i): Column => ({
      key: `g${i + 1}`, title: g.title, points: g.points, num: true, group: true, first: 'desc',
      compare: (a, b) => (a.groupScores[i] ?? -Infinity) - (b.groupScores[i] ?? -Infinity) || 0,
    })),
    { key: 'grade', title: '等级', num: false, group: false, first: 'asc', compare: (a, b) => gradeOrder(a) - gradeOrder(b) },
    { key: 'sanction', title: '奖惩', num: false, group: false, first: 'asc', compare: (a, b) => sanctionOrder(a) - sanctionOrder(b) },
  ];
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * The options a page's query asks for. Whatever the address holds: a column the table has
 * not, or a direction that is none, sorts by rank; a sanction that is none filters nothing;
 * a search is cut to MAX_SEARCH characters (a grade no unit has simply finds none).
 */
export function finderOptions(query: Record<string, unknown>): FinderOptions {
  const sort = text(query.sort);
  const dir = text(query.dir);
  const sanction = text(query.sanction);
  const q = text(query.q);
  return {
    sort: sort !== null && /^(rank|name|total|grade|sanction|g[1-9]\d{0,2})$/.test(sort) ? sort : 'rank',
    dir: dir === 'desc' ? 'desc' : 'asc',
    grade: text(query.grade)?.slice(0, 100) ?? null,
    sanction: SANCTION_FILTERS.some((s) => s.id === sanction) ? sanction as SanctionFilter : null,
    q: q === null ? null : [...q].slice(0, MAX_SEARCH).join(''),
    page: /^\d{1,6}$/.test(text(query.page) ?? '') ? Math.max(1, Number(text(query.page))) : 1,
  };
}

/** The options as one string: what was found with them can be kept under it. */
export function finderKey(o: FinderOptions): string {
  return JSON.stringify([o.sort, o.dir, o.grade, o.sanction, o.q, o.page]);
}

export function isFiltered(o: FinderOptions): boolean {
  return o.grade !== null || o.sanction !== null || o.q !== null;
}

export interface FoundUnits {
  /** The page's units, of all those found. */
  units: Unit[];
  foundCount: number; page: number; pages: number;
  /** Each column's header: its title, whether the table is sorted by it and which way, and where a click on it goes. */
  columns: Array<{ key: string; title: string; points?: number; num: boolean; group: boolean; ariaSort: 'ascending' | 'descending' | null; arrow: string; nextDir: SortDir }>;
}

/** Whether a unit is one the options' grade, sanction and search find. */
function matching(o: FinderOptions): (u: Unit) => boolean {
  const needle = o.q === null ? null : folded(o.q);
  return (u) => (o.grade === null || u.grade === o.grade)
    && (o.sanction === null || hasSanction(u, o.sanction))
    && (needle === null || folded(u.name ?? '').includes(needle));
}

/**
 * The most bars a chart of what a filter found is drawn with: drawing one takes some 0.2 ms a
 * bar, and a search can be any text, so a county's run searched for 村 would cost every
 * reader a second for each new search. Past it the table alone says what was found.
 */
export const MAX_FOUND_BARS = 300;

/**
 * The chart of what a filter found, in the ranking's order (a sort reorders the table, not
 * the chart); the view's own chart when nothing is filtered out; none past MAX_FOUND_BARS.
 */
export function foundChartSvg(view: RankingView, o: FinderOptions): string {
  if (!isFiltered(o)) return view.chartSvg;
  const units = view.units.filter(matching(o));
  if (units.length === view.units.length) return view.chartSvg;
  return units.length === 0 || units.length > MAX_FOUND_BARS ? '' : totalsChartSvg(units.map((u) => ({ label: u.name ?? u.id, value: u.total, vetoed: u.vetoed })), { max: view.ruleset.totalPoints, decimals: view.ruleset.precision });
}

/** The view's units as the options ask: filtered, then sorted (ties keep the ranking's order). */
export function findUnits(view: RankingView, o: FinderOptions): FoundUnits {
  const columns = columnsOf(view);
  const column = columns.find((c) => c.key === o.sort) ?? columns[0];
  const matches = matching(o);
  const units = view.units
    .map((u, at) => ({ u, at }))
    .filter(({ u }) => matches(u))
    .sort((a, b) => (o.dir === 'desc' ? -1 : 1) * column.compare(a.u, b.u) || a.at - b.at)
    .map(({ u }) => u);
  const pages = Math.max(1, Math.ceil(units.length / RANKING_PAGE));
  const page = Math.min(o.page, pages);
  return {
    units: units.length > RANKING_PAGE ? units.slice((page - 1) * RANKING_PAGE, page * RANKING_PAGE) : units,
    foundCount: units.length, page, pages,
    columns: columns.map((c) => {
      const sorted = c === column;
      return {
        key: c.key, title: c.title, points: c.points, num: c.num, group: c.group,
        ariaSort: sorted ? (o.dir === 'asc' ? 'ascending' : 'descending') : null,
        arrow: sorted ? (o.dir === 'asc' ? '▲' : '▼') : '',
        nextDir: sorted ? (o.dir === 'asc' ? 'desc' : 'asc') : c.first,
      };
    }),
  };
}

/** The grades a filter can ask for: the rule set's, in its order, and 不合格 where a veto gave it without the rule set naming it. */
export function gradeChoices(view: RankingView, o: FinderOptions): Array<{ name: string; selected: boolean }> {
  // Read once a view (a province's is 100,000 units; its grades never change).
  let labels = gradeLabels.get(view.units);
  if (!labels) gradeLabels.set(view.units, (labels = [...new Set([...view.ruleset.grades.map((g) => g.label), ...view.units.flatMap((u) => (u.grade === null ? [] : [u.grade]))])]));
  return labels.map((name) => ({ name, selected: name === o.grade }));
}
const gradeLabels = new WeakMap<object, string[]>();

/** The columns a sort can ask for, for the toolbar's 排序 (a phone hides the group columns, not their sort). */
export function sortChoices(view: RankingView, o: FinderOptions): Array<{ key: string; title: string; selected: boolean }> {
  return columnsOf(view).map((c) => ({ key: c.key, title: c.title, selected: c.key === o.sort }));
}

/**
 * What a page found says of itself, on screen and on paper: how it is filtered (等级 优秀；名称含“枫林”)
 * and, when not by rank, how it is sorted (总分降序); null when it is the ranking as it stands.
 */
export function findingSummary(view: RankingView, o: FinderOptions): { filter: string | null; sort: string | null } | null {
  const parts = [
    o.grade !== null ? `等级 ${o.grade}` : null,
    o.sanction !== null ? `奖惩 ${SANCTION_FILTERS.find((s) => s.id === o.sanction)!.name}` : null,
    o.q !== null ? `名称含“${o.q}”` : null,
  ].filter((p) => p !== null);
  const column = columnsOf(view).find((c) => c.key === o.sort);
  const sort = column && !(o.sort === 'rank' && o.dir === 'asc') ? `${column.title}${o.dir === 'asc' ? '升序' : '降序'}` : null;
  const filter = parts.length ? parts.join('；') : null;
  return filter === null && sort === null ? null : { filter, sort };
}
