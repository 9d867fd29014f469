import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { appendAudit } from '../../src/db/queries/audit.js';
import { messagesOf } from '../../src/db/queries/messages.js';
import { userByName } from '../../src/db/queries/users.js';
import { notify } from '../../src/services/inbox.js';
import { today } from '../../src/services/review-period.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

/** The home pages, the inbox with the header's unread count, and the audit page with its filters and exports. */

const fileNameOf = (res: Response) => decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '');
/** The page's text without its tags. */
const words = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('home pages, inbox and audit trail', function () {
  this.timeout(120_000);
  let app: TestApp;
  let leader: Client, village: Client, admin: Client;
  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    village = await signedIn(app.url, 'v01');
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  describe('the home page', () => {
    it('shows a leader the newest period at a glance, with the next step and its link', async () => {
      const { status, text } = await leader.get('/');
      expect(status).to.equal(200);
      const seen = words(text);
      expect(seen).to.contain('2024年度').and.contain('村级千分考核').and.contain('18个／18个').and.contain('26人／26人');
      expect(text).to.match(/<a href="\/runs\/2">核对草稿第2号并发布公示<\/a>/);
      expect(seen).to.contain('公示中').and.match(/还剩\d+天/);
      // What a reader sees (an assessment's id stays in its links).
      expect(seen).to.not.match(/village-annual|\bvillage\b|undefined|null/);
    });

    it('shows a leader the newest composite ranking, each unit’s figure from each source beside its total, and where each was read from (issue 20, point 6)', async () => {
      const { text } = await leader.get('/');
      const seen = words(text);
      expect(seen).to.contain('2024年度村级年度综合考核').and.contain('综合得分 计划生育 党建工作 安全生产');
      // 石门村 is vetoed in 计生 (政策外生育), and so in the composite: last, 不合格.
      expect(seen).to.match(/18 石门村 不合格（一票否决），通报批评 \d+\.\d \d+\.\d/);
      expect(seen).to.match(/计分来源：计划生育专项考核取自2024年度村级千分考核 第2号 （草稿）/);
      expect(text).to.contain('<a href="/runs/2">第2号</a>').and.contain('<a href="/runs/10">2024年度村级年度综合考核</a>');
      expect(text).to.not.match(/village-composite|fp\.total|\bfp\b|NaN/);
    });

    it('says on a composite run’s page which result each source was read from (issue 20, point 3)', async () => {
      const { text } = await leader.get('/runs/10');
      const seen = words(text);
      expect(seen).to.contain('计分来源').and.contain('计划生育专项考核 ：2024年度村级千分考核 第2号考核 （读取时草稿）');
      expect(seen).to.contain('安全生产专项考核 ：2024年度村级安全生产专项考核 第9号考核 （读取时草稿）');
      expect(seen).to.not.contain('本次结果仍按读取时的结果计算');
    });

    it('shows a village its latest published result: rank of how many, total at the rule set’s precision with 分, grade, and its appeals', async () => {
      const { status, text } = await village.get('/');
      expect(status).to.equal(200);
      const seen = words(text);
      expect(seen).to.contain('枫林村').and.match(/第\d+名 共18个单位/).and.match(/\d+\.\d 分/).and.contain('公示中');
      expect(seen).to.contain('没有待答复的申诉');
      // The newest result of its assessments: the 2023 综合考核 (run 7), published after the 专项考核 it combines.
      expect(seen).to.contain('村级年度综合考核');
      expect(text).to.match(/href="\/units\/v01\?run=7"/);
      expect(text).to.contain('href="/units/v01/appeals"');
    });

    it('shows a staff member their own result, linked to their page', async () => {
      const staff = await signedIn(app.url, 's01');
      const { text } = await staff.get('/');
      expect(words(text)).to.match(/第\d+名 共\d+人/);
      expect(text).to.match(/href="\/staff\/s01\?run=3"/);
    });
  });

  describe('the inbox', () => {
    it('shows 消息 with the unread count in the header of every page, and lists the message with its time and link, escaped', async () => {
      const v01 = (await userByName(app.db, 'v01'))!;
      await app.db.transaction((tx) => notify(tx, { userIds: [v01.id] }, { kind: 'appeal.answered', title: '申诉已答复：<script>alert(1)</script>{{x}}', link: '/units/v01/appeals' }));
      await app.db.transaction((tx) => notify(tx, { userIds: [v01.id] }, { kind: 'run.corrected', title: '结果已更正', link: 'https://evil.example/' }));
      const home = await village.get('/');
      expect(home.text).to.contain('aria-label="消息，2条未读"');
      expect(home.text).to.match(/消息<span class="unread">2<\/span>/);
      const { text } = await village.get('/inbox');
      expect(text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;{{x}}');
      expect(text).to.not.contain('<script>alert(1)');
      expect(text).to.contain('<a href="/units/v01/appeals">');
      expect(text).to.not.contain('evil.example');
      expect(words(text)).to.contain('结果已更正').and.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    });

    it('marks one message read, and only the account’s own: another’s id leaves it as it was', async () => {
      const leaderRow = (await userByName(app.db, 'leader'))!;
      await app.db.transaction((tx) => notify(tx, { userIds: [leaderRow.id] }, { kind: 'appeal.filed', title: '新的申诉' }));
      const [theirs] = await messagesOf(app.db, leaderRow.id, { unreadOnly: true });
      await village.get('/inbox');
      expect((await village.post('/inbox/read', { id: String(theirs.id) })).status).to.equal(303);
      expect((await messagesOf(app.db, leaderRow.id, { unreadOnly: true })).map((m) => m.id)).to.include(theirs.id);
      const v01 = (await userByName(app.db, 'v01'))!;
      const [mine] = await messagesOf(app.db, v01.id, { unreadOnly: true });
      await village.post('/inbox/read', { id: String(mine.id) });
      expect((await messagesOf(app.db, v01.id, { unreadOnly: true })).map((m) => m.id)).to.not.include(mine.id);
      expect((await messagesOf(app.db, v01.id, { unreadOnly: true }))).to.have.length(1);
    });

    it('refuses a message id that is none, and marks all read without one', async () => {
      await village.get('/inbox');
      for (const id of ['abc', '-1', '1e3', '0', '9'.repeat(20)]) expect((await village.post('/inbox/read', { id })).status, id).to.equal(400);
      await village.get('/inbox');
      expect((await village.post('/inbox/read')).status).to.equal(303);
      const v01 = (await userByName(app.db, 'v01'))!;
      expect(await messagesOf(app.db, v01.id, { unreadOnly: true })).to.have.length(0);
      const { text } = await village.get('/inbox');
      expect(text).to.not.contain('class="unread"');
      expect(words(text)).to.contain('全部已读');
    });
  });

  describe('the audit page', () => {
    before(async () => {
      await appendAudit(app.db, { at: '2024-12-02T01:00:00.000Z', actor: 'leader', action: 'inputs.entry', subject: '2024/village/v03', detail: '{}', unit_id: 'v03' });
      await appendAudit(app.db, { at: '2024-12-02T02:00:00.000Z', actor: 'leader', action: 'run.publish', subject: 'run 1', detail: JSON.stringify({ period: '2023', track: 'village', reviewUntil: '2024-12-09' }) });
      await appendAudit(app.db, { at: '2024-12-02T03:00:00.000Z', actor: 'leader', action: 'mystery.code', subject: 'secret-subject', detail: '{"raw":true}' });
    });

    it('lists each entry in words: CST time, display name, action, what it concerns — no code, JSON or id', async () => {
      const { status, text } = await leader.get('/audit?from=2024-12-02&to=2024-12-02');
      expect(status).to.equal(200);
      const seen = words(text);
      expect(seen).to.contain('2024-12-02 10:00:00').and.contain('发布公示').and.contain('第1号考核 2023年度 村级千分考核，公示截止2024年12月9日');
      expect(seen).to.contain('2024年度 村级千分考核，桃花村').and.contain('其他操作');
      expect(seen).to.contain('共3条');
      expect(text).to.not.match(/mystery|secret-subject|"raw"|run\.publish|inputs\.entry|>leader</);
    });

    it('filters by person, action and unit through its form', async () => {
      const byUnit = words((await leader.get('/audit?unit=v03')).text);
      expect(byUnit).to.contain('桃花村').and.contain('共1条');
      const byAction = words((await admin.get('/audit?action=publish&person=leader')).text);
      expect(byAction).to.contain('操作：发布公示').and.contain('共1条');
    });

    it('leaves out hostile filter values with a message naming the field, escaped, and still answers', async () => {
      for (const q of ['person=%3Cscript%3Ealert(1)%3C%2Fscript%3E', `unit=${'村'.repeat(500)}`, 'person=a&person=b', 'person=%E2%80%AEleader', 'from=2024-13-45', 'unit=%00', 'action=__proto__', 'page=99999999999']) {
        const { status, text } = await leader.get(`/audit?${q}`);
        expect(status, q).to.equal(200);
        expect(text, q).to.contain('class="error"');
        expect(text, q).to.not.contain('<script>alert');
      }
    });

    it('exports the filtered list as XLSX and CSV, named 审计记录-<today>', async () => {
      const xlsx = await leader.request('GET', '/audit/export.xlsx?action=publish&from=2024-12-02&to=2024-12-02');
      expect(xlsx.status).to.equal(200);
      expect(fileNameOf(xlsx)).to.equal(`审计记录-${today()}.xlsx`);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await xlsx.arrayBuffer());
      const sheet = workbook.worksheets[0];
      expect(sheet.name).to.equal('审计记录');
      expect(sheet.getRow(1).getCell(1).value).to.equal('审计记录');
      expect(sheet.getRow(3).values).to.deep.equal([undefined, '时间（北京时间）', '人员', '操作', '涉及']);
      expect(sheet.rowCount).to.equal(4);
      expect(sheet.getRow(4).getCell(4).value).to.equal('第1号考核 2023年度 村级千分考核，公示截止2024年12月9日');
      const csv = await leader.request('GET', '/audit/export.csv?action=publish&from=2024-12-02&to=2024-12-02');
      expect(fileNameOf(csv)).to.equal(`审计记录-${today()}.csv`);
      const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0]).to.equal('时间（北京时间）,人员,操作,涉及');
      expect(lines.slice(1)).to.have.length(1);
      expect(lines[1]).to.match(/^2024-12-02 10:00:00,.+,发布公示,/);
      expect((await leader.request('GET', '/audit/export.pdf')).status).to.equal(404);
    });
  });
});
