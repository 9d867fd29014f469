import type { Tx } from '../db/connection.js';
import { shortHash } from '../report/short-hash.js';
import { unitNames } from '../db/queries/units.js';
import { localDateTime } from '../local-time.js';
import { toCsv } from '../io/csv-write.js';
import { rankingRows, scorecardRows } from '../report/ranking-sheet.js';
import { sanctionReasons } from '../report/sanction-reason.js';
import { actorNames } from './actors.js';
import { compiledVersion } from './rule-versions.js';
import { requireRun, runResults, STATUS, withExplanations } from './runs.js';
import { periodTitle } from './period.js';
import { assessmentTitle } from './assessments.js';

/**
 * A stored run as a spreadsheet: the ranking and every scorecard, exactly as stored
 * (a published run never changes, so neither does its export), as an office files it:
 * named in words (2024年度村级千分考核排名（第5号）.xlsx), a title over each sheet,
 * units and townships by name, scores at the rule set's precision, a 说明 sheet
 * saying what it is. Text that a spreadsheet would run as a formula is made inert by
 * the writers.
 */

export type ExportFormat = 'xlsx' | 'csv';

export type ExportWhat = 'ranking' | 'scorecards';

export async function exportRun(db: Tx, runId: number, format: ExportFormat, what: ExportWhat = 'ranking', filter: { unitId?: string } = {}) {
  const run = await requireRun(db, runId);
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const results = await runResults(db, runId, filter);
  const names = await unitNames(db, [...results.units.map((u) => u.parent), ...results.parents.map((p) => p.id)]);
  // A sanction's reason (倒数第二名) is a place within the whole ranking, whichever units are exported.
  const reasons = sanctionReasons(ruleset, filter.unitId ? (await runResults(db, runId)).units : results.units);
  const ranking = rankingRows(ruleset, results.units, filter.unitId ? [] : results.parents, (id) => names.get(id) ?? id, reasons);
  const cards = scorecardRows(ruleset, what === 'scorecards' || format === 'xlsx' ? await withExplanations(db, run, results.units) : []);
  const one = filter.unitId ? results.units[0] : undefined;
  const assessment = (await assessmentTitle(db, run.track)) ?? ruleset.title;
  const subject = `${one ? one.name ?? one.id : ''}${periodTitle(run.period_id)}${assessment}`;
  const base = `${subject}${what === 'ranking' && !one ? '排名' : '记分卡'}（第${run.id}号）`;
  const chosen = what === 'ranking' ? ranking : cards;
  if (format === 'csv') return { bytes: Buffer.from(toCsv(chosen.rows, chosen.decimals), 'utf8'), fileName: `${base}.csv` };

  const actor = await actorNames(db, [run.published_by]);
  const state = `${STATUS[run.status]}${run.published_at ? `，${localDateTime(run.published_at)} 由${actor(run.published_by)}发布` : ''}`;
  const subtitle = `${ruleset.title}（版本 ${ruleset.version}） · 第${run.id}号考核 · ${state}`;
  const sheets = [
    { name: '排名', title: [`${subject}排名`, subtitle], rows: ranking.rows, decimals: ranking.decimals, landscape: true },
    { name: '记分卡', title: [`${subject}记分卡`, subtitle], rows: cards.rows, decimals: cards.decimals, landscape: true },
  ];
  if (what === 'scorecards') sheets.reverse();
  const about = [
    ['项目', '内容'],
    ['报表', `${subject}${one ? '记分卡' : '排名'}`],
    ['考核期', periodTitle(run.period_id)],
    ['考核', assessment],
    ['规则集', ruleset.title],
    ['规则版本', `${ruleset.version}（校验值 ${shortHash(run.rule_sha256)}）`],
    ['考核编号', `第${run.id}号${run.supersedes_id !== null ? `（更正第${run.supersedes_id}号${run.note ? `：${run.note}` : ''}）` : ''}`],
    ['状态', state],
    ['生成', `${localDateTime(run.created_at)} 由${actor(run.created_by)}记分生成`],
    ruleset.subject === 'staff' ? ['参加考核人员', `${run.unit_count}人`] : ['参加考核单位', `${run.unit_count}个`],
    ['得分精度', ruleset.precision > 0 ? `保留${ruleset.precision}位小数` : '取整数'],
    ['结果校验值', shortHash(run.results_sha256)],
    ['导出时间', localDateTime(Date.now())],
  ];
  const { writeXlsx } = await import('../io/xlsx.js'); // exceljs takes a second to load: only when needed
  const bytes = await writeXlsx([...sheets, { name: '说明', rows: about, widths: [16, 80] }]);
  return { bytes, fileName: `${base}.xlsx` };
}
