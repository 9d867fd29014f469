import { expect } from 'chai';
import type { Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { BACKENDS } from '../support/backends.js';
import { appraisalSync } from '../support/cli.js';

/** `appraisal user …`: the same service as the 账号 page, so the same refusals and audit entries (issue 19, point 5). */
describe('accounts on the command line', function () {
  this.timeout(120_000);
  let config: Config;
  const cli = (...args: string[]) => appraisalSync(config, args);
  before(async () => { config = await BACKENDS[0].fresh('demo'); });

  it('adds a village account bound to its village, lists it with the village by name, and writes account.add', async () => {
    const added = cli('user', 'add', 'taohua', '--role', 'village', '--unit', 'v03', '--name', '桃花村村委会', '--by', 'clerk');
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.match(/初始密码：\S{10,}/);
    const listed = cli('user', 'list');
    expect(listed.stdout).to.match(/taohua\s+桃花村村委会\s+村\s+桃花村（v03）\s+正常/);
    const db = await openDatabase(config);
    try {
      const [entry] = await auditEntries(db, { action: 'account.add', limit: 1 });
      expect(entry).to.include({ actor: 'clerk', subject: 'taohua', unit_id: 'v03' });
    } finally {
      await db.destroy();
    }
  });

  it('refuses a village account bound to a staff member, and disabling the last admin, with exit code 4', () => {
    const wrongKind = cli('user', 'add', 'x1', '--role', 'village', '--unit', 's01');
    expect(wrongKind.code).to.equal(4);
    expect(wrongKind.stderr).to.contain('[UNIT_KIND]');
    const last = cli('user', 'disable', 'admin', '--by', 'clerk');
    expect(last.code).to.equal(4);
    expect(last.stderr).to.contain('[LAST_ADMIN]');
  });
});
