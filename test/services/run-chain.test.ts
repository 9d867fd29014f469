import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { runSources } from '../../src/db/queries/run-sources.js';
import { listRuns } from '../../src/db/queries/runs.js';
import { setAssessmentDisabled } from '../../src/services/assessments.js';
import { chainMade, chainOptions, createRunWithSources, sourceChain } from '../../src/services/run-chain.js';
import { RunRefused } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/**
 * An assessment scored with what it reads (issue 20: any number of assessments, not two tracks): the
 * 综合考核 after its 专项考核 and 计生, 双线考核 after the villages; a source already 公示中 or 已定稿
 * is read as it is, not scored again.
 */

const titles = (chain: Array<{ assessment: { title: string }; periodId: string }>) => chain.map((s) => `${s.periodId} ${s.assessment.title}`);

onEachBackend('an assessment scored with its sources', function (backend) {
  this.timeout(120_000);
  let db: Db;
  beforeEach(async () => { db = await openStore(await backend.fresh('demo')); });
  afterEach(async () => { await db?.destroy(); });

  it('puts what an assessment reads before it, each once: 计生, 党建 and 安全生产 before the 综合考核, the villages before their staff', async () => {
    expect(titles(await sourceChain(db, 'a5', '2024', 'leader'))).to.have.members(['2024 村级千分考核', '2024 村级党建工作专项考核', '2024 村级安全生产专项考核', '2024 村级年度综合考核']);
    expect(titles(await sourceChain(db, 'a5', '2024', 'leader')).at(-1)).to.equal('2024 村级年度综合考核');
    expect(titles(await sourceChain(db, 'staff', '2024', 'leader'))).to.deep.equal(['2024 村级千分考核', '2024 双线考核（工作人员）']);
    expect(titles(await sourceChain(db, 'a3', '2024', 'leader'))).to.deep.equal(['2024 村级党建工作专项考核']);
  });

  it('offers to score together only the assessments that read others, naming what they read', async () => {
    const options = await chainOptions(db, 'leader', '2024');
    expect(options.map((o) => o.title)).to.deep.equal(['双线考核（工作人员）', '村级年度综合考核']);
    expect(options[1].sources).to.have.members(['村级千分考核', '村级党建工作专项考核', '村级安全生产专项考核']);
  });

  it('scores the 2024 sources that have no published result first, then the 综合考核, which reads the new drafts', async () => {
    const before = (await listRuns(db)).length;
    const made = await createRunWithSources(db, { periodId: '2024', track: 'a5', by: 'leader' });
    expect(made).to.have.length(4);
    expect(made.at(-1)!.track).to.equal('a5');
    expect(made.every((r) => r.period_id === '2024' && r.status === 'draft')).to.equal(true);
    expect((await listRuns(db)).length).to.equal(before + 4);
    const read = (await runSources(db, made.at(-1)!.id)).map((r) => r.source_run_id);
    expect(read).to.have.members(made.slice(0, -1).map((r) => r.id));
    expect(chainMade(made, (t) => (t === 'a5' ? '村级年度综合考核' : '专项'))).to.match(/^已生成第\d+号（2024年度专项）、.*第\d+号（2024年度村级年度综合考核）考核（草稿），请核对后分别发布$/);
  });

  it('reads the published 2023 results as they are and scores the 综合考核 alone', async () => {
    const made = await createRunWithSources(db, { periodId: '2023', track: 'a5', by: 'leader' });
    expect(made.map((r) => r.track)).to.deep.equal(['a5']);
  });

  it('leaves out a disabled source, and makes nothing for a disabled assessment', async () => {
    await setAssessmentDisabled(db, 'a3', true, 'admin');
    expect(titles(await sourceChain(db, 'a5', '2024', 'leader'))).to.not.include('2024 村级党建工作专项考核');
    expect(await sourceChain(db, 'a3', '2024', 'leader')).to.deep.equal([]);
    const refused = await createRunWithSources(db, { periodId: '2024', track: 'a3', by: 'leader' }).then(() => undefined, (e: unknown) => e);
    expect(refused).to.be.instanceOf(RunRefused);
    expect((refused as RunRefused).code).to.equal('ASSESSMENT_NOT_FOUND');
  });
});
