import { expect } from 'chai';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { markPublished } from '../../src/db/queries/runs.js';
import { DEMO_DIR } from '../../src/paths.js';
import { addWorkingDays, today } from '../../src/services/review-period.js';
import { onEachBackend } from '../support/backends.js';
import { appraisalSync } from '../support/cli.js';

interface RunJson {
  id: number; period: string; track: string; state: string; stateTitle: string; reviewUntil: string | null;
  publishedAt: string | null; finalizedAt: string | null; supersedes: number | null; supersededBy: number | null;
}

onEachBackend('publish, finalize and discard on the command line (issue 19, point 1)', function (backend) {
  let config: Config;
  const cli = (...args: string[]) => appraisalSync(config, args);
  const runs = (): RunJson[] => JSON.parse(cli('runs', '--format', 'json').stdout);
  const newRun = () => /第(\d+)号考核/.exec(cli('run', '2023', '--by', 'leader').stdout)![1];
  this.timeout(120_000);
  before(async () => {
    config = await backend.fresh('none');
    expect(cli('import', '2023', path.join(DEMO_DIR, 'villages-2023.csv'), '--by', 'clerk').code).to.equal(0);
  });

  it('refuses a 公示 deadline that is not a date or is past, with exit 4, and publishes nothing', () => {
    const id = newRun();
    for (const until of ['2020-01-01', '2024-02-30', 'tomorrow']) {
      const r = cli('publish', id, '--until', until, '--by', 'leader');
      expect(r.code, until).to.equal(4);
      expect(r.stderr).to.contain('[REVIEW_UNTIL_INVALID] 公示截止日期应为今天或以后的日期');
    }
    expect(runs().find((r) => r.id === Number(id))).to.include({ state: 'draft', stateTitle: '草稿', reviewUntil: null });
  });

  it('publishes with --until, and lists each run’s state and deadline as JSON', () => {
    const id = Number(runs()[0].id);
    const until = addWorkingDays(today(), 2);
    const r = cli('publish', String(id), '--until', until, '--by', 'leader');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/公示至\d{4}年\d+月\d+日（北京时间）/);
    const [run] = runs();
    expect(run).to.include({ id, period: '2023', track: 'village', state: 'review', stateTitle: '公示中', reviewUntil: until, finalizedAt: null, supersedes: null, supersededBy: null });
    expect(run.publishedAt).to.be.a('string');
  });

  it('refuses 定稿 during 公示 with exit 4', () => {
    const r = cli('finalize', String(runs()[0].id), '--by', 'leader');
    expect(r.code).to.equal(4);
    expect(r.stderr).to.match(/\[REVIEW_NOT_OVER\] 公示截止后（.+起）才能定稿/);
  });

  it('discards a draft, and refuses to discard it again or to discard a published run', () => {
    const id = newRun();
    expect(cli('discard', id, '--by', 'leader').code).to.equal(0);
    expect(runs().find((r) => r.id === Number(id))).to.include({ state: 'discarded', stateTitle: '已作废' });
    expect(cli('discard', id).code).to.equal(4);
    expect(cli('discard', String(runs().find((r) => r.state === 'review')!.id)).stderr).to.contain('[NOT_A_DRAFT]');
  });

  it('finalizes a run whose 公示 is over, and refuses a run that is not on record', async () => {
    // Another period, published with a 公示 long over (the database takes any date from a draft; the service only today or later).
    expect(cli('import', '2022', path.join(DEMO_DIR, 'villages-2023.csv'), '--by', 'clerk').code).to.equal(0);
    const id = Number(/第(\d+)号考核/.exec(cli('run', '2022', '--by', 'leader').stdout)![1]);
    const db = await openDatabase(config);
    try { await markPublished(db, id, 'leader', new Date().toISOString(), '2022-12-30'); } finally { await db.destroy(); }
    expect(runs().find((r) => r.id === id)!.state).to.equal('review-ended');
    const r = cli('finalize', String(id), '--by', 'leader');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`第${id}号考核已定稿`);
    const run = runs().find((x) => x.id === id)!;
    expect(run).to.include({ state: 'final', stateTitle: '已定稿' });
    expect(run.finalizedAt).to.be.a('string');
    expect(cli('finalize', String(id)).stderr).to.contain('[ALREADY_FINAL]');
    expect(cli('finalize', '999').code).to.equal(4);
  });
});
