import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { insertRuleVersion, latestRuleVersion } from '../../src/db/queries/rule-versions.js';
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
});
