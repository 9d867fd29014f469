import { expect } from 'chai';
import { listRuns } from '../../src/services/runs.js';
import { reminderUnderWay } from '../../src/services/inbox.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * The pages a township opens most read beside the one writing connection (issue 21, point 6): on SQLite every
 * query they make runs on the read-only connections, so that ten people at once never queue behind a write
 * (an import holds the writer for seconds). Knex tells of every query on the writer; none may be told.
 */
describe('the pages a township opens most, on SQLite (issue 21, point 6)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let leader: Client;
  let pages: string[];
  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    const run = (await listRuns(app.db)).find((r) => r.track === 'village')!.id;
    pages = [
      `/runs/${run}`, `/runs/${run}?parent=hetang`, '/entry?period=2024&track=village', '/entry?period=2024&track=village&page=2',
      '/collection?period=2024', '/collection?period=2024&state=submitted', '/collection?period=2024&q=村', '/collection/review?period=2024',
    ];
  });
  after(async () => { await app?.close(); });

  it('make no query on the writing connection once the session is read: every read is on the read-only connections', async () => {
    // First visits: the session's touch and the look for due reminders are writes of their own, in the background.
    for (const page of pages) expect((await leader.get(page)).status, page).to.equal(200);
    await reminderUnderWay(app.db);
    const onWriter: string[] = [];
    const told = (q: { sql: string }) => onWriter.push(q.sql);
    app.db.on('query', told);
    try {
      for (const page of pages) expect((await leader.get(page)).status, page).to.equal(200);
    } finally {
      app.db.off('query', told);
    }
    expect(onWriter).to.deep.equal([]);
  });

  it('is seen to tell of a query that does go to the writer', async () => {
    const onWriter: string[] = [];
    const told = (q: { sql: string }) => onWriter.push(q.sql);
    app.db.on('query', told);
    try {
      await app.db('periods').select('id');
    } finally {
      app.db.off('query', told);
    }
    expect(onWriter).to.have.length(1);
  });
});
