import type { Tx } from '../db/connection.js';
import type { RunRow } from '../db/queries/runs.js';
import { unitsWithAncestors, type UnitRow } from '../db/queries/units.js';
import { localDate } from '../local-time.js';
import { noticeDocx, type Notice, type NoticeRow } from '../report/notice-docx.js';
import { sanctionPhrase } from '../report/sanction-reason.js';
import { periodTitle } from './period.js';
import { rankingView, type RankingView } from './rankings.js';
import { vetoLine, type Scorecard } from './scorecards.js';

/**
 * The 通报 of a run (关于2024年度村级…考核结果的通报): what the township prints, stamps and files,
 * and what the Word download holds. One view model for both, with every word and number as
 * it is printed: title, issuing unit and date, a short opening (period, rule set and its
 * version, how many units), the ranking one line per unit, the sanctions with their reasons,
 * the vetoes with their clause and the joint liabilities. Names only: no ids, no rule-file
 * identifier.
 */

export type { Notice, NoticeRow, NoticeSection } from '../report/notice-docx.js';

/** 1 → 一 … for the section numbers (a notice has a handful). */
const NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** The subject of a rule set's title, as a notice names it: 村级人口和计划生育工作千分考核细则 → …千分考核. */
export function appraisalSubject(ruleSetTitle: string): string {
  const subject = ruleSetTitle.trim().replace(/(实施)?(细则|办法|方案|标准)(（[^）]*）|\([^)]*\))?$/, '');
  return subject.endsWith('考核') ? subject : `${subject}考核`;
}

/** A unit as the issuer of a notice signs: a 镇 or 乡 (or 区, 县, 市) is its 人民政府, a 街道 its 办事处. */
export function issuerName(unit: Pick<UnitRow, 'name'>): string {
  const name = unit.name.trim();
  if (/(镇|乡|区|县|市)$/.test(name)) return `${name}人民政府`;
  if (/街道$/.test(name)) return `${name}办事处`;
  return name;
}

/**
 * The unit that issues the notice of these ranked units: the nearest unit above all of
 * them in the unit tree (the township of its villages; of its staff, whose parents are
 * villages, too). Undefined when the tree does not hold one.
 */
export function issuingUnit(units: readonly UnitRow[], parentIds: ReadonlyArray<string | null>): UnitRow | undefined {
  const byId = new Map(units.map((u) => [u.id, u]));
  const chain = (id: string | null): string[] => {
    const out: string[] = [];
    for (let at = id, hops = 0; at !== null && hops < 64; hops++) {
      out.push(at);
      at = byId.get(at)?.parent_id ?? null;
    }
    return out;
  };
  const distinct = [...new Set(parentIds)];
  if (distinct.length === 0 || distinct.includes(null)) return undefined;
  const common = distinct.map((p) => chain(p)).reduce((a, b) => a.filter((id) => b.includes(id)));
  // The nearest common unit the tree knows that is no village or person (staff serving one village are appraised by its township).
  return common.map((id) => byId.get(id)).find((u): u is UnitRow => u !== undefined && u.kind !== 'village' && u.kind !== 'staff')
    ?? common.map((id) => byId.get(id)).find((u): u is UnitRow => u !== undefined);
}

/** 2024-12-02 → 2024年12月2日, in the zone times are shown in. */
export function documentDate(moment: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate(moment));
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : '';
}

/** How a notice counts the units it ranks, by the kind its rule set appraises. */
function unitCount(unitKind: string, n: number): string {
  if (unitKind === 'village') return `${n}个村（社区）`;
  if (unitKind === 'staff') return `${n}名工作人员`;
  return `${n}个单位`;
}

const STATUS_LINE: Record<string, string> = { draft: '（草稿，未经发布）', superseded: '（已被更正，以更正后的结果为准）' };

/** Names joined for reading, in the order met. */
function grouped(entries: Array<[key: string, name: string]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, name] of entries) {
    const list = out.get(key);
    if (list) list.push(name); else out.set(key, [name]);
  }
  return out;
}

/** The notice of a ranking view, issued by `issuer` (a name, or ''), dated `now` unless the run was published. */
export function noticeFrom(view: RankingView, issuer: string, names: ReadonlyMap<string, string>, now: string): Notice {
  const { run, ruleset } = view;
  const precision = ruleset.precision;
  const fixed = (x: number | null) => (typeof x === 'number' ? x.toFixed(precision) : '—'); // — : the part does not apply to it
  const title = `关于${view.periodTitle}${appraisalSubject(ruleset.title)}结果的通报`;
  const nameOf = (u: { id: string; name: string | null }) => u.name ?? names.get(u.id) ?? '';

  const rows: NoticeRow[] = view.units.map((u) => ({
    rank: u.rank, name: nameOf(u), total: fixed(u.total), groups: u.groupScores.map(fixed), grade: u.grade ?? '',
    // The clauses of a veto are told below the table (三、一票否决): the row says only that there is one.
    remarks: [...u.sanctions.map(sanctionPhrase), ...(u.vetoes.length && !u.sanctions.some((s) => s.outcome === 'veto') ? ['一票否决（原因见下）'] : [])],
    vetoed: u.vetoed,
  }));

  const sanctions = grouped(view.units.flatMap((u) => u.sanctions.map((s): [string, string] => [sanctionPhrase(s), nameOf(u)])));
  const vetoes = grouped(view.units.filter((u) => u.vetoes.length > 0).map((u): [string, string] => [u.vetoes.map((v) => v.title).join('、'), nameOf(u)]));
  // Each parent's vetoed children, in ranked order, gathered once (a county's run has thousands of parents).
  const vetoedChildren = new Map<string, string[]>();
  const present = new Set<string | null>();
  for (const u of view.units) {
    present.add(u.parent);
    if (u.parent !== null && u.vetoes.length > 0) {
      const list = vetoedChildren.get(u.parent);
      if (list) list.push(nameOf(u)); else vetoedChildren.set(u.parent, [nameOf(u)]);
    }
  }
  const liable = view.parents.filter((p) => p.sanctions.length > 0 && present.has(p.id));
  const after: Array<[heading: string, text: string]> = [];
  if (sanctions.size) after.push(['奖惩情况', [...sanctions].map(([phrase, who]) => `${who.join('、')}：${phrase}`).join('；')]);
  if (vetoes.size) after.push(['一票否决', [...vetoes].map(([clause, who]) => `${who.join('、')}：${clause}`).join('；')]);
  if (liable.length) {
    after.push(['连带责任', liable.map((p) => `${names.get(p.id) ?? '上级单位'}：${p.sanctions.map((s) => s.label).join('、')}`
      + `（所属${(vetoedChildren.get(p.id) ?? []).join('、')}被一票否决）`).join('；')]);
  }

  const opening = `根据《${ruleset.title}》（${ruleset.version}版），对${unitCount(ruleset.subject, rows.length)}${view.periodTitle}工作进行了考核`
    + `${run.supersedes_id !== null ? '，并经复核对此前公布的结果作了更正' : ''}。现将考核结果通报如下：`;
  return {
    title, status: STATUS_LINE[run.status] ?? '', issuer,
    signedOn: documentDate(run.status === 'draft' || !run.published_at ? now : run.published_at),
    opening,
    groups: view.groups.map((g) => ({ title: g.title, points: `${g.points}分` })),
    rows,
    rankingHeading: `${NUMBERS[0]}、考核排名`,
    sections: after.map(([heading, text], k) => ({ heading: `${NUMBERS[k + 1]}、${heading}`, text: `${text}。` })),
    fileName: `${title}.docx`,
  };
}

/** The notice of a run as the ranking page shows it (filtered by parent, or all). */
export async function runNotice(db: Tx, run: RunRow, parentFilter: string | null, now = new Date().toISOString()): Promise<Notice> {
  const view = await rankingView(db, run, parentFilter);
  return noticeOfView(db, view, now);
}

/**
 * Notices made recently, by the ranking view they were made from (which the ranking service
 * keeps: a notice goes when its view does), with what else they follow from: the run's status
 * and the day they are dated. A ranking page is read far more often than its run changes.
 */
const notices = new WeakMap<object, { key: string; notice: Notice }>();

/** The notice of a ranking view already read. */
export async function noticeOfView(db: Tx, view: RankingView, now = new Date().toISOString()): Promise<Notice> {
  const key = `${view.run.status}|${view.run.published_at ?? ''}|${documentDate(now)}`;
  const hit = notices.get(view.units);
  if (hit?.key === key) return hit.notice;
  // The parents and those above them (the issuer), and a unit whose result kept no name: not every unit of a county's run.
  const units = await unitsWithAncestors(db, [...view.units.filter((u) => u.name === null).map((u) => u.id), ...view.units.map((u) => u.parent), ...view.parents.map((p) => p.id)]);
  const issuer = issuingUnit(units, view.units.map((u) => u.parent));
  const notice = noticeFrom(view, issuer ? issuerName(issuer) : '', new Map(units.map((u) => [u.id, u.name])), now);
  notices.set(view.units, { key, notice });
  return notice;
}

/**
 * The most units one Word notice holds. A township's notice holds its villages (tens); writing
 * a .docx takes some 2 ms a unit with the server doing nothing else, so a county's run of
 * thousands is asked for township by township.
 */
export const MAX_NOTICE_UNITS = 1000;

export class NoticeTooLarge extends Error {
  readonly code = 'NOTICE_TOO_LARGE';
}

/** The notice of a run as a Word document to download, named by its title. */
export async function noticeDocument(db: Tx, run: RunRow, parentFilter: string | null): Promise<{ bytes: Buffer; fileName: string }> {
  const notice = await runNotice(db, run, parentFilter);
  if (notice.rows.length > MAX_NOTICE_UNITS) {
    throw new NoticeTooLarge(`本次考核列出${notice.rows.length}个单位，一份通报最多${MAX_NOTICE_UNITS}个：请先按乡镇筛选，再下载通报`);
  }
  return { bytes: await noticeDocx(notice), fileName: notice.fileName };
}

/** A scorecard printed as the unit's 考核结果告知单: the words above its clause table and the signature below it. */
export interface ResultNotice { title: string; status: string; addressee: string; opening: string; issuer: string; signedOn: string; }

/** The 告知单 of one unit's scorecard (services/scorecards.ts), issued by the unit above it. */
export async function resultNotice(db: Tx, card: Pick<Scorecard, 'unit' | 'run' | 'ruleset' | 'result' | 'scopeSize'>, now = new Date().toISOString()): Promise<ResultNotice> {
  const { unit, run, ruleset, result } = card;
  const issuer = issuingUnit(await unitsWithAncestors(db, [unit.parent_id]), [unit.parent_id]);
  const staff = ruleset.subject === 'staff';
  const fixed = (x: number) => x.toFixed(ruleset.precision);
  const facts = [
    `总分${fixed(result.total)}分（满分${ruleset.totalPoints}分），在${staff ? `${card.scopeSize}名工作人员` : `${card.scopeSize}个村（社区）`}中排名第${result.rank}名，等级为“${result.grade ?? ''}”`,
    ...result.sanctions.map(sanctionPhrase),
    ...result.vetoes.map((v) => vetoLine(v.title)),
  ];
  return {
    title: '考核结果告知单',
    status: STATUS_LINE[run.status] ?? '',
    addressee: `${unit.name}${staff && unit.role ? `（${unit.role}）` : ''}：`,
    opening: `根据《${ruleset.title}》（${ruleset.version}版），${staff ? '你' : '你村'}${periodTitle(run.period_id)}考核结果如下：${facts.join('；')}。各项得分及扣分原因见下表。`,
    issuer: issuer ? issuerName(issuer) : '',
    signedOn: documentDate(run.status === 'draft' || !run.published_at ? now : run.published_at),
  };
}
