import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { onEachBackend } from '../support/backends.js';
import { appraisalSync } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

/** A period's events ledger imported on the command line (issue 20, events): all of the file or none of it. */

const tmp = tempDir('appraisal-events-cli-');

async function eventCount(config: Config, periodId: string): Promise<number> {
  const db = await openDatabase(config);
  try {
    const [row] = await db('events').where({ period_id: periodId }).count({ n: '*' });
    return Number((row as { n: number | string }).n);
  } finally {
    await db.destroy();
  }
}

onEachBackend('the events ledger on the command line', function (backend) {
  let config: Config;
  const cli = (...args: string[]) => appraisalSync(config, args);
  this.timeout(120_000);
  before(async () => {
    config = await backend.fresh('demo');
    appraisalSync(config, ['runs']); // the first start writes the demo township, its ledger with it
  });

  it('imports a ledger file in the template’s columns, by unit name or id, and says how many events', async () => {
    const before = await eventCount(config, '2024');
    const file = path.join(tmp, `${backend.name}-good.csv`);
    writeFileSync(file, '单位,台账,等级,分值,日期,说明\n枫林村,安全生产事故,一般,,2024-10-02,电动车起火\nv03,accidents,较大,,2024-11-20,\n');
    const out = cli('import-events', '2024', file, '--by', 'clerk');
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.contain('导入2024年度的 2 起事件');
    expect(await eventCount(config, '2024')).to.equal(before + 2);
  });

  it('refuses a file with a bad cell, naming each by row and column, and imports none of its events', async () => {
    const before = await eventCount(config, '2024');
    const file = path.join(tmp, `${backend.name}-bad.csv`);
    writeFileSync(file, '单位,台账,等级,分值,日期,说明\nv03,accidents,一般,,2024-10-02,\n无此村,accidents,一般,,2024-10-03,\nv04,accidents,特大,,2024-10-04,\n');
    const out = cli('import-events', '2024', file, '--by', 'clerk');
    expect(out.code).to.equal(2);
    expect(out.stderr).to.match(/第3行/).and.match(/第4行/).and.contain('未导入任何数据');
    expect(await eventCount(config, '2024')).to.equal(before);
  });

  it('refuses a JSON file and a period that is not one, with their codes', () => {
    const json = path.join(tmp, `${backend.name}-events.json`);
    writeFileSync(json, '[]');
    expect(cli('import-events', '2024', json).stderr).to.contain('不是 CSV 或 XLSX 文件');
    const bad = cli('import-events', '20x4', path.join(tmp, `${backend.name}-good.csv`));
    expect(bad.code).to.equal(4);
    expect(bad.stderr).to.contain('PERIOD');
  });
});
