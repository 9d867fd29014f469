import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Config } from '../../src/config.js';
import { openDatabase, integrityCheck } from '../../src/db/connection.js';
import { DEMO_DIR } from '../../src/paths.js';
import { onEachBackend } from '../support/backends.js';
import { appraisalAsync, appraisalSync, killWhen } from '../support/cli.js';
import { writeSyntheticVillages } from '../support/synthetic.js';
import { tempDir } from '../support/temp.js';

const tmp = tempDir('appraisal-record-cli-');

async function count(config: Config, sql: string): Promise<number> {
  const db = await openDatabase(config);
  try {
    const [row] = await db.raw(sql).then((r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows)) as Array<{ n: number | string }>;
    return Number(row.n);
  } finally {
    await db.destroy();
  }
}

async function soundAfterCrash(config: Config): Promise<void> {
  const db = await openDatabase(config); // refuses a database that fails integrity_check
  try {
    if (!config.databaseUrl) expect(await integrityCheck(db)).to.equal('ok');
  } finally {
    await db.destroy();
  }
}

onEachBackend('the record on the command line', function (backend) {
  let config: Config;
  const cli = (...args: string[]) => appraisalSync(config, args);
  this.timeout(120_000); // every step is a real process on a real database
  before(async () => { config = await backend.fresh('none'); });

  it('imports, runs, publishes, verifies, lists and exports', () => {
    const imported = cli('import', '2023', path.join(DEMO_DIR, 'villages-2023.csv'), '--by', 'clerk');
    expect(imported.code, imported.stderr).to.equal(0);
    expect(imported.stdout).to.contain('已导入 18 行');
    const run = cli('run', '2023', '--by', 'leader');
    expect(run.code, run.stderr).to.equal(0);
    const id = /第(\d+)号考核/.exec(run.stdout)![1];
    expect(cli('publish', id, '--by', 'leader').code).to.equal(0);
    const verified = cli('verify', id);
    expect(verified.code).to.equal(0);
    expect(verified.stdout).to.contain('复核一致');
    expect(cli('runs').stdout).to.match(new RegExp(`${id}\\s+2023\\s+village\\s+公示中`));
    const csv = cli('export', id, '--format', 'csv', '--out', '-');
    expect(csv.stdout.split('\r\n')[0]).to.match(/^\uFEFF排名,单位,上级单位,总分/);
    const xlsx = path.join(tmp, `${backend.name}-run.xlsx`);
    expect(cli('export', id, '--out', xlsx).code).to.equal(0);
    expect(statSync(xlsx).size).to.be.greaterThan(1000);
    // A folder given: the file goes into it by the name an office files it by; a path that cannot be written is said in words.
    const folder = mkdtempSync(path.join(tmp, 'out-'));
    const into = cli('export', id, '--out', folder);
    expect(into.code, into.stderr).to.equal(0);
    expect(readdirSync(folder)).to.deep.equal([`2023年度村级千分考核排名（第${id}号）.xlsx`]);
    const nowhere = cli('export', id, '--out', path.join(folder, 'no', 'such', 'x.xlsx'));
    expect(nowhere.code).to.equal(4);
    expect(nowhere.stderr).to.contain('[EXPORT_WRITE_FAILED]').and.to.contain('路径不存在');
  });

  it('exports workbooks whose text cells are never formulas', async () => {
    const hostile = path.join(tmp, `${backend.name}-hostile.csv`);
    const lines = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'), 'utf8').split('\n');
    lines[1] = lines[1].replace(/^v01,[^,]+,/, 'v01,=SUM(A1:A2),');
    writeFileSync(hostile, lines.join('\n'));
    expect(cli('import', '2024', hostile).code).to.equal(0);
    const id = /第(\d+)号考核/.exec(cli('run', '2024').stdout)![1];
    const out = path.join(tmp, `${backend.name}-hostile.xlsx`);
    expect(cli('export', id, '--out', out).code).to.equal(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const cells: unknown[] = [];
    wb.getWorksheet('排名')!.eachRow((row) => row.eachCell((cell) => cells.push(cell.value)));
    expect(cells).to.include("'=SUM(A1:A2)");
    expect(cells.some((v) => typeof v === 'object' && v !== null && 'formula' in v)).to.equal(false);
  });

  it('lets exactly one of two simultaneous publishes of one period win', async () => {
    const a = /第(\d+)号考核/.exec(cli('run', '2024').stdout)![1];
    const b = /第(\d+)号考核/.exec(cli('run', '2024').stdout)![1];
    const [ra, rb] = await Promise.all([appraisalAsync(config, ['publish', a]), appraisalAsync(config, ['publish', b])]);
    expect([ra.code, rb.code].sort()).to.deep.equal([0, 4]);
    const loser = ra.code === 4 ? ra : rb;
    expect(loser.stderr).to.match(/PERIOD_ALREADY_PUBLISHED|NOT_A_DRAFT/);
    expect(await count(config, `select count(*) as n from runs where period_id = '2024' and status = 'published'`)).to.equal(1);
  });

  it('loses nothing when killed in the middle of a large import', async () => {
    const file = writeSyntheticVillages(path.join(tmp, `${backend.name}-big.csv`), 30000);
    const { stderr } = await killWhen(config, ['import', '2025', file], /导入 \S+ [1-9]\d%/);
    expect(stderr).to.match(/%/);
    await soundAfterCrash(config);
    expect(await count(config, `select count(*) as n from inputs where period_id = '2025'`)).to.equal(0);
    expect(await count(config, `select count(*) as n from periods where id = '2025'`)).to.equal(0);
  });

  it('loses nothing when killed after writing every row of an import but before it commits', async () => {
    const file = path.join(DEMO_DIR, 'villages-2024.csv');
    await killWhen(config, ['import', '2026', file], /FAULT-POINT import/, { APPRAISAL_FAULT_PAUSE: 'import' });
    await soundAfterCrash(config);
    expect(await count(config, `select count(*) as n from inputs where period_id = '2026'`)).to.equal(0);
  });

  it('loses nothing when killed in the middle of a run', async () => {
    const before = await count(config, 'select count(*) as n from runs');
    await killWhen(config, ['run', '2023'], /FAULT-POINT run/, { APPRAISAL_FAULT_PAUSE: 'run' });
    await soundAfterCrash(config);
    expect(await count(config, 'select count(*) as n from runs')).to.equal(before);
  });

  it('refuses a correction without its reason (--note), storing nothing', async () => {
    const before = await count(config, 'select count(*) as n from runs');
    const refused = cli('run', '2023', '--corrects', '1');
    expect(refused.code).to.equal(4);
    expect(refused.stderr).to.contain('[CORRECTION_REASON_REQUIRED]');
    expect(await count(config, 'select count(*) as n from runs')).to.equal(before);
  });

  it('loses nothing when killed in the middle of a publish, and publishes on the next try', async () => {
    const id = /第(\d+)号考核/.exec(cli('run', '2023', '--corrects', '1', '--note', '复核更正').stdout)![1];
    await killWhen(config, ['publish', id], /FAULT-POINT publish/, { APPRAISAL_FAULT_PAUSE: 'publish' });
    await soundAfterCrash(config);
    expect(await count(config, `select count(*) as n from runs where id = ${id} and status = 'draft'`)).to.equal(1);
    expect(await count(config, `select count(*) as n from runs where id = 1 and status = 'published'`)).to.equal(1);
    const again = cli('publish', id);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('更正');
    expect(cli('verify', '1').code).to.equal(0);
    expect(cli('verify', id).code).to.equal(0);
  });

  it('refuses a truncated or corrupt upload with a message, changing nothing', () => {
    const before = cli('runs').stdout;
    const xlsx = path.join(tmp, `${backend.name}-run.xlsx`);
    const cut = path.join(tmp, `${backend.name}-cut.xlsx`);
    writeFileSync(cut, readFileSync(xlsx).subarray(0, 2000));
    const r1 = cli('import', '2027', cut);
    expect(r1.code).to.equal(2);
    expect(r1.stderr).to.match(/DATA_SYNTAX/);
    const csv = path.join(tmp, `${backend.name}-cut.csv`);
    writeFileSync(csv, 'id,name,population\nv1,"甲村,1200\n');
    const r2 = cli('import', '2027', csv);
    expect(r2.code).to.equal(2);
    expect(cli('runs').stdout).to.equal(before);
  });
});

describe('a damaged database file', () => {
  it('is refused with a clear message instead of being used', async () => {
    const file = path.join(tmp, 'damaged.sqlite');
    const config: Config = { databaseFile: file, port: 0, seed: 'demo' };
    expect(appraisalSync(config, ['runs']).code).to.equal(0);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const r = appraisalSync(config, ['runs']);
    expect(r.code).to.equal(6);
    expect(r.stderr).to.contain('DATABASE_REFUSED');
  });
});
