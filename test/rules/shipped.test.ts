import { expect } from 'chai';
import { writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { appraise, sourceResultsOf, linkTable, RuleFileInvalid, scoreJson } from '../../src/engine/index.js';
import { readDataFile } from '../../src/io/data-file.js';
import { loadRuleLibrary } from '../../src/io/rule-library.js';
import { DEMO_DIR, RULES_DIR } from '../../src/paths.js';
import { tempDir } from '../support/temp.js';

describe('the shipped rule sets and the demo township', () => {
  const library = loadRuleLibrary();
  const village = library.get('village-annual')!;
  const staff = library.get('staff-annual')!;

  it('ships a valid village rule set of 1000 points and a staff rule set', () => {
    expect(village.ruleset.totalPoints).to.equal(1000);
    expect(village.ruleset.subject).to.equal('village');
    expect(staff.ruleset.subject).to.equal('staff');
    expect(village.warnings).to.deep.equal([]);
    expect(staff.warnings).to.deep.equal([]);
  });

  it('carries all twelve indicators of the seed as metrics or inputs', () => {
    const labels = [...village.ruleset.metrics.map((m) => m.label), ...village.ruleset.inputs.map((i) => i.label)].join(' ');
    for (const word of ['出生率', '二孩', '多孩', '出生统计', '信息库', '落实率', '及时率', '办证率', '合同', '寄回率', '参检率', '社会抚养费']) {
      expect(labels, word).to.contain(word);
    }
  });

  for (const year of ['2023', '2024']) {
    it(`scores the demo villages of ${year}: at least 15, the last vetoed, the second-to-last criticised`, () => {
      const result = appraise(village.ruleset, readDataFile(path.join(DEMO_DIR, `villages-${year}.csv`)));
      expect(result.units.length).to.be.at.least(15);
      const levels = [...new Set(result.units.map((u) => u.rank))];
      const last = result.units.filter((u) => u.rank === levels[levels.length - 1]);
      expect(last.every((u) => u.vetoed && u.sanctions.some((s) => s.outcome === 'veto'))).to.equal(true);
      const secondLast = result.units.filter((u) => u.rank === levels[levels.length - 2]);
      expect(secondLast.every((u) => u.sanctions.some((s) => s.outcome === 'criticism'))).to.equal(true);
    });

    it(`scores the demo staff of ${year}, linked to the villages they serve`, () => {
      const villages = sourceResultsOf(village.ruleset, appraise(village.ruleset, readDataFile(path.join(DEMO_DIR, `villages-${year}.csv`))));
      const table = linkTable(staff.ruleset, readDataFile(path.join(DEMO_DIR, `staff-${year}.csv`)), 'village', villages, 'villages');
      const result = appraise(staff.ruleset, table);
      expect(result.units.length).to.be.at.least(15);
    });
  }

  it('has a policy-external birth that vetoes its village and makes the township liable (2023)', () => {
    const result = appraise(village.ruleset, readDataFile(path.join(DEMO_DIR, 'villages-2023.csv')));
    const vetoed = result.units.filter((u) => u.vetoes.length > 0);
    expect(vetoed).to.have.length(1);
    expect(result.parents.find((p) => p.id === vetoed[0].unit.parent)!.sanctions).to.not.be.empty;
  });

  it('has a tie in total and a village with nothing due on some indicator', () => {
    const json = scoreJson(village.ruleset, '', appraise(village.ruleset, readDataFile(path.join(DEMO_DIR, 'villages-2023.csv'))));
    const totals = json.units.map((u) => u.total);
    expect(new Set(totals).size).to.be.lessThan(totals.length);
    expect(json.units.some((u) => Object.values(u.values).some((v) => v === null))).to.equal(true);
  });

  it('refuses to start when any rule file is invalid, naming it', () => {
    const dir = tempDir('appraisal-rules-');
    copyFileSync(path.join(RULES_DIR, 'village-annual.json'), path.join(dir, 'village-annual.json'));
    writeFileSync(path.join(dir, 'broken.json'), '{ "id": "broken" ');
    let caught: unknown;
    try { loadRuleLibrary(dir); } catch (e) { caught = e; }
    expect(caught).to.be.instanceOf(RuleFileInvalid);
    expect((caught as RuleFileInvalid).problems.map((p) => [path.basename(p.file), p.code])).to.deep.equal([['broken.json', 'JSON_SYNTAX']]);
  });
});
