import type { Tx } from '../db/connection.js';
import { localDate } from '../local-time.js';
import { toCsv } from '../io/csv-write.js';
import { rankingRows, scorecardRows } from '../report/ranking-sheet.js';
import { compiledVersion } from './rule-versions.js';
import { requireRun, runResults, STATUS, withExplanations } from './runs.js';
import { periodTitle } from './period.js';
import { trackTitle } from './tracks.js';

/**
 * A stored run as a spreadsheet: the ranking and every scorecard, exactly as stored
 * (a published run never changes, so neither does its export). Text that a spreadsheet
 * would run as a formula is made inert by the writers.
 */

export type ExportFormat = 'xlsx' | 'csv';

export type ExportWhat = 'ranking' | 'scorecards';

export async function exportRun(db: Tx, runId: number, format: ExportFormat, what: ExportWhat = 'ranking', filter: { unitId?: string } = {}) {
  const run = await requireRun(db, runId);
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const results = await runResults(db, runId, filter);
  const ranking = rankingRows(ruleset, results.units, filter.unitId ? [] : results.parents);
  const cards = scorecardRows(ruleset, what === 'scorecards' || format === 'xlsx' ? await withExplanations(db, run, results.units) : []);
  // Named as an office files it: 2024年度村级千分考核排名（第5号）.xlsx
  const base = `${periodTitle(run.period_id)}${trackTitle(run.track) ?? ruleset.title}`;
  if (format === 'csv') {
    return { bytes: Buffer.from(toCsv(what === 'ranking' ? ranking : cards), 'utf8'), fileName: `${base}${what === 'ranking' ? '排名' : '记分卡'}（第${run.id}号）.csv` };
  }
  const title = [[`${ruleset.title}（版本 ${ruleset.version}）`], [`考核期 ${periodTitle(run.period_id)}，第${run.id}号考核，${STATUS[run.status]}${run.published_at ? `，发布于 ${localDate(run.published_at)}` : ''}`]];
  const { writeXlsx } = await import('../io/xlsx.js'); // exceljs takes a second to load: only when needed
  const bytes = await writeXlsx([
    { name: '排名', rows: ranking },
    { name: '记分卡', rows: cards },
    { name: '说明', rows: [['项目', '内容'], ...title.map((t) => ['', t[0]]), ['规则版本校验值', run.rule_sha256], ['结果校验值', run.results_sha256]] },
  ]);
  return { bytes, fileName: `${base}排名（第${run.id}号）.xlsx` };
}
