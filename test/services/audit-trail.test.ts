import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { insertMany } from '../../src/db/chunks.js';
import { appendAudit } from '../../src/db/queries/audit.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { ROOT } from '../../src/paths.js';
import { ACTION_KINDS, ACTION_WORDS, actionWords, auditTrailPage, auditTrailRows, OTHER_ACTION, readAuditQuery } from '../../src/services/audit-trail.js';
import { MOST_CHOICES } from '../../src/services/choices.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** Every source file under src/. */
function sources(dir = path.join(ROOT, 'src')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** The action codes the product writes to the audit log: the quoted codes after `action:` (one, or each of a choice), and a step's `audit:` code. */
function writtenActions(): string[] {
  const codes = new Set<string>();
  // The audit page's own reading (its form's fields are named action too) writes nothing.
  // Only the files that write to the log: a form's `action:` elsewhere is a link, not a code.
  for (const file of sources().filter((f) => !/audit-trail\.ts$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('appendAudit(')) continue;
    for (const m of text.matchAll(/(?:action|audit): ([^,}\n]+)/g)) {
      for (const q of m[1].matchAll(/'([a-z]+(?:\.[a-z]+)*)'/g)) codes.add(q[1]);
    }
  }
  return [...codes].sort();
}

describe('audit trail: action words', () => {
  it('has words for every action the code writes to the audit log', () => {
    const written = writtenActions();
    expect(written).to.include.members(['run.publish', 'run.finalize', 'run.discard', 'inputs.entry', 'access.denied', 'account.disable', 'appeal.file', 'appeal.answer', 'unit.move', 'backup.download', 'login']);
    for (const code of written) expect(Object.hasOwn(ACTION_WORDS, code), code).to.equal(true);
  });

  it('has a kind of action to filter by for every action it has words for, but the demo seed', () => {
    const covered = new Set(ACTION_KINDS.flatMap((k) => k.codes));
    for (const code of Object.keys(ACTION_WORDS).filter((c) => c !== 'seed.demo')) expect(covered.has(code), code).to.equal(true);
  });

  it('reads an action it does not know, or one named like an object’s own property, as 其他操作', () => {
    expect(actionWords('mystery.code')).to.equal(OTHER_ACTION);
    expect(actionWords('constructor')).to.equal(OTHER_ACTION);
    expect(actionWords('__proto__')).to.equal(OTHER_ACTION);
    expect(actionWords('run.publish')).to.equal('发布公示');
  });
});

onEachBackend('audit trail: filters and words', (backend) => {
  let db: Db;
  before(async function () {
    this.timeout(120_000);
    db = await openStore(await backend.fresh('demo'));
    const entry = (at: string, actor: string, action: string, subject: string | null, detail: string | null, unit_id: string | null = null) =>
      appendAudit(db, { at, actor, action, subject, detail, unit_id });
    // The last second of 1 December and the first of 2 December, China Standard Time.
    await entry('2024-12-01T15:59:59.000Z', 'leader', 'inputs.entry', '2024/village/v01', '{"rules":"abc"}');
    await entry('2024-12-01T16:00:00.000Z', 'leader', 'inputs.entry', '2024/village/v02', '{"rules":"abc"}');
    await entry('2024-12-02T01:00:00.000Z', 'v01', 'appeal.file', 'appeal 7', JSON.stringify({ run: 1 }), 'v01');
    await entry('2024-12-02T02:00:00.000Z', 'leader', 'appeal.answer', 'appeal 7', JSON.stringify({ run: 1, answer: 'rejected' }), 'v01');
    await entry('2024-12-02T03:00:00.000Z', 'leader', 'mystery.code', '{"raw":"json"}', '<script>alert(1)</script>');
    await entry('2024-12-02T04:00:00.000Z', 'v01', 'access.denied', 'GET /units/v02', JSON.stringify({ route: '/units/:unitId', role: 'village', unit: 'v01' }));
    await entry('2024-12-02T06:00:00.000Z', 'admin', 'unit.rename', 'v03', JSON.stringify({ from: '旧桃花村', to: '桃花村' }), 'v03');
    await entry('2024-12-02T05:00:00.000Z', 'leader', 'run.publish', 'run 1', JSON.stringify({ period: '2023', track: 'village', supersedes: null, reviewUntil: '2024-12-09' }));
  });
  after(async () => { await db?.destroy(); });

  const pageOf = async (query: Record<string, unknown>) => auditTrailPage(db, await readAuditQuery(db, query));

  it('lists the newest entry first, each in words: time in China Standard Time, display name, action, what it concerns', async () => {
    const trail = await pageOf({ from: '2024-12-02', to: '2024-12-02' });
    expect(trail.lines[0]).to.deep.include({ time: '2024-12-02 13:00:00', action: '发布公示', concerns: '第1号考核 2023年度 村级千分考核，公示截止2024年12月9日' });
    expect(trail.lines[0].who).to.not.equal('leader');
    const entry = trail.lines.find((l) => l.action === '录入数据')!;
    expect(entry.concerns).to.equal('2024年度 村级千分考核，双塘村');
  });

  it('says what a renaming changed, from the old name to the new', async () => {
    const trail = await pageOf({ action: 'unit', from: '2024-12-02', to: '2024-12-02' });
    expect(trail.lines.map((l) => [l.action, l.concerns])).to.deep.equal([['单位改名', '桃花村，原名“旧桃花村”，改为“桃花村”']]);
  });

  it('filters by date in China Standard Time: an entry of 23:59:59 on 1 December is not one of 2 December', async () => {
    const second = await pageOf({ from: '2024-12-02', to: '2024-12-02', action: 'entry' });
    expect(second.lines.map((l) => l.concerns)).to.deep.equal(['2024年度 村级千分考核，双塘村']);
    const first = await pageOf({ to: '2024-12-01', action: 'entry' });
    expect(first.lines.map((l) => l.concerns)).to.include('2024年度 村级千分考核，枫林村');
    expect(first.lines.map((l) => l.concerns)).to.not.include('2024年度 村级千分考核，双塘村');
  });

  it('filters by person', async () => {
    const trail = await pageOf({ person: 'v01' });
    expect(trail.lines.length).to.be.greaterThan(0);
    expect(trail.lines.map((l) => l.action)).to.include.members(['提出申诉', '越权访问']);
    expect(trail.lines.map((l) => l.action)).to.not.include('发布公示');
  });

  it('filters by a kind of action, and 其他操作 finds the codes no kind covers, shown without their raw subject or detail', async () => {
    expect((await pageOf({ action: 'answer' })).lines.map((l) => l.concerns)).to.deep.equal(['第1号考核 2023年度 村级千分考核，枫林村，驳回']);
    const other = await pageOf({ action: 'other' });
    expect(other.lines.map((l) => l.action)).to.include(OTHER_ACTION);
    expect(other.lines.map((l) => l.action)).to.not.include('发布公示');
    const mystery = other.lines.find((l) => l.time === '2024-12-02 11:00:00')!;
    expect(mystery.concerns).to.equal('');
  });

  it('filters by unit: entries naming it in unit_id, older entries by their subject, and what its accounts did', async () => {
    const trail = await pageOf({ unit: 'v01' });
    const actions = trail.lines.map((l) => l.action);
    expect(actions).to.include.members(['提出申诉', '答复申诉', '录入数据', '越权访问', '新增账号']);
    expect(trail.lines.filter((l) => l.action === '录入数据').map((l) => l.concerns)).to.deep.equal(['2024年度 村级千分考核，枫林村']);
    expect(actions).to.not.include('发布公示');
    const denied = trail.lines.find((l) => l.action === '越权访问')!;
    expect(denied.concerns).to.equal('试图打开双塘村的记分卡');
  });

  it('leaves out a hostile filter value, naming the field, and never lets it reach the query as anything but a value', async () => {
    for (const [query, field] of [
      [{ person: 'x'.repeat(65) }, '人员'], [{ person: ['leader', 'v01'] }, '人员'], [{ person: "' OR 1=1 --" }, '人员'],
      [{ action: 'constructor' }, '操作'], [{ unit: 'v01%' }, '单位'], [{ unit: { $ne: 1 } }, '单位'],
      [{ from: '2024-02-30' }, '起始日期'], [{ to: '12/02/2024' }, '截止日期'], [{ from: '2024-12-03', to: '2024-12-02' }, '起始日期'], [{ page: '-1' }, '页码'],
      [{ to: '9999-12-31' }, '截止日期'], [{ from: '0001-01-01' }, '起始日期'],
    ] as Array<[Record<string, unknown>, string]>) {
      const read = await readAuditQuery(db, query);
      expect(read.problems.join(''), JSON.stringify(query)).to.contain(field);
      expect(read.filter, JSON.stringify(query)).to.deep.equal({});
    }
  });

  it('exports every entry the filter finds, with a header row and a title that says the filter', async () => {
    const { title, rows } = await auditTrailRows(db, await readAuditQuery(db, { unit: 'v01', action: 'appeal' }));
    expect(rows[0]).to.deep.equal(['时间（北京时间）', '人员', '操作', '涉及']);
    expect(rows.slice(1).map((r) => r[2])).to.deep.equal(['提出申诉']);
    expect(title[1]).to.contain('单位：枫林村').and.contain('操作：提出申诉').and.contain('共1条');
  });

  it('pages a hundred entries at a time', async () => {
    for (let k = 0; k < 120; k++) await appendAudit(db, { at: '2024-11-01T00:00:00.000Z', actor: 'leader', action: 'login', subject: '127.0.0.1', detail: null });
    const first = await pageOf({ action: 'login' });
    expect(first.lines).to.have.length(100);
    expect(first.pages).to.equal(2);
    const second = await pageOf({ action: 'login', page: '2' });
    expect(second.lines.length).to.equal(first.total - 100);
  });
});

onEachBackend('audit trail at a province’s scale: more accounts and units than a list holds', (backend) => {
  let db: Db;
  const AT = '2024-12-02T01:00:00.000Z';
  before(async function () {
    this.timeout(120_000);
    db = await openStore(await backend.fresh('none'));
    const n = MOST_CHOICES + 1;
    // Villages u0000…u0300 of a township, two of them named alike (as two townships' 新村 are); an account each.
    await upsertUnits(db, [{ id: 't1', name: '甲镇', kind: 'township', parent_id: null, role: null, created_at: AT },
      ...Array.from({ length: n }, (_, k) => ({ id: `u${String(k).padStart(4, '0')}`, name: k === 7 ? '第3村' : `第${k}村`, kind: 'village', parent_id: 't1', role: null, created_at: AT }))]);
    await insertMany(db, 'users', Array.from({ length: n }, (_, k) => ({
      username: `c${String(k).padStart(4, '0')}`, display_name: k === 9 ? '第1村村委' : `第${k}村村委`, role: 'village', unit_id: `u${String(k).padStart(4, '0')}`,
      password_hash: 'x', disabled: false, session_epoch: 0, created_at: AT, password_changed_at: AT,
    })));
    for (const [actor, unit] of [['c0001', 'u0001'], ['c0002', 'u0002'], ['c0009', 'u0009'], ['c0003', 'u0003'], ['c0007', 'u0007']]) {
      await appendAudit(db, { at: AT, actor, action: 'appeal.file', subject: 'appeal 1', detail: JSON.stringify({ run: 1 }), unit_id: unit });
    }
  });
  after(async () => { await db?.destroy(); });

  it('lists no people and no units to choose from, but fields to type them in', async () => {
    const trail = await auditTrailPage(db, await readAuditQuery(db, {}));
    expect(trail.people).to.equal(undefined);
    expect(trail.units).to.equal(undefined);
    expect(trail.lines.map((l) => l.action)).to.include('提出申诉');
  });

  it('finds the person typed by display name and the unit by name, and shows them again as typed', async () => {
    const read = await readAuditQuery(db, { person: '第2村村委', unit: '第2村' });
    expect(read.problems).to.deep.equal([]);
    expect(read.query).to.deep.include({ person: 'c0002', unit: 'u0002' });
    const trail = await auditTrailPage(db, read);
    expect(trail.lines).to.have.length(1);
    expect(trail).to.deep.include({ personText: 'c0002', unitText: '第2村' });
  });

  it('asks for the username, or the unit’s number, where a name is two people’s or two units’, and finds them by those', async () => {
    const twoPeople = await readAuditQuery(db, { person: '第1村村委' });
    expect(twoPeople.problems).to.deep.equal(['有多个账号名为“第1村村委”，请改填其用户名']);
    expect(twoPeople.filter).to.deep.equal({});
    const twoUnits = await readAuditQuery(db, { unit: '第3村' });
    expect(twoUnits.problems).to.deep.equal(['有多个单位名为“第3村”，请改填单位编号']);
    expect(twoUnits.filter).to.deep.equal({});
    const byNumber = await readAuditQuery(db, { unit: 'u0007' });
    expect(byNumber.problems).to.deep.equal([]);
    const trail = await auditTrailPage(db, byNumber);
    expect(trail.lines).to.have.length(1);
    // Its name would find two: the field keeps its number.
    expect(trail.unitText).to.equal('u0007');
  });

  it('says so of a name that is nobody’s and no unit’s, and filters by neither', async () => {
    const read = await readAuditQuery(db, { person: '无此人', unit: '无此村' });
    expect(read.problems).to.deep.equal(['筛选条件“人员”不在审计记录中，已忽略', '筛选条件“单位”不存在，已忽略']);
    expect(read.filter).to.deep.equal({});
  });
});
