import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { latestRuleVersion } from '../../src/db/queries/rule-versions.js';
import { getRun, type RunRow } from '../../src/db/queries/runs.js';
import { unitWithRuns } from '../../src/db/queries/runs.js';
import { loadRuleSet } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { ruleSchema, sha256 } from '../../src/io/rule-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { addUser } from '../../src/services/accounts.js';
import {
  correctionChanges, correctionLine, correctionReason, correctionRefusal, createCorrection, scorecardCorrections, standingChanged,
} from '../../src/services/corrections.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { saveRuleVersion } from '../../src/services/rule-versions.js';
import { compareRuns, createRun, publishRun, runResults } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { withLabel } from '../../src/services/version-labels.js';
import { onEachBackend } from '../support/backends.js';

/** 更正: a correction's rule version, its change list told apart by the data and by the rules, and who is told. */

async function refusal(work: Promise<unknown>): Promise<string> {
  try { await work; } catch (e) { return (e as { code?: string }).code ?? String(e); }
  return 'not refused';
}

/** The demo's 2023 village data with 黄泥坳村 (v09)'s policy-external birth found to be a data error. */
function v09Fixed(): { table: ReturnType<typeof parseDataBytes>; fileBytes: Buffer } {
  const lines = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'), 'utf8').split('\n');
  const header = lines[0].split(',');
  const k = lines.findIndex((l) => l.startsWith('v09,'));
  const cells = lines[k].split(',');
  for (const col of ['outOfPolicyBirths', 'outOfPolicyMulti', 'multiBirths']) cells[header.indexOf(col)] = '0';
  for (const col of ['births', 'boys']) cells[header.indexOf(col)] = String(Number(cells[header.indexOf(col)]) - 1);
  lines[k] = cells.join(',');
  const fileBytes = Buffer.from(lines.join('\n'));
  return { table: parseDataBytes(fileBytes, 'fix.csv'), fileBytes };
}

const veto = (c: { changes: string[] }) => c.changes.includes('撤销一票否决');

onEachBackend('corrections', (backend) => {
  let db: Db;
  let published: RunRow;
  /** The village rule set with the birth-rate target lowered from 8‰ to 6‰, stored as version 2024.2. */
  let stricter: string;

  before(async () => {
    db = await openStore(await backend.fresh('demo'));
    published = (await db('runs').where({ period_id: '2023', track: 'village', status: 'published' }).first())!;
    const shipped = (await latestRuleVersion(db, 'village-annual'))!;
    const source = withLabel(shipped.source.replace('"target": 8,', '"target": 6,'), '2024.3');
    const { ruleset, warnings } = loadRuleSet(source, 'stricter.json', ruleSchema());
    const bytes = Buffer.from(source, 'utf8');
    stricter = await saveRuleVersion(db, { file: 'stricter.json', bytes, sha256: sha256(bytes), ruleset, warnings }, 'admin');
    // Every village has an account, to see who is told.
    for (let n = 2; n <= 18; n++) {
      const id = `v${String(n).padStart(2, '0')}`;
      if (id !== 'v09') await addUser(db, { username: `${id}-clerk`, role: 'village', unitId: id, displayName: id }, 'test');
    }
  });
  after(async () => { await db?.destroy(); });

  it('refuses a correction without a reason, of a draft, or with a version of another rule set', async () => {
    expect(await refusal(createCorrection(db, { runId: published.id, reason: '  \n ', by: 'leader' }))).to.equal('CORRECTION_REASON_REQUIRED');
    expect(await refusal(createRun(db, { periodId: '2023', by: 'leader', corrects: published.id })), 'as the command line asks it').to.equal('CORRECTION_REASON_REQUIRED');
    expect(await refusal(createCorrection(db, { runId: published.id, reason: 'x'.repeat(501), by: 'leader' }))).to.equal('CORRECTION_REASON_TOO_LONG');
    const draft = (await db('runs').where({ period_id: '2024', track: 'village', status: 'draft' }).first())!;
    expect(await refusal(createCorrection(db, { runId: draft.id, reason: '复核', by: 'leader' }))).to.equal('NOT_CORRECTABLE');
    expect(await createCorrection(db, { runId: draft.id, reason: '复核', by: 'leader' }).catch((e: Error) => e.message), 'said why, as the form says it').to.equal(correctionRefusal(draft)).and.to.contain('还是草稿');
    expect(correctionRefusal({ id: 5, status: 'superseded', superseded_by: 7 })).to.contain('已被第7号更正').and.to.contain('请更正第7号');
    expect(correctionRefusal({ id: 5, status: 'discarded', superseded_by: null })).to.contain('已作废');
    expect(correctionRefusal({ id: 5, status: 'final', superseded_by: null })).to.equal(null);
    const staff = (await latestRuleVersion(db, 'staff-annual'))!;
    expect(await refusal(createCorrection(db, { runId: published.id, reason: '复核', ruleSha: staff.sha256, by: 'leader' }))).to.equal('RULE_VERSION_NOT_OF_SET');
    expect(await refusal(createCorrection(db, { runId: published.id, reason: '复核', ruleSha: 'not-a-sha', by: 'leader' }))).to.equal('RULE_VERSION_NOT_OF_SET');
  });

  it('scores a correction with the corrected run’s own rule version unless another is picked, keeping the reason', async () => {
    const own = await createCorrection(db, { runId: published.id, reason: '  复核无误  ', by: 'leader' });
    expect(own).to.include({ rule_sha256: published.rule_sha256, supersedes_id: published.id, note: '复核无误', status: 'draft', period_id: '2023', track: 'village' });
    const [audit] = await db('audit_log').where({ action: 'run.correct', subject: `run ${own.id}` });
    expect(JSON.parse(audit.detail)).to.include({ corrects: published.id, note: '复核无误', ownRules: true });
    expect(correctionReason('\u202e复核\u2066无误\u0007\r\n第二行'), 'no mark turns the text around').to.equal('复核无误\n第二行');
    expect((await latestRuleVersion(db, 'village-annual'))!.sha256, 'a newer version exists, and is not used').to.equal(stricter);
    const picked = await createCorrection(db, { runId: published.id, reason: '细则修改', ruleSha: stricter, by: 'leader' });
    expect(picked.rule_sha256).to.equal(stricter);
  });

  it('lists nothing, in either part, for a correction of the same data with the same version, and says the rules were the same', async () => {
    const run = await createCorrection(db, { runId: published.id, reason: '复核', by: 'leader' });
    const split = (await correctionChanges(db, run))!;
    expect(split).to.deep.include({ sameRules: true, byData: [], byRules: [], unsplit: null, reason: '复核' });
    expect(split.rules).to.deep.equal(split.correctedRules);
    expect(split.rules.label).to.equal('2024.2');
  });

  it('lists a rule-only change under the rules, and nothing under the data', async () => {
    const run = await createCorrection(db, { runId: published.id, reason: '出生率目标调整', ruleSha: stricter, by: 'leader' });
    const split = (await correctionChanges(db, run))!;
    expect(split.sameRules).to.equal(false);
    expect(split.rules.label).to.equal('2024.3');
    expect(split.correctedRules.label).to.equal('2024.2');
    expect(split.byData).to.deep.equal([]);
    expect(split.byRules.length).to.be.greaterThan(0);
    expect(split.byRules).to.deep.equal(await compareRuns(db, published.id, run.id));
  });

  it('lists a data-only change under the data, and nothing under the rules', async () => {
    await importInputs(db, { periodId: '2023', track: 'village', by: 'clerk', ...v09Fixed() });
    const run = await createCorrection(db, { runId: published.id, reason: '黄泥坳村数据更正', by: 'leader' });
    const split = (await correctionChanges(db, run))!;
    expect(split.sameRules).to.equal(true);
    expect(split.byRules).to.deep.equal([]);
    expect(split.byData.find((c) => c.unitId === 'v09')).to.satisfy(veto);
  });

  it('tells both apart when the data and the rules changed: the data part is the new data under the old rules', async () => {
    const dataOnly = await createCorrection(db, { runId: published.id, reason: '黄泥坳村数据更正', by: 'leader' });
    const both = await createCorrection(db, { runId: published.id, reason: '数据与细则一并更正', ruleSha: stricter, by: 'leader' });
    const split = (await correctionChanges(db, both))!;
    expect(split.byData, 'the same as the data-only correction').to.deep.equal((await correctionChanges(db, dataOnly))!.byData);
    expect(split.byData.find((c) => c.unitId === 'v09')).to.satisfy(veto);
    expect(split.byRules.length).to.be.greaterThan(0);
    expect(split.byRules.some(veto), 'the veto was lifted by the data, not the rules').to.equal(false);
    // Together the two parts lead from the corrected run to the correction.
    const all = await compareRuns(db, published.id, both.id);
    const ends = (changes: typeof all) => new Map(changes.map((c) => [c.unitId, c.after]));
    const afterRules = ends(split.byRules), afterData = ends(split.byData);
    for (const c of all) expect(afterRules.get(c.unitId) ?? afterData.get(c.unitId), c.unitId).to.deep.equal(c.after);
  });

  it('tells, when the correction is published, only the accounts of units whose rank, grade, veto or sanction changed', async () => {
    const both = await createCorrection(db, { runId: published.id, reason: '数据与细则一并更正', ruleSha: stricter, by: 'leader' });
    const before = new Map((await runResults(db, published.id)).units.map((u) => [u.id, u]));
    const changed = (await runResults(db, both.id)).units.filter((u) => standingChanged(before.get(u.id)!, u)).map((u) => u.id).sort();
    expect(changed).to.include('v09');
    expect(changed.length, 'some units kept their standing').to.be.below(18);
    await publishRun(db, both.id, 'leader');
    const told = await db('messages').join('users', 'users.id', 'messages.user_id').where('messages.kind', 'run.corrected')
      .select('users.unit_id as unit', 'messages.title as title', 'messages.link as link');
    expect(told.map((m: { unit: string }) => m.unit).sort()).to.deep.equal(changed);
    const v09 = told.find((m: { unit: string }) => m.unit === 'v09')!;
    expect(v09.title, 'the veto said once').to.match(/^本村结果已于\d{1,2}月\d{1,2}日更正：原第18名，不合格（一票否决）；现第\d+名，合格/);
    expect(v09.link).to.equal(`/units/v09?run=${both.id}`);
  });

  it('marks the corrected result on the unit’s scorecard and says on the correction what changed for the unit', async () => {
    const old = (await getRun(db, published.id))!;
    const { runs } = (await unitWithRuns(db, 'v09'))!;
    const correction = runs.find((r) => r.id === old.superseded_by)!;
    const onOld = await scorecardCorrections(db, runs, old, 'v09', false);
    expect(onOld.correctedBy).to.deep.equal({ id: correction.id });
    const onNew = await scorecardCorrections(db, runs, correction, 'v09', false);
    expect(onNew.correctedBy).to.equal(null);
    expect(onNew.lines).to.have.length(1);
    expect(onNew.lines[0]).to.match(/^本村结果已于\d{4}年\d{1,2}月\d{1,2}日更正：原第\d+名/);
    expect(onOld.lines, 'the corrected result says what its correction changed').to.deep.equal(onNew.lines);
  });

  it('words a change of standing as a township writes it', () => {
    const criticised = { rank: 17, grade: '合格', vetoed: false, sanctions: [{ label: '通报批评' }] } as never;
    const better = { rank: 16, grade: '合格', vetoed: false, sanctions: [] } as never;
    expect(correctionLine('village', criticised, better, '2024-12-03T02:00:00Z')).to.equal('本村结果已于2024年12月3日更正：原第17名，通报批评；现第16名');
    expect(correctionLine('staff', criticised, better, '2024-12-02T17:00:00Z', false), 'the day in China Standard Time').to.equal('本人结果已于12月3日更正：原第17名，通报批评；现第16名');
    const vetoed = { rank: 18, grade: '不合格', vetoed: true, sanctions: [] } as never;
    expect(correctionLine('village', vetoed, better, '2024-12-03T02:00:00Z')).to.equal('本村结果已于2024年12月3日更正：原第18名，不合格，一票否决；现第16名，合格');
  });
});
