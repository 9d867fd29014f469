import { statSync, writeFileSync } from 'node:fs';
import { fileProblemInWords } from '../../fs-words.js';
import path from 'node:path';
import { localSecond, zoneName } from '../../local-time.js';
import type { Db } from '../../db/connection.js';
import { readTableFile } from '../../io/table.js';
import { importInputs } from '../../services/import-inputs.js';
import { exportRun, type ExportFormat, type ExportWhat } from '../../services/export.js';
import { compareRuns, createRun, listRuns, requireRun, verifyRun } from '../../services/runs.js';
import { defaultReviewUntil, discard, finalize, publish, stateInWords } from '../../services/publication.js';
import { dateInWords } from '../../services/review-period.js';
import { EXIT } from '../exit.js';
import { progress } from '../progress.js';
import { textTable } from '../text-table.js';
import { withStore } from '../with-store.js';

/** The commands on the appraisal record: import, run, publish, finalize, discard, verify, export, runs, changes. */

export interface ByOption { by: string }

export function importCommand(period: string, file: string, opts: ByOption & { track?: string; rules?: string; replace?: boolean }): Promise<number> {
  return withStore(async (db) => {
    const { table, bytes } = await readTableFile(file);
    const result = await importInputs(db, {
      periodId: period, track: opts.track, rules: opts.rules, table, fileBytes: bytes, by: opts.by, replace: opts.replace,
      knownUnitsOnly: table.template,
      onProgress: progress(`导入 ${path.basename(file)}`),
    });
    for (const c of result.ignoredColumns) process.stderr.write(`警告 ${file}: 列 “${c}” 不对应任何输入，已忽略\n`);
    if (table.blankUnits) process.stderr.write(`警告 ${file}: 模板中有 ${table.blankUnits} 个单位没有填写，未导入\n`);
    process.stdout.write(`已导入 ${result.rows} 行到考核期 ${result.periodId}（${result.track}），批次 ${result.batchId}，规则版本 ${result.ruleSha256.slice(0, 12)}\n`);
    return EXIT.ok;
  });
}

export function runCommand(period: string, opts: ByOption & { track: string; rules?: string; corrects?: string; note?: string }): Promise<number> {
  return withStore(async (db) => {
    const show = progress('记分并保存');
    const run = await createRun(db, {
      periodId: period, track: opts.track, rules: opts.rules, by: opts.by, note: opts.note,
      corrects: opts.corrects === undefined ? undefined : Number(opts.corrects),
      onProgress: (step, done, total) => { if (step === 'store') show(done, total); },
    });
    process.stdout.write(`已生成第${run.id}号考核（草稿）：考核期 ${run.period_id}，${run.unit_count} 个单位，规则版本 ${run.rule_sha256.slice(0, 12)}\n`);
    if (run.supersedes_id !== null) await printChanges(db, run.supersedes_id, run.id);
    process.stdout.write(`核对无误后发布：appraisal publish ${run.id}\n`);
    return EXIT.ok;
  });
}

export function publishCommand(runId: string, opts: ByOption & { until?: string }): Promise<number> {
  return withStore(async (db) => {
    const { run, superseded } = await publish(db, Number(runId), opts.by, opts.until ?? defaultReviewUntil());
    process.stdout.write(`第${run.id}号考核已发布（${zoneName()} ${localSecond(run.published_at!)}，${run.published_by}），公示至${dateInWords(run.review_until!)}（北京时间）\n`);
    if (superseded) {
      process.stdout.write(`更正：第${superseded.id}号考核已被第${run.id}号更正取代。变动如下：\n`);
      await printChanges(db, superseded.id, run.id);
    }
    return EXIT.ok;
  });
}

export function finalizeCommand(runId: string, opts: ByOption): Promise<number> {
  return withStore(async (db) => {
    const run = await finalize(db, Number(runId), opts.by);
    process.stdout.write(`第${run.id}号考核已定稿（${zoneName()} ${localSecond(run.finalized_at!)}，${run.finalized_by}），结果不再改变\n`);
    return EXIT.ok;
  });
}

export function discardCommand(runId: string, opts: ByOption): Promise<number> {
  return withStore(async (db) => {
    const run = await discard(db, Number(runId), opts.by);
    process.stdout.write(`第${run.id}号考核（草稿）已作废\n`);
    return EXIT.ok;
  });
}

export function changesCommand(runId: string): Promise<number> {
  return withStore(async (db) => {
    const run = await requireRun(db, Number(runId));
    if (run.supersedes_id === null) {
      process.stdout.write(`第${run.id}号考核不是更正，没有可比较的前一次结果\n`);
      return EXIT.ok;
    }
    await printChanges(db, run.supersedes_id, run.id);
    return EXIT.ok;
  });
}

async function printChanges(db: Db, oldId: number, newId: number): Promise<void> {
  const changes = await compareRuns(db, oldId, newId);
  if (changes.length === 0) {
    process.stdout.write(`与第${oldId}号相比，排名、等级、否决和奖惩均无变化\n`);
    return;
  }
  process.stdout.write(textTable(['单位', '变动'], changes.map((c) => [c.name ? `${c.name}（${c.unitId}）` : c.unitId, c.changes.join('；')])));
}

export function verifyCommand(runId: string): Promise<number> {
  return withStore(async (db) => {
    const report = await verifyRun(db, Number(runId));
    if (report.identical) {
      process.stdout.write(`第${report.runId}号考核复核一致：按其规则版本与输入快照重新计算，结果与保存的完全相同\n`);
      return EXIT.ok;
    }
    process.stdout.write(`第${report.runId}号考核复核不一致：\n`);
    if (!report.snapshotIntact) process.stdout.write('- 输入快照的内容与其校验值不符\n');
    if (!report.sealIntact) process.stdout.write('- 保存的结果与发布时的校验值不符\n');
    for (const d of report.differences.slice(0, 200)) {
      process.stdout.write(`- ${d.unitId} ${d.field}：保存为 ${JSON.stringify(d.stored)}，重算为 ${JSON.stringify(d.recomputed)}\n`);
    }
    if (report.differences.length > 200) process.stdout.write(`……共 ${report.differences.length} 处不同\n`);
    return EXIT.mismatch;
  });
}

function isFolder(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

export function exportCommand(runId: string, opts: { format: ExportFormat; what: ExportWhat; out?: string }): Promise<number> {
  return withStore(async (db) => {
    const { bytes, fileName } = await exportRun(db, Number(runId), opts.format, opts.what);
    let out = opts.out ?? fileName;
    if (out === '-') process.stdout.write(bytes);
    else {
      // A folder given: the file goes into it under the name an office files it by.
      if (isFolder(out)) out = path.join(out, fileName);
      try {
        writeFileSync(out, bytes);
      } catch (e) {
        process.stderr.write(`[EXPORT_WRITE_FAILED] 无法写入 ${out}：${fileProblemInWords(e)}\n`);
        return EXIT.refused;
      }
      process.stdout.write(`已导出 ${out}\n`);
    }
    return EXIT.ok;
  });
}

export function runsCommand(opts: { period?: string; track?: string; format?: 'table' | 'json' }): Promise<number> {
  return withStore(async (db) => {
    const runs = await listRuns(db, { periodId: opts.period, track: opts.track });
    if (opts.format === 'json') {
      process.stdout.write(`${JSON.stringify(runs.map((r) => {
        const { state, title } = stateInWords(r);
        return {
          id: r.id, period: r.period_id, track: r.track, state, stateTitle: title, reviewUntil: r.review_until,
          publishedAt: r.published_at, finalizedAt: r.finalized_at, supersedes: r.supersedes_id, supersededBy: r.superseded_by,
        };
      }), null, 2)}\n`);
      return EXIT.ok;
    }
    const rows = runs.map((r) => [
      String(r.id), r.period_id, r.track, stateInWords(r).title, r.review_until ?? '', String(r.unit_count), r.rule_sha256.slice(0, 12),
      localSecond(r.created_at), r.published_at ? localSecond(r.published_at) : '',
      r.supersedes_id !== null ? `更正第${r.supersedes_id}号` : '',
    ]);
    process.stdout.write(textTable(['编号', '考核期', '类别', '状态', '公示截止', '单位数', '规则版本', '生成时间', '发布时间', '备注'], rows, [true]));
    return EXIT.ok;
  });
}
