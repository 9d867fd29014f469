import { expect } from 'chai';
import { existsSync, linkSync, readdirSync, readFileSync, statSync, writeFileSync, openSync, writeSync, closeSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import type { Config } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { getUnit, listUnits } from '../../src/db/queries/units.js';
import { listRuns, verifyRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { addUnit } from '../../src/services/unit-records.js';
import { BACKENDS } from '../support/backends.js';
import { appraisalAsync, appraisalSync } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

/**
 * `appraisal backup FILE` while the record is open and written to, and `appraisal restore
 * FILE` into a fresh database and over an old one (issue 19, point 5): every run of the
 * restored record verifies; a file that is not a whole appraisal record is refused and the
 * record left as it was; a record still open is not replaced.
 */

const tmp = tempDir('appraisal-backup-cli-');
const sqliteConfig = (file: string): Config => ({ databaseFile: file, port: 0, seed: 'none' });

async function unitCount(config: Config): Promise<number> {
  const db = await openDatabase(config);
  try { return (await listUnits(db)).length; } finally { await db.destroy(); }
}

describe('backup and restore on the command line (issue 19, point 5)', function () {
  this.timeout(180_000);
  let source: Config;
  let db: Db;
  const backup = path.join(tmp, '千分考核备份.sqlite');

  before(async () => {
    source = await BACKENDS[0].fresh('demo');
    db = await openStore(source); // the "server": the record stays open while the backup is made
  });
  after(async () => { await db?.destroy(); });

  it('backs up the record while it is open and being written to, into a file that passes its integrity check', async () => {
    // Writes go on in this process while the command copies: the copy is one consistent moment of the record.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      // One statement each (as the server's session and audit writes are): each waits its turn for SQLite's one writer.
      while (writing) await db('audit_log').insert({ at: new Date().toISOString(), actor: 'writer', action: 'test.write', subject: String(++written), detail: null });
    })();
    const r = await appraisalAsync(source, ['backup', backup, '--by', 'clerk']);
    writing = false;
    await writer;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('已备份到');
    expect(statSync(backup).size).to.be.greaterThan(0);
    expect(readdirParts(tmp)).to.deep.equal([]);
    const check = sqliteConfig(backup);
    const copy = await openDatabase(check);
    try {
      // Whatever moment it caught, the copy holds a prefix of the writes: 1..N with no gap.
      const ws = (await auditEntries(copy, { action: 'test.write', limit: 1_000_000 })).map((e) => Number(e.subject)).sort((a, b) => a - b);
      expect(ws).to.deep.equal(ws.map((_, k) => k + 1));
      expect(ws.length).to.be.below(written);
    } finally {
      await copy.destroy();
    }
    const [entry] = await auditEntries(db, { action: 'backup.create', limit: 1 });
    expect(entry).to.include({ actor: 'clerk' });
  });

  it('restores the backup into a fresh database, where every run verifies', async () => {
    const target = sqliteConfig(path.join(tmp, 'fresh', 'appraisal.sqlite'));
    const r = appraisalSync(target, ['restore', backup, '--by', 'clerk']);
    expect(r.code, r.stderr).to.equal(0);
    const restored = await openDatabase(target);
    try {
      const runs = await listRuns(restored);
      expect(runs.length).to.be.greaterThan(0);
      expect(runs.map((run) => run.id)).to.deep.equal((await listRuns(db)).map((run) => run.id));
      for (const run of runs) expect((await verifyRun(restored, run.id)).identical, `run ${run.id}`).to.equal(true);
      const [entry] = await auditEntries(restored, { action: 'backup.restore', limit: 1 });
      expect(entry).to.include({ actor: 'clerk' });
    } finally {
      await restored.destroy();
    }
  });

  it('refuses to replace a record that is open (the server running) and leaves it as it was', async () => {
    const before = readFileSync(source.databaseFile);
    const r = appraisalSync(source, ['restore', backup]);
    expect(r.code).to.equal(4);
    expect(r.stderr).to.contain('[IN_USE]');
    expect(readFileSync(source.databaseFile).equals(before)).to.equal(true);
    expect(existsSync(`${source.databaseFile}.before-restore`)).to.equal(false);
  });

  it('replaces a closed record with the backup and keeps the one it replaced as *.before-restore', async () => {
    const target = sqliteConfig(path.join(tmp, 'old', 'appraisal.sqlite'));
    const old = await openStore(target);
    await addUnit(old, { id: 'only-in-old', name: '旧库才有', kind: 'township', parentId: null }, 'test');
    await old.destroy();
    const r = appraisalSync(target, ['restore', backup]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('before-restore');
    const restored = await openDatabase(target);
    try { expect(await getUnit(restored, 'only-in-old')).to.equal(undefined); } finally { await restored.destroy(); }
    const kept = await openDatabase(sqliteConfig(`${target.databaseFile}.before-restore`));
    try { expect(await getUnit(kept, 'only-in-old')).to.not.equal(undefined); } finally { await kept.destroy(); }
  });

  const bad: Array<[string, string, () => Promise<string>]> = [
    ['a file that is not a database', 'NOT_SQLITE', async () => {
      const f = path.join(tmp, 'notes.sqlite');
      writeFileSync(f, 'id,name\nv01,枫林村\n');
      return f;
    }],
    ['another program’s SQLite database', 'NOT_APPRAISAL', async () => {
      const f = path.join(tmp, 'other.sqlite');
      await new Promise<void>((resolve, reject) => {
        const c = new sqlite3.Database(f, (err) => (err ? reject(err) : c.exec('CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES (1);', (e) => (e ? reject(e) : c.close(() => resolve())))));
      });
      return f;
    }],
    ['a damaged backup', 'INTEGRITY', async () => {
      const f = path.join(tmp, 'damaged.sqlite');
      copyFileSync(backup, f);
      // Scribble over the pages after the first few: the header reads, the tree does not hold.
      const fd = openSync(f, 'r+');
      writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 4096 * 3);
      closeSync(fd);
      return f;
    }],
    ['a file that does not exist', 'BACKUP_NOT_FOUND', async () => path.join(tmp, 'missing.sqlite')],
  ];
  for (const [what, code, make] of bad) {
    it(`refuses to restore ${what} (${code}) and leaves the record as it was`, async () => {
      const target = sqliteConfig(path.join(tmp, `keep-${code}`, 'appraisal.sqlite'));
      const keep = await openStore(target);
      await keep.destroy();
      const before = readFileSync(target.databaseFile);
      const r = appraisalSync(target, ['restore', await make()]);
      expect(r.code, r.stderr).to.equal(4);
      expect(r.stderr).to.contain(`[${code}]`);
      expect(readFileSync(target.databaseFile).equals(before)).to.equal(true);
      expect(await unitCount(target)).to.equal(0);
    });
  }

  it('refuses to back up a record that is not there, making none, and writes a backup into a folder not yet made', async () => {
    const none = sqliteConfig(path.join(tmp, 'none', 'appraisal.sqlite'));
    const r = appraisalSync(none, ['backup', path.join(tmp, 'x.sqlite')]);
    expect(r.code).to.equal(4);
    expect(r.stderr).to.contain('[NO_DATABASE]');
    expect(existsSync(none.databaseFile)).to.equal(false);
    const deep = path.join(tmp, 'new', 'folder', '备份.sqlite');
    const made = appraisalSync(source, ['backup', deep]);
    expect(made.code, made.stderr).to.equal(0);
    expect(existsSync(deep)).to.equal(true);
  });

  it('refuses to write a backup over the open record, its write-ahead log, a link to it or a folder, and leaves the record whole', async () => {
    // Found by an outside attack: a backup renamed onto the live record left the server's log beside a file of another layout.
    await db('audit_log').insert({ at: new Date().toISOString(), actor: 'writer', action: 'test.write', subject: 'before', detail: null });
    const live = source.databaseFile;
    const link = path.join(tmp, 'link-to-record.sqlite');
    linkSync(live, link);
    for (const [target, code] of [[live, 'BACKUP_TARGET_IS_RECORD'], [`${live}-wal`, 'BACKUP_TARGET_IS_RECORD'], [link, 'BACKUP_TARGET_IS_RECORD'], [tmp, 'BACKUP_TARGET_FOLDER']] as const) {
      const r = appraisalSync(source, ['backup', target]);
      expect(r.code, target).to.equal(4);
      expect(r.stderr, target).to.contain(`[${code}]`);
    }
    const [{ integrity_check: verdict }] = await db.raw('PRAGMA integrity_check');
    expect(verdict).to.equal('ok');
    expect((await auditEntries(db, { action: 'test.write', limit: 1 }))[0].subject).to.equal('before');
  });

  it('says which file it cannot write, naming it, where the folder cannot be made', () => {
    const blocked = path.join(tmp, 'a-file');
    writeFileSync(blocked, 'x');
    const r = appraisalSync(source, ['backup', path.join(blocked, 'under-a-file.sqlite')]);
    expect(r.code).to.equal(4);
    expect(r.stderr).to.contain('[BACKUP_WRITE_FAILED]').and.to.contain('under-a-file.sqlite');
  });

  it('on PostgreSQL says to use pg_dump and pg_restore, for both commands', () => {
    const pg: Config = { databaseFile: '', databaseUrl: 'postgres://nobody:nothing@127.0.0.1:1/none', port: 0, seed: 'none' };
    for (const args of [['backup', path.join(tmp, 'x.sqlite')], ['restore', backup]]) {
      const r = appraisalSync(pg, args);
      expect(r.code, args[0]).to.equal(4);
      expect(r.stderr, args[0]).to.contain('pg_dump');
    }
  });
});

/** Temporary files a backup left behind beside its target. */
function readdirParts(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.part'));
}
