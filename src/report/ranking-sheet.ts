import { criterionFigure, type CompiledRuleSet, type Sanction, type UnitJson } from '../engine/index.js';
import type { Cell, SheetRows } from '../io/csv-write.js';
import { sanctionPhrase, sanctionReasons, type ReasonedSanction } from './sanction-reason.js';

/**
 * A ranking and its scorecards as rows for people: the terminal table, the CSV and the
 * XLSX export all use these words, whether the results were just scored or read back
 * from a stored run.
 */

/** A unit's results with, where known, the reason behind each criterion's score. */
export interface UnitResult extends UnitJson {
  explanations?: Record<string, string>;
  /** The facts that decide each part's own veto (vetoIf), by the part's id. */
  partVetoReasons?: Record<string, string>;
  /** The unit's inputs as the run scored them (its row of the run's snapshot). */
  inputs?: Record<string, unknown>;
}

export interface ParentSanctions { id: string; sanctions: Sanction[]; }

export function sanctionText(sanctions: Sanction[]): string {
  return sanctions.map((s) => s.label).join('、');
}

/** What vetoed a unit, for the 否决原因 column beside 一票否决 是/否: the reasons alone. */
export function vetoReasons(u: UnitJson): string {
  if (u.vetoes.length) return u.vetoes.map((v) => v.title).join('；');
  return u.vetoed ? '排名末位' : '';
}

export function formatScore(x: number, precision: number): string {
  return x.toFixed(precision);
}

/** Terminal table: rank, unit, parent, total, grade, sanctions and vetoes, in Chinese. */
export function rankingTable(rs: CompiledRuleSet, units: UnitJson[]): { header: string[]; rows: string[][]; right: boolean[] } {
  const header = ['排名', '单位', '上级', '总分', '等级', '奖惩', '否决原因'];
  const rows = units.map((u) => [
    String(u.rank),
    u.name ? `${u.name}（${u.id}）` : u.id,
    u.parent ?? '',
    formatScore(u.total, rs.precision),
    u.grade ?? '',
    sanctionText(u.sanctions),
    u.vetoes.map((v) => v.title).join('；'),
  ]);
  return { header, rows, right: [true, false, false, true, false, false, false] };
}

/** How a parent (township) is named: its name where the record knows it, else its id. */
export type NameOf = (id: string) => string;

/**
 * Each node's column heading: its title and points (党建工作（200分）); a title two
 * nodes share is told apart by its group's title (计划生育·其他（10分）).
 */
export function nodeHeadings(rs: CompiledRuleSet): string[] {
  const count = new Map<string, number>();
  for (const n of rs.nodes) count.set(n.title, (count.get(n.title) ?? 0) + 1);
  const parentTitle = (k: number): string | undefined => {
    for (let j = k - 1; j >= 0; j--) if (rs.nodes[j].depth < rs.nodes[k].depth) return rs.nodes[j].title;
    return undefined;
  };
  return rs.nodes.map((n, k) => {
    const above = count.get(n.title)! > 1 ? parentTitle(k) : undefined;
    return `${above ? `${above}·` : ''}${n.title}（${formatPoints(n.points)}分）`;
  });
}

function formatPoints(x: number): string {
  return String(Number(x.toFixed(6)));
}

/** Spreadsheet rows: one line per unit, named, every group and criterion score in its own column. */
export function rankingRows(rs: CompiledRuleSet, units: UnitJson[], parents: ParentSanctions[], nameOf: NameOf = (id) => id,
  reasons: Map<string, ReasonedSanction[]> = sanctionReasons(rs, units)): SheetRows {
  const header: Cell[] = ['排名', '单位', '上级单位', '总分', '加分', '扣分', '等级', '一票否决', '否决原因', '奖惩', ...nodeHeadings(rs)];
  const p = rs.precision;
  const decimals = [null, null, null, p, p, p, null, null, null, null, ...rs.nodes.map(() => p)];
  const rows: Cell[][] = units.map((u) => [
    u.rank, u.name ?? u.id, u.parent === null || u.parent === undefined ? '' : nameOf(u.parent), u.total, u.bonus, u.penalty, u.grade,
    u.vetoed ? '是' : '否', vetoReasons(u), (reasons.get(u.id) ?? u.sanctions).map(sanctionPhrase).join('；'),
    ...rs.nodes.map((n) => u.scores[n.id]),
  ]);
  const liable: Cell[][] = parents.filter((x) => x.sanctions.length)
    .map((x) => ['', nameOf(x.id), '', null, null, null, '', '', '', `连带责任：${sanctionText(x.sanctions)}`]);
  return { rows: [header, ...rows, ...liable], decimals };
}

/** Scorecards: one line per unit and clause, with the figure behind it (and its unit) and the reason. */
export function scorecardRows(rs: CompiledRuleSet, units: UnitResult[]): SheetRows {
  const header: Cell[] = ['单位', '排名', '总分', '条款', '层级', '分值', '得分', '数据', '说明'];
  const p = rs.precision;
  const rows: Cell[][] = [];
  for (const u of units) {
    for (const n of rs.nodes) {
      rows.push([
        u.name ?? u.id, u.rank, u.total, n.title, n.depth + 1, n.points, u.scores[n.id],
        n.kind === 'criterion' ? criterionFigure(rs, n, u.values[n.id] ?? null) : '',
        n.kind === 'criterion' ? u.explanations?.[n.id] ?? '' : '',
      ]);
    }
  }
  return { rows: [header, ...rows], decimals: [null, null, p, null, null, null, p, null, null] };
}
