import { expect } from 'chai';
import type { SessionData } from 'express-session';
import type { Db } from '../../../src/db/connection.js';
import { SessionStore, sessionStore } from '../../../src/http/middleware/session.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/**
 * A page's session is read through other connections than it is written (SQLite's
 * read-only ones), and express-session sends a redirect before the session is saved: the
 * next request must still read the session as it was last written.
 */
onEachBackend('sessions kept in the database', (backend) => {
  let db: Db;
  let store: SessionStore;
  const data = (flash: string) => ({ cookie: { originalMaxAge: 60_000, maxAge: 60_000, expires: new Date(Date.now() + 60_000) }, flash }) as unknown as SessionData;
  const read = (sid: string) => store.get(sid, () => undefined);

  before(async () => {
    db = await openStore(await backend.fresh('none'));
    store = new SessionStore({ knex: db, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
  });
  after(async () => { await db?.destroy(); });

  it('answer a failure through express-session’s callback alone, leaving no promise to reject, once the database is shut', async () => {
    const shut = await openStore(await backend.fresh('none'));
    const gone = new SessionStore({ knex: shut, tableName: 'sessions', createTable: false, cleanupInterval: 0 });
    await gone.ready;
    await shut.destroy();
    const failures: unknown[] = [];
    const got = (err?: unknown) => { failures.push(err); };
    // Each promise settles without rejecting (express-session drops it); each failure of a read, of
    // an account's session written and of an ending reaches its callback.
    expect(await gone.get('s', got)).to.equal(null);
    await gone.set('s', { ...data('已保存'), userId: 1 } as SessionData, got);
    await gone.destroy('s', got);
    expect(failures).to.have.length(3);
    for (const f of failures) expect(f).to.be.instanceOf(Error);
    // A touch, and a session that names no account yet, are written without the page waiting for
    // them: their callback answers at once, and their failure is kept from ending the process.
    failures.length = 0;
    await gone.set('s', data('已保存'), got);
    await gone.touch('s', data('已保存'), got);
    expect(failures).to.deep.equal([undefined, undefined]);
  });

  it('tell a failed deletion of expired sessions to the app’s log, and nothing once the database is shut', async () => {
    const shut = await openStore(await backend.fresh('none'));
    const lines: Array<Record<string, unknown>> = [];
    const kept = sessionStore(shut, (line) => lines.push(line));
    // Its first deletion of expired sessions starts once it is ready; the next is timed when that one is over.
    await kept.ready;
    while (kept.nextDbCleanup === undefined) await new Promise((r) => setTimeout(r, 5));
    const cleanUp = async () => {
      clearTimeout(kept.nextDbCleanup);
      await (kept as unknown as { dbCleanup(): Promise<void> }).dbCleanup();
    };
    const told = console.error;
    const printed: unknown[] = [];
    console.error = (...args: unknown[]) => { printed.push(args); };
    try {
      // A failure while the database is open (the sessions table gone) is told once, as a JSON line's fields.
      await shut.schema.renameTable('sessions', 'sessions_away');
      await cleanUp();
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include({ level: 'error', event: 'session.cleanup' });
      expect(String(lines[0].error)).to.match(/sessions/);
      await shut.schema.renameTable('sessions_away', 'sessions');
      // Shut: the deletion fails (no connection to be had), and nothing is told anywhere.
      await shut.destroy();
      await cleanUp();
      expect(lines).to.have.length(1);
      expect(printed).to.deep.equal([]);
    } finally {
      console.error = told;
      clearTimeout(kept.nextDbCleanup);
    }
  });

  it('are read as last written, even while the write is still under way', async () => {
    for (let k = 0; k < 10; k++) {
      void store.set(`s${k}`, data('已保存'));
      expect((await read(`s${k}`))?.flash, `s${k} new`).to.equal('已保存');
      void store.set(`s${k}`, data('已发布'));
      expect((await read(`s${k}`))?.flash, `s${k} changed`).to.equal('已发布');
      void store.destroy(`s${k}`);
      expect(await read(`s${k}`), `s${k} ended`).to.equal(null);
    }
  });

  it('are read without waiting for a touch of their idle expiry still under way', async () => {
    await store.set('touched', data('已保存'));
    // The touch's write held up (a disk slow to flush): the session is read all the same, as it was.
    const parent = Object.getPrototypeOf(SessionStore.prototype) as { touch: (...args: unknown[]) => Promise<void> };
    const touch = parent.touch;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    parent.touch = function (this: unknown, ...args: unknown[]) { return held.then(() => touch.apply(this, args)); };
    try {
      let answered = false;
      void store.touch('touched', data('已保存'), () => { answered = true; });
      expect(answered, 'express-session is answered at once').to.equal(true);
      const got = await Promise.race([read('touched'), new Promise((resolve) => setTimeout(() => resolve('waited'), 2000))]);
      expect((got as SessionData | null)?.flash).to.equal('已保存');
    } finally {
      parent.touch = touch;
      release();
    }
  });
});
