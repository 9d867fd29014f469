import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { insertRuleVersion, latestRuleVersion, latestRuleVersionSha } from '../../src/db/queries/rule-versions.js';
import { compiledVersion, RuleVersionNotFound } from '../../src/services/rule-versions.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** Stored rule versions, read once and then from memory: only what the database really holds. */

onEachBackend('a stored rule version read again', (backend) => {
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  it('reads the same version and compiled rule set the second time as the first', async () => {
    const shipped = (await latestRuleVersion(db, 'village-annual'))!;
    const first = await compiledVersion(db, shipped.sha256);
    const second = await compiledVersion(db, shipped.sha256);
    expect(second.row).to.deep.equal(shipped);
    expect(second.ruleset).to.equal(first.ruleset);
  });

  it('does not remember a version read inside a transaction that is then rolled back', async () => {
    const shipped = (await latestRuleVersion(db, 'village-annual'))!;
    const sha = 'f'.repeat(64);
    const rolledBack = new Error('rolled back');
    let seen = '';
    try {
      await db.transaction(async (tx) => {
        await insertRuleVersion(tx, { ...shipped, sha256: sha, version: 'never-kept' });
        seen = (await compiledVersion(tx, sha)).row.version;
        throw rolledBack;
      });
    } catch (e) {
      if (e !== rolledBack) throw e;
    }
    expect(seen).to.equal('never-kept');
    let refused: unknown;
    try { await compiledVersion(db, sha); } catch (e) { refused = e; }
    expect(refused).to.be.instanceOf(RuleVersionNotFound);
  });

  it('names the newest version by its hash alone, as the newest row has it, and none for a rule set it does not hold (a version is never taken back: last)', async () => {
    const shipped = (await latestRuleVersion(db, 'village-annual'))!;
    expect(await latestRuleVersionSha(db, 'village-annual')).to.equal(shipped.sha256);
    const newer = { ...shipped, sha256: 'e'.repeat(64), version: 'newer', imported_at: '2099-01-01T00:00:00.000Z' };
    await insertRuleVersion(db, newer);
    expect(await latestRuleVersionSha(db, 'village-annual')).to.equal(newer.sha256);
    expect((await latestRuleVersion(db, 'village-annual'))!.sha256).to.equal(newer.sha256);
    expect(await latestRuleVersionSha(db, 'no-such-rules')).to.equal(undefined);
  });
});
