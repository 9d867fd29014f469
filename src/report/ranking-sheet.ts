import type { CompiledRuleSet, Sanction, UnitJson } from '../engine/index.js';
import type { Cell } from '../io/csv-write.js';

/**
 * A ranking and its scorecards as rows for people: the terminal table, the CSV and the
 * XLSX export all use these words, whether the results were just scored or read back
 * from a stored run.
 */

/** A unit's results with, where known, the reason behind each criterion's score. */
export interface UnitResult extends UnitJson {
  explanations?: Record<string, string>;
  /** The unit's metric values, for a track linked to this one. */
  metrics?: Record<string, number | null>;
  /** The unit's inputs as the run scored them (its row of the run's snapshot). */
  inputs?: Record<string, unknown>;
}

export interface ParentSanctions { id: string; sanctions: Sanction[]; }

export function sanctionText(sanctions: Sanction[]): string {
  return sanctions.map((s) => s.label).join('、');
}

export function vetoText(u: UnitJson): string {
  if (u.vetoes.length) return `一票否决（${u.vetoes.map((v) => v.title).join('；')}）`;
  return u.vetoed ? '一票否决（排名末位）' : '';
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

/** Spreadsheet rows: one line per unit, every group and criterion score in its own column. */
export function rankingRows(rs: CompiledRuleSet, units: UnitJson[], parents: ParentSanctions[]): Cell[][] {
  const header: Cell[] = ['排名', '单位编号', '单位名称', '上级单位', '总分', '加分', '扣分', '等级', '是否否决', '否决原因', '奖惩',
    ...rs.nodes.map((n) => `${n.title}（${n.id}）`)];
  const rows: Cell[][] = units.map((u) => [
    u.rank, u.id, u.name, u.parent, u.total, u.bonus, u.penalty, u.grade,
    u.vetoed ? '是' : '否', vetoText(u), sanctionText(u.sanctions),
    ...rs.nodes.map((n) => u.scores[n.id]),
  ]);
  const liable: Cell[][] = parents.filter((p) => p.sanctions.length)
    .map((p) => ['', p.id, '', '', '', '', '', '', '', '连带责任', sanctionText(p.sanctions)]);
  return [header, ...rows, ...liable];
}

/** Scorecards: one line per unit and clause, with the figure behind it and the reason. */
export function scorecardRows(rs: CompiledRuleSet, units: UnitResult[]): Cell[][] {
  const header: Cell[] = ['单位编号', '单位名称', '排名', '总分', '条款编号', '条款', '层级', '分值', '得分', '数据', '说明'];
  const rows: Cell[][] = [];
  for (const u of units) {
    for (const n of rs.nodes) {
      rows.push([
        u.id, u.name, u.rank, u.total, n.id, n.title, n.depth + 1, n.points, u.scores[n.id],
        n.kind === 'criterion' ? u.values[n.id] : null,
        n.kind === 'criterion' ? u.explanations?.[n.id] ?? '' : '',
      ]);
    }
  }
  return [header, ...rows];
}
