import type { Tx } from '../db/connection.js';
import { auditCount, auditHasActor, auditPage, type AuditFilter, type AuditRow } from '../db/queries/audit.js';
import { accountsNamed, displayNamesUpTo } from '../db/queries/users.js';
import { listPeriods } from '../db/queries/periods.js';
import { listRuns, type RunRow } from '../db/queries/runs.js';
import { unitNames, unitsUpTo } from '../db/queries/units.js';
import { MOST_CHOICES, quoted, unitTyped } from './choices.js';
import { accountsByName, accountsOfUnit, rulesetTitles } from '../db/queries/overview.js';
import { own, table } from '../engine/own.js';
import { localDayStart, localSecond } from '../local-time.js';
import { actorNames, SYSTEM_ACTOR, type ActorName } from './actors.js';
import { ROLES } from './accounts.js';
import { periodTitle } from './period.js';
import { dateInWords, isDate } from './review-period.js';
import { allAssessments, assessmentTitles } from './assessments.js';

/**
 * The audit trail (审计记录) as people read it: every entry of the append-only log with its
 * time, who did it by display name, the action in words and what it concerns in words —
 * never an action code, a raw subject, JSON or an id. Filtered by person, kind of action,
 * unit and date range (days in China Standard Time); paged; exported as it is filtered.
 */

/** Each action code the product writes, in words. A code not here reads 其他操作. */
export const ACTION_WORDS: Readonly<Record<string, string>> = table({
  'inputs.import': '导入数据',
  'inputs.entry': '录入数据',
  'events.add': '新增事件',
  'events.edit': '修改事件',
  'events.withdraw': '撤回事件',
  'events.import': '导入事件台账',
  'collection.open': '开启数据填报',
  'collection.close': '关闭数据填报',
  'collection.remind': '提醒未提交的单位',
  'collection.reopen': '开放补报',
  'report.save': '保存填报草稿',
  'report.submit': '提交填报数据',
  'report.return': '退回填报数据',
  'report.approve': '审核通过填报数据',
  'run.create': '考核记分',
  'run.correct': '更正',
  'run.publish': '发布公示',
  'run.finalize': '定稿',
  'run.discard': '作废草稿',
  'appeal.file': '提出申诉',
  'appeal.answer': '答复申诉',
  'rules.edit': '修改细则',
  'rules.import': '导入细则',
  'user.add': '新增账号',
  'user.reset': '重置密码',
  'user.disable': '停用账号',
  'user.enable': '启用账号',
  'account.add': '新增账号',
  'account.rename': '修改账号名称',
  'account.reset': '重置密码',
  'account.disable': '停用账号',
  'account.enable': '启用账号',
  'unit.add': '新增单位',
  'unit.rename': '单位改名',
  'unit.move': '调整上级单位',
  'unit.disable': '停用单位',
  'unit.enable': '启用单位',
  'backup.download': '下载备份',
  'backup.create': '备份数据',
  'backup.restore': '恢复备份',
  'access.denied': '越权访问',
  login: '登录',
  'login.fail': '登录失败',
  'seed.demo': '载入演示数据',
  'assessment.add': '新增考核',
  'assessment.rename': '考核改名',
  'assessment.move': '调整考核顺序',
  'assessment.disable': '停用考核',
  'assessment.enable': '启用考核',
});

export const OTHER_ACTION = '其他操作';

export const actionWords = (code: string): string => own(ACTION_WORDS, code) ?? OTHER_ACTION;

/** The kinds of action the page filters by: each its words and the codes it covers. 其他操作: every code no other kind covers. */
export const ACTION_KINDS: ReadonlyArray<{ key: string; title: string; codes: string[] }> = [
  { key: 'import', title: '导入数据', codes: ['inputs.import'] },
  { key: 'entry', title: '录入数据', codes: ['inputs.entry'] },
  { key: 'events', title: '事件台账', codes: ['events.add', 'events.edit', 'events.withdraw', 'events.import'] },
  { key: 'collection', title: '数据填报', codes: ['collection.open', 'collection.close', 'collection.remind', 'collection.reopen', 'report.save', 'report.submit', 'report.return', 'report.approve'] },
  { key: 'score', title: '考核记分', codes: ['run.create'] },
  { key: 'publish', title: '发布公示', codes: ['run.publish'] },
  { key: 'finalize', title: '定稿', codes: ['run.finalize'] },
  { key: 'discard', title: '作废草稿', codes: ['run.discard'] },
  { key: 'appeal', title: '提出申诉', codes: ['appeal.file'] },
  { key: 'answer', title: '答复申诉', codes: ['appeal.answer'] },
  { key: 'correct', title: '更正', codes: ['run.correct'] },
  { key: 'rules', title: '修改细则', codes: ['rules.edit', 'rules.import'] },
  { key: 'account', title: '账号变更', codes: ['user.add', 'user.reset', 'user.disable', 'user.enable', 'account.add', 'account.rename', 'account.reset', 'account.disable', 'account.enable'] },
  { key: 'unit', title: '单位变更', codes: ['unit.add', 'unit.rename', 'unit.move', 'unit.disable', 'unit.enable'] },
  { key: 'assessment', title: '考核设置', codes: ['assessment.add', 'assessment.rename', 'assessment.move', 'assessment.disable', 'assessment.enable'] },
  { key: 'backup', title: '备份与恢复', codes: ['backup.download', 'backup.create', 'backup.restore'] },
  { key: 'denied', title: '越权访问', codes: ['access.denied'] },
  { key: 'login', title: '登录', codes: ['login', 'login.fail'] },
  { key: 'other', title: OTHER_ACTION, codes: [] },
];

const KNOWN_CODES = ACTION_KINDS.flatMap((k) => k.codes);

/** The kinds of unit the filter lists, in the order a township reads them. */
const UNIT_GROUPS: ReadonlyArray<[string, string]> = [['county', '县（区）'], ['township', '乡镇'], ['village', '村'], ['staff', '工作人员']];

export const PAGE_SIZE = 100;
/** The most rows an export holds: a township's year is a few thousand entries. */
export const EXPORT_LIMIT = 100_000;
const MAX_FILTER_CHARS = 64;
const MAX_PAGE = 100_000;

/** The filter as the page's form holds it (every value checked). */
export interface AuditQuery { person: string; action: string; unit: string; from: string; to: string; page: number; }

export interface AuditQueryResult { query: AuditQuery; filter: AuditFilter; problems: string[]; }

/**
 * Reads the page's query: a value that is not one the form offers (too long, a list, an
 * unknown person or unit, a date that is none) is left out and said so, in words, naming
 * the field; it never reaches the SQL but as a bound value.
 */
export async function readAuditQuery(db: Tx, raw: Record<string, unknown>): Promise<AuditQueryResult> {
  const problems: string[] = [];
  const text = (name: string, label: string): string => {
    const v = raw[name];
    if (v === undefined || v === '') return '';
    if (typeof v !== 'string') { problems.push(`筛选条件“${label}”无效，已忽略`); return ''; }
    if ([...v].length > MAX_FILTER_CHARS) { problems.push(`筛选条件“${label}”过长，已忽略`); return ''; }
    return v;
  };
  const query: AuditQuery = { person: text('person', '人员'), action: text('action', '操作'), unit: text('unit', '单位'), from: text('from', '起始日期'), to: text('to', '截止日期'), page: 1 };
  const filter: AuditFilter = {};
  if (query.person) {
    const person = await personMeant(db, query.person);
    if ('problem' in person) { problems.push(person.problem); query.person = ''; }
    else filter.actor = query.person = person.name;
  }
  if (query.action) {
    const kind = ACTION_KINDS.find((k) => k.key === query.action);
    if (!kind) { problems.push('筛选条件“操作”无效，已忽略'); query.action = ''; }
    else if (kind.key === 'other') filter.otherThan = KNOWN_CODES;
    else filter.actions = kind.codes;
  }
  if (query.unit) {
    const unit = await unitMeant(db, query.unit);
    if ('problem' in unit) { problems.push(unit.problem); query.unit = ''; }
    else filter.unit = await unitMatches(db, (query.unit = unit.id));
  }
  for (const [key, label] of [['from', '起始日期'], ['to', '截止日期']] as const) {
    // A day of the record's years: 9999-12-31 is a date, but the day after it is none (the end of a range is the start of its next day).
    if (query[key] && (!isDate(query[key]) || query[key] < '1900-01-01' || query[key] > '2999-12-31')) { problems.push(`${label}应为日期（如 2024-12-02），已忽略`); query[key] = ''; }
  }
  if (query.from && query.to && query.from > query.to) {
    problems.push('起始日期晚于截止日期，日期条件已忽略');
    query.from = ''; query.to = '';
  }
  if (query.from) filter.from = localDayStart(query.from);
  if (query.to) filter.until = localDayStart(nextDay(query.to));
  const page = raw.page;
  if (page !== undefined && page !== '') {
    const n = typeof page === 'string' && /^\d{1,6}$/.test(page) ? Number(page) : NaN;
    if (!(n >= 1 && n <= MAX_PAGE)) problems.push('页码无效，已显示第1页');
    else query.page = n;
  }
  return { query, filter, problems };
}

/**
 * Who a person chosen or typed is: a name the log records (an account's username, or a name tried at a failed
 * login), else the display name of one account the log records.
 */
async function personMeant(db: Tx, text: string): Promise<{ name: string } | { problem: string }> {
  if (await auditHasActor(db, text)) return { name: text };
  const named = (await accountsNamed(db, text)).filter((a) => a.display_name === text);
  if (named.length > 1) return { problem: `有多个账号名为“${quoted(text)}”，请改填其用户名` };
  if (named.length === 1 && await auditHasActor(db, named[0].username)) return { name: named[0].username };
  return { problem: '筛选条件“人员”不在审计记录中，已忽略' };
}

/** Which unit a unit chosen or typed is: the one of that id, else the one unit of that name. */
async function unitMeant(db: Tx, text: string): Promise<{ id: string } | { problem: string }> {
  const meant = await unitTyped(db, text, () => true);
  if ('unit' in meant) return { id: meant.unit.id };
  return { problem: meant.none === 'several' ? `有多个单位名为“${quoted(text)}”，请改填单位编号` : '筛选条件“单位”不存在，已忽略' };
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * What names a unit in entries written before they carried its id: a form's entry
 * (period/track/unit), an account's creation (its role and unit), and whatever the unit's
 * own accounts did (logins, appeals, attempts on others' pages).
 */
async function unitMatches(db: Tx, unitId: string): Promise<NonNullable<AuditFilter['unit']>> {
  const periods = (await listPeriods(db)).map((p) => p.id);
  const tracks = (await allAssessments(db)).map((a) => a.id);
  const subjects = periods.flatMap((p) => tracks.map((t) => `${p}/${t}/${unitId}`));
  const details = ['village', 'staff'].map((role) => JSON.stringify({ role, unit: unitId }));
  return { id: unitId, subjects, details, actors: await accountsOfUnit(db, unitId) };
}

/** One entry as the page and the export show it. */
export interface AuditLine { at: string; time: string; who: string; action: string; concerns: string; }

export interface AuditTrailPage {
  lines: AuditLine[]; total: number; page: number; pages: number;
  /** The form's choices, each as words; no list of people (of units) where there are more than MOST_CHOICES: the form then has a field to type one in. */
  people: Array<{ value: string; name: string; selected: boolean }> | undefined;
  actions: Array<{ value: string; name: string; selected: boolean }>;
  /** Units by kind (乡镇, 村, 工作人员), each by name. */
  units: Array<{ label: string; units: Array<{ value: string; name: string; selected: boolean }> }> | undefined;
  /** What the typed fields show of the person and the unit chosen: the username; the unit's name, or its id where another unit has that name. */
  personText: string; unitText: string;
  /** The filter in words (人员：王秘书；操作：发布公示), empty when there is none. */
  summary: string;
}

export async function auditTrailPage(db: Tx, read: AuditQueryResult): Promise<AuditTrailPage> {
  const { query, filter } = read;
  const total = await auditCount(db, filter);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const rows = await auditPage(db, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const words = await wordsFor(db, rows);
  // The accounts and 系统 (not every name ever typed at a failed login: a list anyone could lengthen), and the person asked for.
  const accounts = await displayNamesUpTo(db, MOST_CHOICES);
  const names = [...new Set([...(accounts ?? []).map((u) => u.username), SYSTEM_ACTOR, ...(query.person ? [query.person] : [])])];
  const actor = await actorNames(db, names);
  const people = accounts && names.map((a) => ({ value: a, name: cut(actor(a), 40), selected: a === query.person }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  const all = await unitsUpTo(db, MOST_CHOICES);
  const units = all && UNIT_GROUPS.map(([kind, label]) => ({
    label, units: all.filter((u) => u.kind === kind).map((u) => ({ value: u.id, name: cut(u.name, 40), selected: u.id === query.unit })),
  })).filter((g) => g.units.length > 0);
  return {
    lines: rows.map(words), total, page, pages, people, units, personText: query.person, unitText: await unitText(db, query.unit),
    actions: ACTION_KINDS.map((k) => ({ value: k.key, name: k.title, selected: k.key === query.action })),
    summary: await summaryOf(db, query, actor),
  };
}

/** A unit as its typed field shows it: by name, which finds it again, or by id where another unit has that name. */
async function unitText(db: Tx, id: string): Promise<string> {
  if (!id) return '';
  const name = (await unitNames(db, [id])).get(id) ?? id;
  const unit = await unitMeant(db, name);
  return 'id' in unit && unit.id === id ? name : id;
}

async function summaryOf(db: Tx, query: AuditQuery, actor: ActorName): Promise<string> {
  const parts: string[] = [];
  if (query.person) parts.push(`人员：${cut(actor(query.person), 40)}`);
  if (query.action) parts.push(`操作：${ACTION_KINDS.find((k) => k.key === query.action)!.title}`);
  if (query.unit) parts.push(`单位：${cut((await unitNames(db, [query.unit])).get(query.unit) ?? '', 40)}`);
  if (query.from || query.to) parts.push(`日期：${query.from ? dateInWords(query.from) : '最早'}至${query.to ? dateInWords(query.to) : '今'}`);
  return parts.join('；');
}

/** Every entry the filter finds (up to EXPORT_LIMIT), as rows for a spreadsheet. */
export async function auditTrailRows(db: Tx, read: AuditQueryResult): Promise<{ title: string[]; rows: string[][]; truncated: boolean }> {
  const lines: AuditLine[] = [];
  const chunk = 2000;
  let truncated = false;
  for (let offset = 0; ; offset += chunk) {
    const rows = await auditPage(db, read.filter, { limit: chunk, offset });
    const words = await wordsFor(db, rows);
    lines.push(...rows.map(words));
    if (rows.length < chunk) break;
    if (lines.length >= EXPORT_LIMIT) { truncated = true; lines.length = EXPORT_LIMIT; break; }
  }
  const summary = await summaryOf(db, read.query, await actorNames(db, [read.query.person]));
  const title = ['审计记录', `${summary || '全部记录'}，共${lines.length}条${truncated ? `（只导出最新的${EXPORT_LIMIT}条，请缩小筛选范围）` : ''}`];
  return { title, rows: [['时间（北京时间）', '人员', '操作', '涉及'], ...lines.map((l) => [l.time, l.who, l.action, l.concerns])], truncated };
}

/** Text from the record, shortened for a line of a page (a name may be 2,000 characters). */
function cut(text: string, max = 60): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function parseDetail(detail: string | null): Record<string, unknown> {
  if (!detail) return {};
  try {
    const v: unknown = JSON.parse(detail);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

/** The run an entry concerns: `run 5` as its subject, or a run named in its detail. */
function runIdOf(row: AuditRow, detail: Record<string, unknown>): number | undefined {
  const m = /^run (\d{1,9})$/.exec(row.subject ?? '');
  return m ? Number(m[1]) : int(detail.runId) ?? int(detail.run);
}

/** The unit an entry concerns: its unit_id, or the unit its subject or detail names. */
function unitIdOf(row: AuditRow, detail: Record<string, unknown>): string | undefined {
  if (row.unit_id) return row.unit_id;
  if (row.action === 'inputs.entry') return /^[^/]*\/[^/]*\/(.+)$/.exec(row.subject ?? '')?.[1];
  if (row.action.startsWith('unit.')) return str(detail.unit) ?? str(detail.unitId) ?? str(row.subject);
  if (row.action === 'access.denied') return /^(?:GET|POST|HEAD) \/(?:units|staff)\/([^/?#]+)/.exec(row.subject ?? '')?.[1];
  return str(detail.unit) ?? str(detail.unitId);
}

function decoded(segment: string): string {
  try { return decodeURIComponent(segment); } catch { return segment; }
}

/**
 * A function that puts each entry of these rows in words: the names it needs (runs, units,
 * accounts, rule sets) read once for all of them.
 */
async function wordsFor(db: Tx, rows: AuditRow[]): Promise<(row: AuditRow) => AuditLine> {
  const actor = await actorNames(db, rows.flatMap((r) => [r.actor, r.subject]));
  const details = new Map(rows.map((r) => [r.id, parseDetail(r.detail)]));
  const unitIds = rows.map((r) => unitIdOf(r, details.get(r.id)!)).filter((u): u is string => !!u).map((u) => (u.includes('%') ? decoded(u) : u));
  const units = await unitNames(db, unitIds);
  const accounts = await accountsByName(db, rows.filter((r) => r.action.startsWith('user.') || r.action.startsWith('account.')).map((r) => r.subject ?? ''));
  const runs = new Map<number, RunRow>(rows.some((r) => runIdOf(r, details.get(r.id)!) !== undefined) ? (await listRuns(db)).map((r) => [r.id, r]) : []);
  const rulesets = rows.some((r) => r.action.startsWith('rules.')) ? await rulesetTitles(db) : new Map<string, string>();
  const titles = await assessmentTitles(db);
  const trackTitle = (id: string) => titles.get(id);
  const assessmentOf = (id: string | undefined) => (id ? titles.get(id) : undefined);
  const unitName = (id: string | undefined) => (id === undefined ? undefined : units.get(id.includes('%') ? decoded(id) : id));
  const runWords = (id: number, detail: Record<string, unknown>) => {
    const run = runs.get(id);
    const period = run?.period_id ?? str(detail.period);
    const track = run?.track ?? str(detail.track);
    return [`第${id}号考核`, period ? periodTitle(period) : '', track ? trackTitle(track) ?? '' : ''].filter(Boolean).join(' ');
  };

  return (row) => {
    const detail = details.get(row.id)!;
    const unit = unitName(unitIdOf(row, detail));
    const parts: string[] = [];
    const runId = runIdOf(row, detail);
    switch (row.action) {
      case 'inputs.entry': {
        const [period, track] = (row.subject ?? '').split('/');
        parts.push(`${periodTitle(period ?? '')} ${trackTitle(track ?? '') ?? ''}`.trim(), unit ? cut(unit) : '');
        break;
      }
      case 'inputs.import': {
        const [period, track] = (row.subject ?? '').split('/');
        const n = int(detail.rows);
        parts.push(`${periodTitle(period ?? '')} ${trackTitle(track ?? '') ?? ''}`.trim() + (n !== undefined ? `，${n}个单位` : ''));
        break;
      }
      case 'events.add': case 'events.edit': case 'events.withdraw': case 'events.import': {
        // 2024年度，枫林村，“安全生产事故”，2024年5月3日 (an import: how many events).
        const period = str(detail.period), label = str(detail.label), date = str(detail.date), n = int(detail.events);
        parts.push(period ? periodTitle(period) : '', unit ? cut(unit) : '', label ? `“${cut(label, 40)}”` : '',
          date && isDate(date) ? dateInWords(date) : '', n !== undefined ? `${n}起事件` : '');
        break;
      }
      case 'collection.open': case 'collection.close': case 'collection.remind': {
        // 2024年度 村级党建工作专项考核，截止2024年12月20日 (a reminder: how many units).
        const [period, track] = (row.subject ?? '').split('/');
        const deadline = str(detail.deadline), n = int(detail.units);
        parts.push(`${periodTitle(period ?? '')} ${trackTitle(track ?? '') ?? ''}`.trim(), deadline && isDate(deadline) ? `截止${dateInWords(deadline)}` : '', n !== undefined ? `${n}个单位` : '');
        break;
      }
      case 'collection.reopen': case 'report.save': case 'report.submit': case 'report.return': case 'report.approve': {
        const period = str(detail.period), until = str(detail.until);
        parts.push(period ? periodTitle(period) : '', unit ? cut(unit) : '', until && isDate(until) ? `补报至${dateInWords(until)}` : '');
        break;
      }
      case 'rules.edit': case 'rules.import': {
        const rulesetId = (row.subject ?? '').split('@')[0];
        const version = str(detail.version);
        parts.push(`${cut(rulesets.get(rulesetId) ?? '考核细则')}${version ? `（${cut(version, 20)}版）` : ''}`);
        break;
      }
      case 'access.denied': {
        const m = /^(GET|POST|HEAD) \/([^/?#]*)(?:\/([^/?#]*))?/.exec(row.subject ?? '');
        const verb = m?.[1] === 'POST' ? '提交' : '打开';
        const page = unit ? `${cut(unit)}的${m?.[2] === 'staff' ? '考核' : '记分卡'}`
          : m?.[2] === 'runs' && m[3] && /^\d{1,9}$/.test(m[3]) ? `第${m[3]}号考核` : '无权使用的页面';
        parts.push(`试图${verb}${page}`);
        break;
      }
      case 'login': case 'login.fail':
        if (row.subject && /^[0-9a-fA-F:.]{1,64}$/.test(row.subject)) parts.push(`登录地址 ${row.subject}`);
        break;
      case 'assessment.add': case 'assessment.move': case 'assessment.disable': case 'assessment.enable': {
        const position = int(detail.to);
        parts.push(`考核：${cut(assessmentOf(row.subject ?? undefined) ?? str(detail.title) ?? '（未知）', 40)}${row.action === 'assessment.move' && position !== undefined ? `，移到第${position}位` : ''}`);
        break;
      }
      case 'assessment.rename': {
        const from = str(detail.from), to = str(detail.to);
        if (from !== undefined && to !== undefined) parts.push(`考核原名“${cut(from, 40)}”，改为“${cut(to, 40)}”`);
        break;
      }
      case 'seed.demo':
        parts.push('演示乡镇');
        break;
      case 'backup.download': case 'backup.create': case 'backup.restore':
        parts.push('全部考核记录');
        break;
      default:
        if (row.action.startsWith('user.') || row.action.startsWith('account.')) {
          const account = accounts.get(row.subject ?? '');
          const role = str(detail.role) ?? account?.role;
          const bound = unit ?? unitName(account?.unit_id ?? undefined);
          parts.push(`账号：${cut(account?.display_name || actor(row.subject) || '（已删除的账号）', 40)}`);
          if (role && own(ROLES, role)) parts.push(`${own(ROLES, role)}${bound ? `：${cut(bound, 40)}` : ''}`);
        } else if (runId !== undefined) {
          parts.push(runWords(runId, detail));
          if (unit) parts.push(cut(unit));
          const until = str(detail.reviewUntil);
          if (row.action === 'run.publish' && until && isDate(until)) parts.push(`公示截止${dateInWords(until)}`);
          const corrects = int(detail.corrects);
          if (row.action === 'run.correct' && corrects !== undefined) parts.push(`更正第${corrects}号`);
          const decision = str(detail.answer) ?? str(detail.decision) ?? str(detail.status);
          if (row.action === 'appeal.answer' && decision) parts.push(decision === 'rejected' ? '驳回' : decision === 'accepted' ? '采纳' : '');
        } else if (unit) {
          parts.push(cut(unit));
        }
        const from = str(detail.from), to = str(detail.to);
        if ((row.action === 'unit.rename' || row.action === 'account.rename') && from !== undefined && to !== undefined) {
          parts.push(`原名“${cut(from, 40)}”，改为“${cut(to, 40)}”`);
        }
        if (runId === undefined && row.action === 'appeal.answer') {
          const decision = str(detail.answer) ?? str(detail.decision) ?? str(detail.status);
          parts.push(decision === 'rejected' ? '驳回' : decision === 'accepted' ? '采纳' : '');
        }
    }
    return {
      at: row.at, time: localSecond(row.at), who: cut(actor(row.actor), 40), action: actionWords(row.action),
      concerns: parts.filter(Boolean).join('，'),
    };
  };
}
