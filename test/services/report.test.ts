import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { DataInvalid, loadRuleSet } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { ruleSchema, sha256 } from '../../src/io/rule-file.js';
import { DEMO_DIR, ROOT } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { parsePeriod } from '../../src/services/period.js';
import { buildReport, periodsWithData, reportRuleSets, ReportRefused, reportSheetRows, samePeriodLastYear } from '../../src/services/report.js';
import { saveRuleVersion } from '../../src/services/rule-versions.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** The statistics report of a period from the record: the demo township, and the seed's half-year analysis imported. */

/** The sum of a column of a demo villages file. */
function demoSum(year: string, column: string): number {
  const table = parseDataBytes(readFileSync(path.join(DEMO_DIR, `villages-${year}.csv`)), 'v.csv');
  return table.rows.reduce((s, r) => s + Number(r.cells[column]), 0);
}

/** A copy of the village rule set under another id, with one more check. */
async function strictVersion(db: Db, id: string, check: string): Promise<string> {
  const source = readFileSync(path.join(ROOT, 'rules', 'village-annual.json'), 'utf8')
    .replace('"id": "village-annual"', `"id": "${id}"`)
    .replace('"checks": [', `"checks": [\n    {"id": "strict", "when": "${check}", "message": "测试用的检查"},`);
  const bytes = Buffer.from(source, 'utf8');
  const loaded = loadRuleSet(source, id, ruleSchema());
  return saveRuleVersion(db, { file: id, sha256: sha256(bytes), bytes, ...loaded }, 'test');
}

async function refusal(work: Promise<unknown>): Promise<string | undefined> {
  try { await work; } catch (e) {
    if (e instanceof ReportRefused) return e.code;
    throw e;
  }
  return undefined;
}

onEachBackend('the statistics report of a period', (backend) => {
  let db: Db;
  before(async function () {
    this.timeout(60_000);
    db = await openStore(await backend.fresh('demo'));
  });
  after(async () => { await db?.destroy(); });

  it('sums the villages up to the township and the county from the units table, and computes their rates from the sums', async () => {
    const report = await buildReport(db, { periodId: '2024', rules: 'village-annual' });
    expect(report.period.id).to.equal('2024');
    expect(report.rule).to.include({ rulesetId: 'village-annual', version: '2024.2', subject: 'village' });
    const [county, township, ...villages] = report.rows;
    expect(county).to.include({ id: 'hetang', name: '荷塘区', parent: null, depth: 0 });
    expect(township).to.include({ id: 'fenglin', name: '枫林镇', parent: 'hetang', depth: 1 });
    expect(villages).to.have.length(18);
    expect(villages.every((v) => v.parent === 'fenglin' && v.depth === 2)).to.equal(true);

    const population = demoSum('2024', 'population'), births = demoSum('2024', 'births');
    for (const parent of [county, township]) {
      expect(parent.inputs.population).to.equal(population);
      expect(parent.inputs.births).to.equal(births);
      expect(parent.metrics.birthRate).to.equal(Number((births / population * 1000).toFixed(2)));
    }
    const average = villages.reduce((s, v) => s + (v.metrics.birthRate as number), 0) / villages.length;
    expect(county.metrics.birthRate, 'a rate of sums, not an average of rates').not.to.equal(Number(average.toFixed(2)));
    expect(report.withData).to.have.length(18).and.not.to.include('fenglin');
  });

  it('compares with the same period one year earlier when it has data, and without a change otherwise', async () => {
    const report = await buildReport(db, { periodId: '2024', rules: 'village-annual' });
    expect(report.compare?.id).to.equal('2023');
    const county = report.rows[0];
    expect(county.change?.births).to.equal(demoSum('2024', 'births') - demoSum('2023', 'births'));
    const rate = (year: string) => Number((demoSum(year, 'births') / demoSum(year, 'population') * 1000).toFixed(2));
    expect(county.change?.birthRate).to.equal(Number((rate('2024') - rate('2023')).toFixed(2)));

    const first = await buildReport(db, { periodId: '2023', rules: 'village-annual' });
    expect(first.compare).to.equal(null);
    expect(first.rows.every((r) => r.change === null)).to.equal(true);
  });

  it('takes the newest period with data and the village rule set by default', async () => {
    const report = await buildReport(db, {});
    expect(report.period.id).to.equal('2024');
    expect(report.rule.rulesetId).to.equal('village-annual');
    expect((await periodsWithData(db, 'village')).map((p) => p.id)).to.deep.equal(['2024', '2023']);
    expect((await reportRuleSets(db)).map((r) => r.rulesetId), 'the staff rule set has no metrics').to.include.members(['village-annual', 'half-year-analysis']).and.not.include('staff-annual');
  });

  it('reads the same period last year as 2024H1 → 2023H1 and 2024Q3 → 2023Q3', () => {
    expect(samePeriodLastYear(parsePeriod('2024')).id).to.equal('2023');
    expect(samePeriodLastYear(parsePeriod('2024H1')).id).to.equal('2023H1');
    expect(samePeriodLastYear(parsePeriod('2024Q3')).id).to.equal('2023Q3');
    expect(samePeriodLastYear(parsePeriod('2024M03')).id).to.equal('2023M03');
  });

  it('reproduces the seed’s half-year analysis of 荷塘区 from imported half-year periods', async function () {
    this.timeout(30_000);
    const dir = path.join(ROOT, 'data', 'seed-analysis');
    for (const [period, file] of [['2024H1', 'this-half-year.csv'], ['2023H1', 'last-year-same-period.csv']]) {
      const bytes = readFileSync(path.join(dir, file));
      await importInputs(db, { periodId: period, rules: 'half-year-analysis', table: parseDataBytes(bytes, file), fileBytes: bytes, by: 'test' });
    }
    const report = await buildReport(db, { periodId: '2024H1', rules: 'half-year-analysis' });
    expect(report.compare?.id).to.equal('2023H1');
    const district = report.rows[0];
    expect(district).to.include({ id: '荷塘区', depth: 0 });
    expect(district.inputs).to.include({ births: 1070, contraceptionDue: 430, contraceptionDone: 182 });
    expect(district.metrics).to.include({ birthRate: 4.85, naturalGrowthRate: 3.46, contraceptionRate: 42.33, firstSexRatio: 98.7 });
    expect(district.change).to.include({ births: 140, birthRate: 0.66, sexRatio: -22.12 });
  });

  it('gives the rows as a spreadsheet by name: every input and metric, then every change, each at its decimals', async () => {
    const report = await buildReport(db, { periodId: '2024', rules: 'village-annual' });
    const { rows, decimals } = reportSheetRows(report);
    const width = 3 + report.columns.length * 2;
    expect(rows).to.have.length(1 + 20);
    expect(rows[0]).to.have.length(width);
    expect(decimals).to.have.length(width);
    expect(rows[0].slice(0, 3)).to.deep.equal(['单位', '上级单位', '层级']);
    expect(rows[0]).to.include('人口出生率（‰）').and.to.include('人口出生率（‰）比去年同期');
    expect(rows[2].slice(0, 3)).to.deep.equal(['枫林镇', '荷塘区', 2]);
    const birthRate = rows[0].indexOf('人口出生率（‰）');
    expect(decimals[birthRate]).to.equal(2);
    expect(decimals[rows[0].indexOf('总人口（人）')]).to.equal(null);
  });

  it('refuses a period whose stored rows fail the chosen version’s checks, and compares without a last year that fails them', async () => {
    const never = await strictVersion(db, 'village-never', 'population < 0');
    try {
      await buildReport(db, { periodId: '2024', rules: never });
      expect.fail('the report was built');
    } catch (e) {
      expect(e).to.be.instanceOf(DataInvalid);
      expect((e as DataInvalid).problems).to.have.length(18);
    }
    // 枫林村 had 3620 people in 2023 only.
    const this2024 = await strictVersion(db, 'village-2024', 'population != 3620');
    const report = await buildReport(db, { periodId: '2024', rules: 'village-2024' });
    expect(report.rule.sha256).to.equal(this2024);
    expect(report.compare).to.equal(null);
    expect(report.compareNote).to.contain('2023年度');
    expect(report.rows[0].change).to.equal(null);
  });

  it('refuses an unknown rule set, a rule file path, a rule set without metrics, a bad period and a period without data', async () => {
    expect(await refusal(buildReport(db, { rules: 'nope' }))).to.equal('RULES_NOT_FOUND');
    expect(await refusal(buildReport(db, { rules: 'rules/village-annual.json' })), 'never a file from the web').to.equal('RULES_NOT_FOUND');
    expect(await refusal(buildReport(db, { rules: 'staff-annual' }))).to.equal('NO_METRICS');
    expect(await refusal(buildReport(db, { periodId: '24' }))).to.equal('PERIOD_NOT_FOUND');
    expect(await refusal(buildReport(db, { periodId: '2022' }))).to.equal('NO_DATA');
  });
});
