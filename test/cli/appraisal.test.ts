import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ROOT } from '../../src/paths.js';
import { ruleSet } from '../helpers.js';
import { tempDir } from '../support/temp.js';

const BIN = path.join(ROOT, 'bin', 'appraisal.js');

function appraisal(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the appraisal command', () => {
  const dir = tempDir('appraisal-cli-');
  const rulesFile = path.join(dir, 'rules.json');
  const rulesText = JSON.stringify(ruleSet({
    inputs: { s: { label: '得分', type: 'number', min: 0, max: 100 } },
    items: [{ id: 'c', title: '得分项', points: 100, award: { method: 'manual', input: 's' } }],
    ranking: { sanctions: [{ place: -1, outcome: 'veto', label: '一票否决' }] },
  }), null, 2);
  writeFileSync(rulesFile, rulesText);
  const dataFile = path.join(dir, 'data.csv');
  writeFileSync(dataFile, 'id,name,parent,得分,备注\nv1,甲村,t1,90.25,x\nv2,乙村,t1,80,\n');

  it('checks a valid rule file with exit 0', () => {
    const r = appraisal('check', rulesFile);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('规则有效');
  });

  it('refuses an invalid rule file with exit 1, naming file, line, column and code on stderr', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, rulesText.replace('"points": 100,\n      "award"', '"points": 90,\n      "award"'));
    const r = appraisal('check', bad);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/bad\.json:5:\d+ \/totalPoints \[TOTAL_POINTS_MISMATCH\]/);
  });

  it('refuses a rule file that never ends (/dev/zero) or is a folder, at once and naming it, with exit 1', () => {
    for (const [file, said] of [['/dev/zero', 'RULE_FILE_TOO_LARGE'], [dir, '这是一个文件夹，不是文件']]) {
      if (file === '/dev/zero' && process.platform === 'win32') continue;
      const r = appraisal('check', file);
      expect(r.code, file).to.equal(1);
      expect(r.stderr, file).to.contain(said).and.to.contain(file);
    }
  });

  it('refuses a data file that is a folder or not there, naming it, with exit 2 and no stack', () => {
    for (const file of [dir, path.join(dir, 'none.csv')]) {
      const r = appraisal('score', rulesFile, file);
      expect(r.code, file).to.equal(2);
      expect(r.stderr, file).to.contain('DATA_FILE_UNREADABLE').and.not.to.contain('    at ');
    }
  });

  it('scores to the JSON of RULES.md §6, with the sha256 of the rule file', () => {
    const r = appraisal('score', rulesFile, dataFile, '--format', 'json');
    expect(r.code).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.ruleset).to.deep.equal({ id: 't', version: '1', sha256: createHash('sha256').update(rulesText).digest('hex') });
    expect(out.units.map((u: { id: string; total: number; rank: number }) => [u.id, u.total, u.rank])).to.deep.equal([['v1', 90.3, 1], ['v2', 80, 2]]);
    expect(out.parents).to.deep.equal([{ id: 't1', sanctions: [] }]);
    expect(r.stderr).to.contain('备注');
  });

  it('prints a readable ranking table and a CSV', () => {
    const table = appraisal('score', rulesFile, dataFile);
    expect(table.stdout).to.match(/1\s+甲村（v1）\s+t1\s+90\.3/);
    expect(table.stdout).to.contain('一票否决');
    const csv = appraisal('score', rulesFile, dataFile, '--format', 'csv');
    expect(csv.stdout.split('\r\n')[0]).to.match(/^\uFEFF排名,单位,上级单位,总分,/);
    expect(csv.stdout.split('\r\n')[1]).to.match(/^1,甲村,t1,90\.3,/);
  });

  it('refuses bad data with exit 2, every problem on stderr and nothing on stdout', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'id,得分\nv1,abc\nv1,120\n');
    const r = appraisal('score', rulesFile, bad, '--format', 'json');
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('第2行').and.to.contain('[NOT_A_NUMBER]').and.to.contain('第3行').and.to.contain('[OUT_OF_RANGE]').and.to.contain('[DUPLICATE_UNIT_ID]');
  });

  it('refuses an invalid rule file when scoring with exit 1 and nothing on stdout', () => {
    const r = appraisal('score', path.join(dir, 'missing.json'), dataFile, '--format', 'json');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('[RULE_FILE_UNREADABLE]');
  });

  it('prints one unit’s scorecard clause by clause', () => {
    const r = appraisal('scorecard', rulesFile, dataFile, 'v2');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('乙村（v2）').and.to.contain('得分项').and.to.contain('与上一名相差 10.3 分');
  });

  it('tells a unit a veto put below a lower total so, not as a negative gap', () => {
    const vetoRules = path.join(dir, 'veto.json');
    writeFileSync(vetoRules, JSON.stringify(ruleSet({
      inputs: { s: { label: '得分', type: 'number', min: 0, max: 100 }, bad: { label: '违法生育数', type: 'integer', min: 0 } },
      items: [{ id: 'c', title: '得分项', points: 100, award: { method: 'manual', input: 's' } }],
      vetoes: [{ id: 'policy', title: '有违法生育的实行一票否决', when: 'bad > 0' }],
    })));
    const vetoData = path.join(dir, 'veto.csv');
    writeFileSync(vetoData, 'id,name,parent,得分,违法生育数\nv1,甲村,t1,90,1\nv2,乙村,t1,80,0\n');
    const r = appraisal('scorecard', vetoRules, vetoData, 'v1');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('因一票否决列于上一名之后').and.to.contain('一票否决：有违法生育的实行一票否决').and.not.to.match(/-\d|policy/);
  });

  it('has --help on every command and exits 3 on wrong usage', () => {
    for (const cmd of ['check', 'score', 'scorecard', 'demo']) {
      const r = appraisal(cmd, '--help');
      expect(r.code, cmd).to.equal(0);
      expect(r.stdout, cmd).to.contain('Usage');
    }
    expect(appraisal('score', rulesFile).code).to.equal(3);
    expect(appraisal('score', rulesFile, dataFile, '--format', 'xml').code).to.equal(3);
  });
});
