import { expect } from 'chai';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { backupSqlite, checkBackupFile } from '../../src/db/backup.js';
import { MIGRATION_NAMES, openDatabase, type Db } from '../../src/db/connection.js';
import { getRun } from '../../src/db/queries/runs.js';
import { getUnit } from '../../src/db/queries/units.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { renameUser } from '../../src/services/accounts.js';
import { correctionReason, MAX_REASON } from '../../src/services/corrections.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { latestReviewUntil, MAX_REVIEW_DAYS, today } from '../../src/services/review-period.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { addUnit, moveUnit, renameUnit } from '../../src/services/unit-records.js';
import { onEachBackend } from '../support/backends.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 19 attacked as the outside attack set does, before release: the 公示 deadline, unit
 * and account names, appeals and their evidence, each fed hostile input.
 */

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

/** Marks a person cannot see: each makes a name that reads as another's. */
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u061c'];

onEachBackend('issue 19 attacked (hardening)', function (backend) {
  this.timeout(120_000);
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  /** A draft of a new period of the demo villages' data. */
  let nextYear = 2050;
  async function draft(): Promise<number> {
    const period = String(nextYear++);
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'));
    await importInputs(db, { periodId: period, track: 'village', table: parseDataBytes(bytes, 'villages.csv'), fileBytes: bytes, by: 'test' });
    return (await createRun(db, { periodId: period, track: 'village', by: 'test' })).id;
  }

  describe('a 公示 deadline', () => {
    for (const until of ['2024-02-30', '9999-99-99', '3000-01-01', '2099-12-31', '', 'tomorrow', '2024-1-5', "2025-01-01' OR 1=1"]) {
      it(`is refused as “${until}”, and the run stays a draft`, async () => {
        const id = await draft();
        expect(await refusal(publishRun(db, id, 'leader', until))).to.equal('REVIEW_UNTIL_INVALID');
        expect((await getRun(db, id))!.status).to.equal('draft');
      });
    }

    it(`is taken up to ${MAX_REVIEW_DAYS} days from today and not a day more`, async () => {
      const last = latestReviewUntil();
      const next = new Date(`${last}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      const tooLate = await draft();
      expect(await refusal(publishRun(db, tooLate, 'leader', next.toISOString().slice(0, 10)))).to.equal('REVIEW_UNTIL_INVALID');
      const id = await draft();
      expect((await publishRun(db, id, 'leader', last)).run.review_until).to.equal(last);
    });

    it('says in Chinese, with the latest date taken, why a far deadline is refused', async () => {
      const id = await draft();
      try {
        await publishRun(db, id, 'leader', '3000-01-01');
        expect.fail('accepted');
      } catch (e) {
        expect((e as Error).message).to.match(/^公示期最长60天：截止日期不能晚于\d{4}年\d{1,2}月\d{1,2}日/).and.not.match(/[A-Za-z]/);
      }
    });

    it('is taken as today', async () => {
      const id = await draft();
      expect((await publishRun(db, id, 'leader', today())).run.review_until).to.equal(today());
    });
  });

  describe('a unit name', () => {
    for (const mark of INVISIBLE) {
      it(`with U+${mark.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is refused: it would read as a second unit of the same name`, async () => {
        const v01 = (await getUnit(db, 'v01'))!;
        const twin = [...v01.name].join(mark);
        expect(await refusal(addUnit(db, { id: `x${mark.codePointAt(0)}`, name: twin, kind: 'village', parentId: v01.parent_id }, 'admin'))).to.equal('UNIT_NAME_INVALID');
        expect(await refusal(renameUnit(db, 'v02', twin, 'admin'))).to.equal('UNIT_NAME_INVALID');
        expect((await getUnit(db, 'v02'))!.name).to.not.equal(twin);
      });
    }

    it('of its own, hostile but visible, is kept as written', async () => {
      await renameUnit(db, 'v03', '<script>{{x}}</script>村', 'admin');
      expect((await getUnit(db, 'v03'))!.name).to.equal('<script>{{x}}</script>村');
    });
  });

  describe('the unit tree', () => {
    it('refuses a village moved under another village, or a township under its own village, and leaves both where they were', async () => {
      const v01 = (await getUnit(db, 'v01'))!;
      expect(await refusal(moveUnit(db, 'v01', 'v02', 'admin'))).to.equal('PARENT_LEVEL');
      expect(await refusal(moveUnit(db, v01.parent_id!, 'v01', 'admin'))).to.be.oneOf(['PARENT_LEVEL', 'UNIT_CYCLE']);
      expect((await getUnit(db, 'v01'))!.parent_id).to.equal(v01.parent_id);
    });

    it('refuses a new village under a village, and takes a group under it', async () => {
      expect(await refusal(addUnit(db, { id: 'vv', name: '村中村', kind: 'village', parentId: 'v01' }, 'admin'))).to.equal('PARENT_LEVEL');
      expect(await refusal(addUnit(db, { id: 'g1', name: '一组', kind: 'group', parentId: 'v01' }, 'admin'))).to.equal('accepted');
    });
  });

  describe('an account’s display name', () => {
    for (const mark of INVISIBLE) {
      it(`with U+${mark.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is refused: 系统、the mark, 管理员 would read as the administrator`, async () => {
        expect(await refusal(renameUser(db, 'leader', `系统${mark}管理员`, 'admin'))).to.equal('DISPLAY_NAME_INVALID');
      });
    }
  });
});

/** Runs SQL on an SQLite file as someone crafting a backup by hand would. */
async function craft(file: string, sql: string): Promise<void> {
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => { const c = new sqlite3.Database(file, (e) => (e ? reject(e) : resolve(c))); });
  try {
    await new Promise<void>((resolve, reject) => conn.exec(sql, (e) => (e ? reject(e) : resolve())));
  } finally {
    await new Promise<void>((resolve) => conn.close(() => resolve()));
  }
}

describe('a backup crafted by hand, before it is restored (issue 19 attacked)', function () {
  this.timeout(120_000);
  const dir = tempDir('appraisal-crafted-');
  const good = path.join(dir, 'good.sqlite');
  before(async () => {
    const db = await openDatabase({ databaseFile: path.join(dir, 'record.sqlite') });
    try { await backupSqlite(db, good); } finally { await db.destroy(); }
  });

  async function refusalOf(file: string): Promise<{ code: string; message: string }> {
    try {
      await checkBackupFile(file);
      return { code: 'accepted', message: '' };
    } catch (e) {
      return { code: (e as { code?: string }).code ?? String(e), message: (e as Error).message };
    }
  }

  /** The good backup, changed by `sql`. */
  async function crafted(name: string, sql: string): Promise<string> {
    const file = path.join(dir, `${name}.sqlite`);
    copyFileSync(good, file);
    await craft(file, sql);
    return file;
  }

  it('takes a backup the product made, with every migration it knows', async () => {
    expect(await checkBackupFile(good)).to.deep.equal([...MIGRATION_NAMES]);
  });

  it('refuses one with a trigger of its own (the administrator’s password reset at every login), naming it', async () => {
    const file = await crafted('trigger', `CREATE TRIGGER keep_door_open AFTER INSERT ON audit_log BEGIN UPDATE users SET password_hash = 'x', disabled = 0 WHERE role = 'admin'; END;`);
    const { code, message } = await refusalOf(file);
    expect(code).to.equal('SCHEMA');
    expect(message).to.contain('keep_door_open').and.to.contain('不能用于恢复');
  });

  it('refuses one without the trigger that keeps a final result final', async () => {
    const file = await crafted('untriggered', 'DROP TRIGGER runs_frozen_update;');
    expect((await refusalOf(file)).code).to.equal('SCHEMA');
  });

  it('refuses one with a view or a table of its own, or a table changed', async () => {
    expect((await refusalOf(await crafted('view', 'CREATE VIEW everyone AS SELECT * FROM users;'))).code).to.equal('SCHEMA');
    expect((await refusalOf(await crafted('table', 'CREATE TABLE extra (x TEXT);'))).code).to.equal('SCHEMA');
    expect((await refusalOf(await crafted('column', 'ALTER TABLE units ADD COLUMN secret TEXT;'))).code).to.equal('SCHEMA');
  });

  it('refuses one whose migrations are listed out of their order', async () => {
    const file = await crafted('order', `UPDATE knex_migrations SET name = CASE name WHEN '${MIGRATION_NAMES[1]}' THEN '${MIGRATION_NAMES[2]}' WHEN '${MIGRATION_NAMES[2]}' THEN '${MIGRATION_NAMES[1]}' ELSE name END;`);
    expect((await refusalOf(file)).code).to.equal('NOT_APPRAISAL');
  });
});

describe('a correction’s reason (issue 19 attacked)', () => {
  const code = (text: unknown): string => {
    try { correctionReason(text); return 'accepted'; } catch (e) { return (e as { code: string }).code; }
  };

  it('is required however it is left blank: spaces, 全角 spaces, zero-width spaces, a byte-order mark', () => {
    for (const blank of ['   ', '\u3000\u3000', '\u200b\u200b', '\ufeff', '\u2060\u200d\u200c', '\u0085']) expect(code(blank), JSON.stringify(blank)).to.equal('CORRECTION_REASON_REQUIRED');
  });

  it(`counts ${MAX_REASON} characters as a person does (an emoji is one) and refuses one more, saying how many`, () => {
    expect(code('😀'.repeat(MAX_REASON))).to.equal('accepted');
    expect(code('😀'.repeat(MAX_REASON + 1))).to.equal('CORRECTION_REASON_TOO_LONG');
    try { correctionReason('😀'.repeat(MAX_REASON + 1)); } catch (e) { expect((e as Error).message).to.contain(`现有${MAX_REASON + 1}字`); }
  });

  it('keeps a hostile reason as written, for the page to escape', () => {
    expect(correctionReason('  <script>alert(1)</script>{{x}}  ')).to.equal('<script>alert(1)</script>{{x}}');
  });
});
