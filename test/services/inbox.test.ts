import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { insertMany } from '../../src/db/chunks.js';
import { listRuns } from '../../src/db/queries/runs.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { userByName } from '../../src/db/queries/users.js';
import { inboxLines, markMessagesRead, notify, notifyUnits, remindDeadlines, remindDeadlinesNow, reminderUnderWay, safeLink, type ReminderLinks } from '../../src/services/inbox.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

const LINKS: ReminderLinks = {
  unitAppeals: (unitId, track, runId) => `/${track === 'staff' ? 'staff' : 'units'}/${encodeURIComponent(unitId)}/appeals?run=${runId}`,
  run: (runId) => `/runs/${runId}`,
};

/** Noon in China Standard Time of a day (YYYY-MM-DD). */
const noonOf = (date: string) => Date.parse(`${date}T04:00:00Z`);
const dayBefore = (date: string, n: number) => { const d = new Date(`${date}T00:00:00Z`); d.setUTCDate(d.getUTCDate() - n); return d.toISOString().slice(0, 10); };

describe('inbox: links a message may carry', () => {
  it('follows a path of this site, and no other site, scheme or protocol-relative address', () => {
    expect(safeLink('/runs/5')).to.equal('/runs/5');
    expect(safeLink('/units/a%2Fb/appeals?run=3')).to.equal('/units/a%2Fb/appeals?run=3');
    for (const bad of ['https://evil.example/', '//evil.example/x', 'javascript:alert(1)', '/\\evil.example', '/a b', '']) expect(safeLink(bad), bad).to.equal(null);
    expect(safeLink(null)).to.equal(null);
  });
});

onEachBackend('inbox: reading, marking read and the 公示 deadline reminder', (backend) => {
  let db: Db;
  let leaderId: number, villageId: number, staffId: number;
  before(async function () {
    this.timeout(120_000);
    db = await openStore(await backend.fresh('demo'));
    leaderId = (await userByName(db, 'leader'))!.id;
    villageId = (await userByName(db, 'v01'))!.id;
    staffId = (await userByName(db, 's01'))!.id;
  });
  after(async () => { await db?.destroy(); });

  it('lists an account’s own messages, unread first, then newest first', async () => {
    await db.transaction(async (tx) => {
      await notify(tx, { userIds: [villageId] }, { kind: 'appeal.answered', title: '第一条' });
      await notify(tx, { userIds: [villageId] }, { kind: 'appeal.answered', title: '第二条' });
      await notify(tx, { userIds: [leaderId] }, { kind: 'appeal.filed', title: '领导的消息' });
    });
    const first = (await inboxLines(db, villageId)).lines.find((l) => l.title === '第一条')!;
    await markMessagesRead(db, villageId, first.id);
    const { lines, unread } = await inboxLines(db, villageId);
    expect(lines.map((l) => l.title)).to.deep.equal(['第二条', '第一条']);
    expect(unread).to.equal(1);
    expect(lines.map((l) => l.title)).to.not.include('领导的消息');
  });

  it('marks only the account’s own messages read, one or all', async () => {
    const leaders = (await inboxLines(db, leaderId)).lines.find((l) => l.title === '领导的消息')!;
    expect(await markMessagesRead(db, villageId, leaders.id)).to.equal(0);
    expect((await inboxLines(db, leaderId)).unread).to.equal(1);
    expect(await markMessagesRead(db, villageId)).to.equal(1);
    expect((await inboxLines(db, villageId)).unread).to.equal(0);
    expect((await inboxLines(db, leaderId)).unread).to.equal(1);
    await markMessagesRead(db, leaderId);
  });

  it('tells no one of a 公示 that has ended', async () => {
    const run = (await listRuns(db)).find((r) => r.status === 'published')!;
    const after = noonOf(run.review_until!) + 86_400_000;
    expect(await remindDeadlines(db, LINKS, after)).to.deep.equal([]);
  });

  it('reminds the units’ accounts and the leaders of a 公示 ending within two days, once each however often it looks', async () => {
    const run = (await listRuns(db)).find((r) => r.status === 'published' && r.track === 'village')!;
    expect(run.review_until).to.be.a('string');
    expect(await remindDeadlines(db, LINKS, noonOf(dayBefore(run.review_until!, 3))), 'three days before').to.deep.equal([]);
    expect((await inboxLines(db, villageId)).unread).to.equal(0);
    const twoDaysBefore = noonOf(dayBefore(run.review_until!, 2));
    expect(await remindDeadlines(db, LINKS, twoDaysBefore)).to.include(run.id);
    // The demo's 2023 专项 and 综合考核 end their 公示 the same day: each run's reminder is its own.
    const ofRun = (l: { kind: string; link: string | null }) => l.kind === 'review.deadline' && !!l.link?.endsWith(`run=${run.id}`);
    const village = (await inboxLines(db, villageId)).lines.filter(ofRun);
    expect(village).to.have.length(1);
    expect(village[0].title).to.contain('公示即将截止').and.contain('2天后').and.contain('申诉');
    expect(village[0].link).to.equal(`/units/v01/appeals?run=${run.id}`);
    const leader = (await inboxLines(db, leaderId)).lines.filter((l) => l.kind === 'review.deadline');
    expect(leader.map((l) => l.link)).to.include(`/runs/${run.id}`);
    expect(leader.find((l) => l.link === `/runs/${run.id}`)!.title).to.contain('定稿');
    // The staff member is not ranked in the village run: told of the staff run alone.
    expect((await inboxLines(db, staffId)).lines.filter((l) => l.link?.includes(`run=${run.id}`))).to.deep.equal([]);
    await remindDeadlines(db, LINKS, twoDaysBefore);
    await remindDeadlines(db, LINKS, noonOf(run.review_until!));
    expect((await inboxLines(db, villageId)).lines.filter(ofRun)).to.have.length(1);
  });

  it('looks for reminders at most once a minute per database, in the background', async () => {
    const errors: unknown[] = [];
    const now = Date.now();
    const first = remindDeadlinesNow(db, LINKS, (e) => errors.push(e), now);
    expect(first).to.not.equal(undefined);
    expect(remindDeadlinesNow(db, LINKS, (e) => errors.push(e), now + 1_000), 'while one is under way').to.equal(undefined);
    await reminderUnderWay(db);
    expect(remindDeadlinesNow(db, LINKS, (e) => errors.push(e), now + 30_000), 'within the minute').to.equal(undefined);
    const again = remindDeadlinesNow(db, LINKS, (e) => errors.push(e), now + 61_000);
    expect(again, 'a minute later').to.not.equal(undefined);
    await again;
    expect(errors).to.deep.equal([]);
  });
});

onEachBackend('inbox: a message to each of a province’s units', (backend) => {
  let db: Db;
  before(async function () {
    this.timeout(120_000);
    db = await openStore(await backend.fresh('none'));
  });
  after(async () => { await db?.destroy(); });

  it('tells every enabled account of each unit its unit’s own message, 6,001 units at once, once however often it is sent', async function () {
    this.timeout(120_000);
    const at = new Date().toISOString();
    const n = 6001;
    const unitId = (k: number) => `v${String(k).padStart(5, '0')}`;
    await upsertUnits(db, Array.from({ length: n }, (_, k) => ({ id: unitId(k), name: `第${k}村`, kind: 'village', parent_id: null, role: null, created_at: at })));
    // Two accounts for unit 0, one disabled account for unit 1, one account each for the rest but the last (no account).
    const accounts = [
      { username: 'a0', unit: unitId(0), disabled: false }, { username: 'b0', unit: unitId(0), disabled: false }, { username: 'a1', unit: unitId(1), disabled: true },
      ...Array.from({ length: n - 3 }, (_, k) => ({ username: `a${k + 2}`, unit: unitId(k + 2), disabled: false })),
    ];
    await insertMany(db, 'users', accounts.map((a) => ({
      username: a.username, display_name: a.username, role: 'village', unit_id: a.unit, password_hash: 'x', disabled: a.disabled, session_epoch: 0, created_at: at, password_changed_at: at,
    })));
    const send = () => db.transaction((tx) => notifyUnits(tx, Array.from({ length: n }, (_, k) => ({
      unitId: unitId(k), message: { kind: 'review.started', title: `公示开始 ${k}`, link: `/units/${unitId(k)}`, dedupe: 'review.started:1' },
    }))));
    expect(await send()).to.equal(n - 1);
    expect(await send()).to.equal(n - 1);
    const rows = await db('messages').join('users', 'users.id', 'messages.user_id').select('users.username', 'users.unit_id', 'messages.link', 'messages.title');
    expect(rows).to.have.length(n - 1);
    for (const r of rows) {
      expect(r.link).to.equal(`/units/${r.unit_id}`);
      expect(r.title).to.equal(`公示开始 ${Number(r.unit_id.slice(1))}`);
    }
    expect(rows.filter((r) => r.unit_id === unitId(0)).map((r) => r.username).sort()).to.deep.equal(['a0', 'b0']);
    expect(rows.some((r) => r.unit_id === unitId(1))).to.equal(false);
    expect(rows.some((r) => r.unit_id === unitId(n - 1))).to.equal(false);
  });
});
