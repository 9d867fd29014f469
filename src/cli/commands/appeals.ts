import { localSecond } from '../../local-time.js';
import { appealViews } from '../../services/appeals.js';
import { EXIT } from '../exit.js';
import { textTable } from '../text-table.js';
import { withStore } from '../with-store.js';

/** `appraisal appeals [--run RUN] --format json|table`: the appeals on record, open ones first. */

export function appealsCommand(opts: { run?: string; format: string }): Promise<number> {
  return withStore(async (db) => {
    let runId: number | undefined;
    if (opts.run !== undefined) {
      if (!/^\d{1,9}$/.test(opts.run) || Number(opts.run) <= 0) {
        process.stderr.write(`[RUN_INVALID] 考核编号应为正整数，而不是“${opts.run.slice(0, 40)}”\n`);
        return EXIT.usage;
      }
      runId = Number(opts.run);
    }
    const appeals = (await appealViews(db, { runId })).map((a) => ({
      id: a.id, run: a.run_id, period: a.run.period_id, unit: a.unit_id, unitName: a.unitName,
      items: a.itemList.map((i) => ({ kind: i.kind, id: i.id, title: i.title })),
      reason: a.reason, state: a.status, stateName: a.stateName, answer: a.answer,
      filedAt: a.filed_at, filedBy: a.filed_by, answeredAt: a.answered_at, answeredBy: a.answered_by,
      correctionRun: a.correction_run_id,
      files: a.files.map((f) => ({ name: f.file_name, type: f.media_type, size: f.size, sha256: f.sha256 })),
    }));
    if (opts.format === 'json') {
      process.stdout.write(`${JSON.stringify(appeals, null, 2)}\n`);
      return EXIT.ok;
    }
    const one = (text: string, n: number) => { const line = text.replace(/\s+/g, ' '); return [...line].length > n ? `${[...line].slice(0, n - 1).join('')}…` : line; };
    const rows = appeals.map((a) => [
      String(a.id), String(a.run), one(a.unitName, 16), one(a.items.map((i) => i.title).join('、'), 30), one(a.reason, 30), a.stateName,
      one(a.answer ?? '', 20), `${localSecond(a.filedAt)} ${a.filedBy}`, a.answeredAt ? `${localSecond(a.answeredAt)} ${a.answeredBy ?? ''}` : '',
      a.files.map((f) => `${one(f.name, 20)}（${f.type}，${f.size}字节）`).join('；'),
    ]);
    process.stdout.write(textTable(['编号', '考核', '单位', '事项', '理由', '状态', '答复', '提交', '答复时间', '材料'], rows, [true, true]));
    return EXIT.ok;
  });
}
