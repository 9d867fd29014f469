import { expect } from 'chai';
import type { Config } from '../../src/config.js';
import { answerAppeal, fileAppeal } from '../../src/services/appeals.js';
import { openStore } from '../../src/services/store.js';
import { BACKENDS } from '../support/backends.js';
import { appraisalSync } from '../support/cli.js';
import { PDF } from '../support/appeals.js';

/** `appraisal appeals` (issue 19, point 1): the appeals on record, as JSON and as a table. */
describe('appraisal appeals', function () {
  this.timeout(60_000);
  let config: Config;
  before(async () => {
    config = await BACKENDS[0].fresh('demo');
    const db = await openStore(config);
    try {
      await fileAppeal(db, { runId: 1, unitId: 'v01', by: 'v01', items: [{ kind: 'clause', id: 'birth-rate' }], reason: '出生率统计有误', files: [{ name: '证明.pdf', content: PDF }] });
      const c = await fileAppeal(db, { runId: 1, unitId: 'v02', by: 'v02', items: [{ kind: 'input', id: 'births' }], reason: '出生数多算了一人', files: [] });
      await answerAppeal(db, { appealId: c.id, step: 'reject', text: '与户籍台账一致', by: 'leader' });
    } finally {
      await db.destroy();
    }
  });

  it('gives every appeal as JSON: run, unit and its name, items in words, reason, state, answer, who and when, files', () => {
    const out = appraisalSync(config, ['appeals', '--format', 'json']);
    expect(out.code, out.stderr).to.equal(0);
    const list = JSON.parse(out.stdout) as Array<Record<string, unknown>>;
    expect(list.map((a) => [a.id, a.state])).to.deep.equal([[1, 'open'], [2, 'rejected']]);
    expect(list[0]).to.include({ run: 1, unit: 'v01', unitName: '枫林村', reason: '出生率统计有误', filedBy: 'v01', answer: null });
    expect(list[0].items).to.deep.equal([{ kind: 'clause', id: 'birth-rate', title: '1.人口出生率控制在8‰以下' }]);
    expect((list[0].files as Array<Record<string, unknown>>)[0]).to.include({ name: '证明.pdf', type: 'application/pdf', size: PDF.length });
    expect(list[1]).to.include({ answer: '与户籍台账一致', answeredBy: 'leader', stateName: '已驳回' });
  });

  it('lists one run’s appeals as a table, and refuses a run that is no number', () => {
    const out = appraisalSync(config, ['appeals', '--run', '1']);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.contain('枫林村').and.to.contain('待答复').and.to.contain('证明.pdf');
    expect(appraisalSync(config, ['appeals', '--run', '3', '--format', 'json']).stdout.trim()).to.equal('[]');
    const bad = appraisalSync(config, ['appeals', '--run', 'x']);
    expect(bad.code).to.equal(3);
    expect(bad.stderr).to.contain('考核编号应为正整数');
  });
});
