import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import { latestRuleVersion, listRuleVersions } from '../../src/db/queries/rule-versions.js';
import { loadRuleSet, RuleFileInvalid } from '../../src/engine/index.js';
import { ruleSchema, sha256 } from '../../src/io/rule-file.js';
import { saveRuleVersion } from '../../src/services/rule-versions.js';
import { openStore } from '../../src/services/store.js';
import { LABEL_TAKEN, nextLabel, proposedLabel, withLabel } from '../../src/services/version-labels.js';
import { DEMO_DIR } from '../../src/paths.js';
import { onEachBackend } from '../support/backends.js';
import { appraisalSync } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

/** Version labels: each version of a rule set holds its own; an edit is offered the next free one. */

describe('the next version label', () => {
  const cases: Array<{ label: string; taken: string[]; next: string }> = [
    { label: '2024.1', taken: ['2024.1'], next: '2024.2' },
    { label: '2024.1', taken: ['2024.1', '2024.2', '2024.3'], next: '2024.4' },
    { label: '2024.9', taken: [], next: '2024.10' },
    { label: '2024', taken: ['2024'], next: '2024.2' },
    { label: 'v1-final', taken: ['v1-final', 'v1-final.2'], next: 'v1-final.3' },
    { label: '2024.1.1', taken: [], next: '2024.1.2' },
  ];
  for (const c of cases) {
    it(`after ${c.label} with ${c.taken.join(', ') || 'nothing'} taken is ${c.next}`, () => {
      expect(nextLabel(c.label, c.taken)).to.equal(c.next);
    });
  }

  it('is written into the text’s version string alone, every other byte as it was', () => {
    const text = '{\n  "id": "x",\n  "version":   "2024.1",\n  "title": "version \\"2024.1\\""\n}\n';
    expect(withLabel(text, '2024.2')).to.equal('{\n  "id": "x",\n  "version":   "2024.2",\n  "title": "version \\"2024.1\\""\n}\n');
    expect(withLabel('{"version": "a\\"b", "id": 1}', '2')).to.equal('{"version": "2", "id": 1}');
    expect(withLabel('not json', '2'), 'a text that does not parse is left alone').to.equal('not json');
  });
});

onEachBackend('version labels on the record', (backend) => {
  let config: Config;
  let db: Db;
  let shipped: Awaited<ReturnType<typeof latestRuleVersion>> & object;
  /** The shipped rule set with the birth-rate target lowered, and the label given. */
  const edit = (label: string, target = 6) => {
    const source = withLabel(shipped.source.replace('"target": 8,', `"target": ${target},`), label);
    const { ruleset, warnings } = loadRuleSet(source, 'edited.json', ruleSchema());
    return { file: 'edited.json', bytes: Buffer.from(source, 'utf8'), sha256: sha256(Buffer.from(source, 'utf8')), ruleset, warnings };
  };
  before(async () => {
    config = await backend.fresh('none');
    db = await openStore(config);
    shipped = (await latestRuleVersion(db, 'village-annual'))!;
  });
  after(async () => { await db?.destroy(); });

  it('proposes the label after the one edited, skipping those held', async () => {
    expect(await proposedLabel(db, 'village-annual', shipped.version)).to.equal('2024.3');
    await saveRuleVersion(db, edit('2024.3'), 'admin');
    expect(await proposedLabel(db, 'village-annual', '2024.1')).to.equal('2024.4');
    // The staff rule set ships 2024.3 alone: 2024.2 is free there.
    expect(await proposedLabel(db, 'staff-annual', '2024.1'), 'labels are a rule set’s own').to.equal('2024.2');
  });

  it('refuses to store other bytes under a label another version holds, at /version, naming the proposal', async () => {
    const before = (await listRuleVersions(db, 'village-annual')).length;
    let refused: unknown;
    try { await saveRuleVersion(db, edit('2024.2', 5), 'admin'); } catch (e) { refused = e; }
    expect(refused).to.be.instanceOf(RuleFileInvalid);
    const [problem] = (refused as RuleFileInvalid).problems;
    expect(problem).to.include({ code: LABEL_TAKEN, pointer: '/version', file: 'edited.json', line: 3 });
    expect(problem.message).to.contain('2024.4');
    expect((await listRuleVersions(db, 'village-annual')).length).to.equal(before);
  });

  it('stores one of two different versions saved at once under one new label, and refuses the other with the code', async () => {
    const outcomes = await Promise.allSettled([saveRuleVersion(db, edit('2024.9', 3), 'admin'), saveRuleVersion(db, edit('2024.9', 2), 'leader')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    const [refused] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.reason).to.be.instanceOf(RuleFileInvalid);
    expect((refused.reason as RuleFileInvalid).problems[0]).to.include({ code: LABEL_TAKEN, pointer: '/version', line: 3 });
    expect((await listRuleVersions(db, 'village-annual')).filter((v) => v.version === '2024.9')).to.have.length(1);
  });

  it('stores the same bytes again as the one version they are', async () => {
    const again = edit('2024.3');
    expect(await saveRuleVersion(db, again, 'admin')).to.equal(again.sha256);
  });

  it('refuses a rule file whose label is taken on the command line: exit 1 with the code and its place', async () => {
    await db.destroy();
    try {
      const dir = tempDir('appraisal-labels-');
      const file = path.join(dir, 'village-edited.json');
      writeFileSync(file, edit('2024.2', 4).bytes);
      const run = appraisalSync(config, ['import', '2024', path.join(DEMO_DIR, 'villages-2024.csv'), '--rules', file, '--by', 'clerk']);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.match(/village-edited\.json:3:\d+ \/version \[RULE_VERSION_LABEL_TAKEN\]/);
    } finally {
      db = await openStore(config);
    }
  });
});
