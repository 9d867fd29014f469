import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import {
  addAssessment, allAssessments, assessmentOfRuleSet, assessmentOptions, assessmentTitle, countOf, defaultRuleSet, isAssessment,
  listAssessments, moveAssessment, renameAssessment, ruleSetChoices, setAssessmentDisabled,
} from '../../src/services/assessments.js';
import { auditTrailPage, readAuditQuery } from '../../src/services/audit-trail.js';
import { saveUnitInputs } from '../../src/services/entry.js';
import { createRun, verifyRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/**
 * Assessments as data (issue 20, point 2): the list the admin keeps, what it refuses (hostile
 * titles, duplicates, a rule set for the other kind of unit), the audit entries in words, and
 * what a new assessment is: data entered, a run made and verified, under its own id.
 */

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

/** The demo township's assessments: 计生, staff, the 党建 and 安全生产 专项考核, the 综合考核. */
const DEMO = ['village', 'staff', 'a3', 'a4', 'a5'];

onEachBackend('assessments kept by the admin (issue 20, point 2)', function (backend) {
  this.timeout(120_000);
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  it('lists the demo township’s assessments in order, with their titles, rule sets and how their units are counted', async () => {
    expect((await listAssessments(db)).map((a) => [a.id, a.title, a.unit_kind, a.ruleset_id])).to.deep.equal([
      ['village', '村级千分考核', 'village', 'village-annual'],
      ['staff', '双线考核（工作人员）', 'staff', 'staff-annual'],
      ['a3', '村级党建工作专项考核', 'village', 'village-party'],
      ['a4', '村级安全生产专项考核', 'village', 'village-safety'],
      ['a5', '村级年度综合考核', 'village', 'village-composite'],
    ]);
    expect(await assessmentTitle(db, 'staff')).to.equal('双线考核（工作人员）');
    expect(await defaultRuleSet(db, 'village')).to.equal('village-annual');
    expect(await countOf(db, 'village', 18)).to.equal('18个');
    expect(await countOf(db, 'staff', 26)).to.equal('26人');
    expect((await assessmentOptions(db, 'staff')).slice(0, 3)).to.deep.equal([
      { id: 'village', name: '村级千分考核', selected: false }, { id: 'staff', name: '双线考核（工作人员）', selected: true },
      { id: 'a3', name: '村级党建工作专项考核', selected: false },
    ]);
  });

  it('knows no assessment by a name that is none, a prototype’s included', async () => {
    for (const id of ['constructor', '__proto__', 'toString', 'both', '', 'VILLAGE']) {
      expect(await isAssessment(db, id), id).to.equal(false);
      expect(await assessmentTitle(db, id), id).to.equal(undefined);
    }
    expect(await isAssessment(db, ['village'])).to.equal(false);
  });

  it('offers the shipped rule sets of the kind of unit asked for, by title', () => {
    expect(ruleSetChoices('village').map((r) => r.id)).to.include('village-annual').and.not.include('staff-annual');
    expect(ruleSetChoices('staff').map((r) => r.id)).to.deep.equal(['staff-annual']);
    expect(ruleSetChoices('__proto__')).to.deep.equal([]);
  });

  it('adds an assessment at the end with an id of its own, trimmed, and writes assessment.add', async () => {
    const row = await addAssessment(db, { title: '  安全生产专项考核 ', unitKind: 'village', rulesetId: 'village-annual' }, 'admin');
    expect(row).to.deep.equal({ id: 'a6', title: '安全生产专项考核', unit_kind: 'village', ruleset_id: 'village-annual', position: 6, disabled_at: null });
    expect((await listAssessments(db)).map((a) => a.id)).to.deep.equal([...DEMO, 'a6']);
    const [entry] = await auditEntries(db, { action: 'assessment.add', limit: 1 });
    expect(entry).to.include({ actor: 'admin', subject: 'a6' });
  });

  const refusals: Array<[string, { title: string; unitKind: string; rulesetId: string }, string]> = [
    ['an empty title', { title: '   ', unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_EMPTY'],
    ['a title of 2,000 characters', { title: '考'.repeat(2000), unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_TOO_LONG'],
    ['a title of 41 characters', { title: '考'.repeat(41), unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_TOO_LONG'],
    ['a title with a right-to-left mark', { title: '党建\u202e考核', unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_INVALID'],
    ['a title with an invisible space', { title: '安全\u200b生产专项考核', unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_INVALID'],
    ['a title with a line break', { title: '党建\n考核', unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_INVALID'],
    ['a title another assessment has', { title: '村级千分考核', unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_TAKEN'],
    ['a title just added', { title: '安全生产专项考核', unitKind: 'village', rulesetId: 'village-annual' }, 'ASSESSMENT_TITLE_TAKEN'],
    ['an unknown kind of unit', { title: '党建考核', unitKind: '__proto__', rulesetId: 'village-annual' }, 'ASSESSMENT_KIND_INVALID'],
    ['a rule set for the other kind of unit', { title: '党建考核', unitKind: 'village', rulesetId: 'staff-annual' }, 'ASSESSMENT_RULESET_INVALID'],
    ['a rule set that is not shipped', { title: '党建考核', unitKind: 'village', rulesetId: '../village-annual' }, 'ASSESSMENT_RULESET_INVALID'],
  ];
  for (const [what, input, code] of refusals) {
    it(`refuses ${what} (${code}) and adds nothing`, async () => {
      const before = (await allAssessments(db)).length;
      expect(await refusal(addAssessment(db, input, 'admin'))).to.equal(code);
      expect((await allAssessments(db)).length).to.equal(before);
    });
  }

  it('renames an assessment, refusing a title another has, and says both names in the audit trail', async () => {
    expect(await refusal(renameAssessment(db, 'a6', '双线考核（工作人员）', 'admin'))).to.equal('ASSESSMENT_TITLE_TAKEN');
    expect(await refusal(renameAssessment(db, 'a6', '\u2067安全\u2069', 'admin'))).to.equal('ASSESSMENT_TITLE_INVALID');
    expect(await refusal(renameAssessment(db, 'nope', '新名', 'admin'))).to.equal('ASSESSMENT_NOT_FOUND');
    await renameAssessment(db, 'a6', '安全生产考核', 'admin');
    expect(await assessmentTitle(db, 'a6')).to.equal('安全生产考核');
    const page = await auditTrailPage(db, await readAuditQuery(db, { action: 'assessment' }));
    expect(page.lines.map((l) => `${l.action}：${l.concerns}`)).to.include('考核改名：考核原名“安全生产专项考核”，改为“安全生产考核”');
    expect(page.lines.map((l) => l.action)).to.include('新增考核');
  });

  it('moves an assessment up and down, and leaves one at either end where it is', async () => {
    await moveAssessment(db, 'a6', -1, 'admin');
    expect((await listAssessments(db)).map((a) => a.id)).to.deep.equal(['village', 'staff', 'a3', 'a4', 'a6', 'a5']);
    await moveAssessment(db, 'village', -1, 'admin');
    await moveAssessment(db, 'a5', 1, 'admin');
    expect((await listAssessments(db)).map((a) => a.id)).to.deep.equal(['village', 'staff', 'a3', 'a4', 'a6', 'a5']);
    await moveAssessment(db, 'a6', 1, 'admin');
    expect((await listAssessments(db)).map((a) => a.id)).to.deep.equal([...DEMO, 'a6']);
  });

  it('keeps a title with markup or braces as the text it is', async () => {
    const row = await addAssessment(db, { title: '<script>alert(1)</script>{{x}}', unitKind: 'staff', rulesetId: 'staff-annual' }, 'admin');
    expect(await assessmentTitle(db, row.id)).to.equal('<script>alert(1)</script>{{x}}');
    await setAssessmentDisabled(db, row.id, true, 'admin');
  });

  it('takes data and makes a run under the new assessment, apart from the village assessment’s, and the run verifies', async () => {
    // v01's 2024 village inputs, entered by the form for March 2024 under the new assessment.
    const own = await db('inputs').where({ period_id: '2024', track: 'village', unit_id: 'v01' }).first();
    const cells = Object.fromEntries(Object.entries(JSON.parse(own.input_values) as Record<string, unknown>)
      .map(([k, v]) => [k, typeof v === 'boolean' ? (v ? '是' : '否') : String(v)]));
    const saved = await saveUnitInputs(db, { periodId: '2024M03', track: 'a6', unitId: 'v01', cells, by: 'admin' });
    expect(saved).to.include({ periodId: '2024M03', track: 'a6', unitId: 'v01' });
    expect((await db('inputs').where({ period_id: '2024M03' })).map((r: { track: string }) => r.track)).to.deep.equal(['a6']);
    expect((await db('periods').where({ id: '2024M03' }).first()).kind).to.equal('month');
    expect(await refusal(saveUnitInputs(db, { periodId: '2024M03', track: 'constructor', unitId: 'v01', cells, by: 'admin' }))).to.equal('ENTRY_REFUSED');
    // The demo's 2024 village inputs copied under the new assessment: a run of its own, verified.
    const village = await db('inputs').where({ period_id: '2024', track: 'village' });
    for (const r of village) await db('inputs').insert({ ...r, track: 'a6' });
    const run = await createRun(db, { periodId: '2024', track: 'a6', by: 'admin' });
    expect(run.track).to.equal('a6');
    expect((await verifyRun(db, run.id)).identical).to.equal(true);
  });

  it('refuses a run of an assessment that is none, and of one scored by a rule set for the other kind of unit', async () => {
    expect(await refusal(createRun(db, { periodId: '2024', track: 'constructor', by: 'admin' }))).to.equal('ASSESSMENT_NOT_FOUND');
    expect(await refusal(createRun(db, { periodId: '2024', track: 'a6', rules: 'staff-annual', by: 'admin' }))).to.equal('TRACK_MISMATCH');
  });

  it('disables an assessment: no longer listed nor offered, its title kept for its runs; never the last one in use', async () => {
    await setAssessmentDisabled(db, 'a6', true, 'admin');
    expect((await listAssessments(db)).map((a) => a.id)).to.deep.equal(DEMO);
    expect(await isAssessment(db, 'a6')).to.equal(false);
    expect(await assessmentTitle(db, 'a6')).to.equal('安全生产考核');
    expect(await refusal(createRun(db, { periodId: '2024', track: 'a6', by: 'admin' }))).to.equal('ASSESSMENT_NOT_FOUND');
    for (const id of DEMO.slice(1)) await setAssessmentDisabled(db, id, true, 'admin');
    expect(await refusal(setAssessmentDisabled(db, 'village', true, 'admin'))).to.equal('ASSESSMENT_LAST');
    for (const id of DEMO.slice(1)) await setAssessmentDisabled(db, id, false, 'admin');
    await setAssessmentDisabled(db, 'a6', false, 'admin');
    expect((await listAssessments(db)).map((a) => a.id)).to.deep.equal([...DEMO, 'a6']);
    expect((await auditEntries(db, { action: 'assessment.disable', limit: 5 })).map((e) => e.subject)).to.include.members(['a6', 'staff']);
  });

  it('finds the assessment of a rule set: the first in use scored by it, and `village` by its id', async () => {
    expect((await assessmentOfRuleSet(db, 'village-annual'))?.id).to.equal('village');
    expect((await assessmentOfRuleSet(db, 'village'))?.id).to.equal('village');
    expect(await assessmentOfRuleSet(db, 'half-year-analysis')).to.equal(undefined);
  });
});
