import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { reportCommand } from '../../src/cli/commands/report.js';
import { DATA_DIR, RULES_DIR } from '../../src/paths.js';
import { tempDir } from '../support/temp.js';

const RULES = path.join(RULES_DIR, 'half-year-analysis.json');
const DIR = path.join(DATA_DIR, 'seed-analysis');
const THIS = path.join(DIR, 'this-half-year.csv');
const LAST = path.join(DIR, 'last-year-same-period.csv');

/** Runs the command in this process, catching what it writes. */
function report(rules: string, data: string, compare: string | undefined, format: 'table' | 'json' | 'csv') {
  let stdout = '', stderr = '';
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = ((s: string) => { stdout += s; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { stderr += s; return true; }) as typeof process.stderr.write;
  let code: number;
  try {
    code = reportCommand(rules, data, compare, format);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code, stdout, stderr };
}

describe('the report command', () => {
  const dir = tempDir('appraisal-report-');

  it('prints the JSON rows, parents before children, with changes on last year', () => {
    const r = report(RULES, THIS, LAST, 'json');
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).to.deep.equal(['rows']);
    expect(Object.keys(out.rows[0])).to.deep.equal(['id', 'name', 'parent', 'depth', 'inputs', 'metrics', 'change']);
    expect(out.rows.map((x: { id: string }) => x.id)).to.deep.equal(['荷塘区', '01', '02', '03', '04', '05']);
    expect(out.rows[0]).to.deep.include({ id: '荷塘区', name: null, parent: null, depth: 0 });
    expect(out.rows[0].metrics).to.include({ birthRate: 4.85, contraceptionRate: 42.33, firstSexRatio: 98.7 });
    expect(out.rows[0].change).to.include({ births: 140, birthRate: 0.66, sexRatio: -22.12 });
  });

  it('gives a null change without --compare', () => {
    const out = JSON.parse(report(RULES, THIS, undefined, 'json').stdout);
    expect(out.rows.every((x: { change: unknown }) => x.change === null)).to.equal(true);
  });

  it('prints a table indented by depth, headed by the Chinese labels with their units', () => {
    const r = report(RULES, THIS, LAST, 'table');
    expect(r.code).to.equal(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('单位'))!;
    for (const h of ['总人口（人）', '出生率（‰）', '一孩率（%）', '出生性别比（女=100）', '期内长效节育措施落实率（%）']) expect(header).to.contain(h);
    expect(lines.find((l) => l.startsWith('荷塘区'))).to.match(/4\.85 \(\+0\.66\).*85\.42 \(-0\.17\).*98\.70 \(-23\.65\).*42\.33 \(-13\.31\)/);
    expect(lines.find((l) => l.startsWith('  仙庾镇（01）'))).to.contain('46.20');
  });

  it('prints a CSV with one column per input and metric and, with --compare, one per change', () => {
    const r = report(RULES, THIS, LAST, 'csv');
    expect(r.code).to.equal(0);
    const [header, district] = r.stdout.replace(/^\uFEFF/, '').split('\r\n').map((l) => l.split(','));
    expect(header.slice(0, 5)).to.deep.equal(['单位编号', '单位名称', '上级单位', '层级', '总人口（人）']);
    expect(district[header.indexOf('出生率（‰）')]).to.equal('4.85');
    expect(district[header.indexOf('出生率（‰）比去年同期')]).to.equal('0.66');
    expect(district[header.indexOf('一孩率（%）比去年同期')]).to.equal('-0.17');
    expect(district.slice(0, 4)).to.deep.equal(['荷塘区', '', '', '0']);
  });

  it('exits 2 with every problem on stderr and nothing on stdout when a check fails', () => {
    const r = report(RULES, path.join(DIR, 'this-half-year-as-printed.csv'), LAST, 'json');
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/this-half-year-as-printed\.csv: 第6行 “结扎数、上环数、长效节育措施已落实数”列 \[CHECK_FAILED\]/);
  });

  it('reports the problems of both data files at once', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'id,parent,总人口\nx,t,abc\n');
    const r = report(RULES, bad, bad, 'table');
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr.match(/\[NOT_A_NUMBER\]/g)).to.have.length(2);
    expect(r.stderr).to.contain('[MISSING_COLUMN]');
  });

  it('exits 2 on parents that loop', () => {
    const loop = path.join(dir, 'loop.json');
    const unit = (id: string, parent: string) => ({ id, parent, 总人口: 1, 出生人数: 0, 死亡人数: 0, 一孩出生数: 0, 二孩出生数: 0, 出生男孩数: 0, 出生女孩数: 0, 一孩男孩数: 0, 一孩女孩数: 0, 二孩男孩数: 0, 二孩女孩数: 0, 补报出生数: 0, 补报计划内出生数: 0, 补报违法生育数: 0, 长效节育措施应落实数: 0, 长效节育措施已落实数: 0, 结扎数: 0, 上环数: 0 });
    writeFileSync(loop, JSON.stringify([unit('a', 'b'), unit('b', 'a')]));
    const r = report(RULES, loop, undefined, 'json');
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('[PARENT_CYCLE]');
  });

  it('exits 1 on an invalid rule file, before reading any data', () => {
    const bad = path.join(dir, 'rules.json');
    writeFileSync(bad, '{ "id": "x" ');
    const r = report(bad, THIS, undefined, 'json');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('[JSON_SYNTAX]');
  });
});
