import path from 'node:path';
import { DataInvalid } from '../../engine/index.js';
import { readTableFile } from '../../io/table.js';
import { importEvents } from '../../services/events-import.js';
import { periodTitle } from '../../services/period.js';
import { EXIT } from '../exit.js';
import { withStore } from '../with-store.js';
import type { ByOption } from './record.js';

/**
 * `appraisal import-events PERIOD FILE`: a period's events ledger (事件台账) from a CSV or XLSX file in
 * the ledger's template (单位、事件台账、等级或分值、日期、说明), as the web page's import takes it: every event
 * added, or none — every bad cell named with its row and column (exit 2).
 */
export function importEventsCommand(period: string, file: string, opts: ByOption): Promise<number> {
  return withStore(async (db) => {
    if (/\.json$/i.test(file)) throw new DataInvalid([{ code: 'DATA_FORMAT', message: `${path.basename(file)} 不是 CSV 或 XLSX 文件`, file, row: 1, column: '' }]);
    const { table, bytes } = await readTableFile(file);
    const result = await importEvents(db, { periodId: period, table, fileBytes: bytes, by: opts.by });
    process.stdout.write(`已从 ${path.basename(file)} 导入${periodTitle(period)}的 ${result.events} 起事件${result.blankRows ? `；另有 ${result.blankRows} 行没有填写事件，未导入` : ''}\n`);
    return EXIT.ok;
  });
}
