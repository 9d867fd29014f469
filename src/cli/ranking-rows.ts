import type { CompiledRuleSet, RankedUnit, Ranking, Sanction } from '../engine/index.js';
import type { Cell } from '../io/csv-write.js';

/** A ranking as rows for people: the terminal table and the spreadsheet export share these words. */

export function sanctionText(sanctions: Sanction[]): string {
  return sanctions.map((s) => s.label).join('、');
}

export function vetoText(u: RankedUnit): string {
  if (u.vetoes.length) return `一票否决（${u.vetoes.map((v) => v.title).join('；')}）`;
  return u.vetoed ? '一票否决（排名末位）' : '';
}

export function formatScore(x: number, precision: number): string {
  return x.toFixed(precision);
}

/** Terminal table: rank, unit, parent, total, grade, sanctions and vetoes, in Chinese. */
export function rankingTableRows(rs: CompiledRuleSet, ranking: Ranking): { header: string[]; rows: string[][]; right: boolean[] } {
  const header = ['排名', '单位', '上级', '总分', '等级', '奖惩', '否决原因'];
  const rows = ranking.units.map((u) => [
    String(u.rank),
    u.unit.name ? `${u.unit.name}（${u.unit.id}）` : u.unit.id,
    u.unit.parent ?? '',
    formatScore(u.total, rs.precision),
    u.grade ?? '',
    sanctionText(u.sanctions),
    u.vetoes.map((v) => v.title).join('；'),
  ]);
  return { header, rows, right: [true, false, false, true, false, false, false] };
}

/** Spreadsheet rows: one line per unit, every group and criterion score in its own column. */
export function rankingCsvRows(rs: CompiledRuleSet, ranking: Ranking): Cell[][] {
  const header: Cell[] = ['排名', '单位编号', '单位名称', '上级单位', '总分', '加分', '扣分', '等级', '是否否决', '否决原因', '奖惩',
    ...rs.nodes.map((n) => `${n.title}（${n.id}）`)];
  const rows: Cell[][] = ranking.units.map((u) => [
    u.rank, u.unit.id, u.unit.name, u.unit.parent, u.total, u.bonus, u.penalty, u.grade,
    u.vetoed ? '是' : '否', vetoText(u), sanctionText(u.sanctions),
    ...rs.nodes.map((n) => u.scores[n.index]),
  ]);
  const parents: Cell[][] = ranking.parents.filter((p) => p.sanctions.length).map((p) => ['', p.id, '', '', '', '', '', '', '', '连带责任', sanctionText(p.sanctions)]);
  return [header, ...rows, ...parents];
}
