import { inTransaction, type Db, type Tx } from '../db/connection.js';
import { accountsOfUnits, dedupeSent, inboxOf, insertMessages, markRead, messageCount, recipientIds, unreadCount, unreadForHeader } from '../db/queries/messages.js';
import { runsEndingReview } from '../db/queries/overview.js';
import { rankedUnitsWithAccounts } from '../db/queries/publication.js';
import type { Role } from '../db/queries/users.js';
import { periodTitle } from './period.js';
import { perDatabase } from './per-database.js';
import { dateInWords, daysBetween, today } from './review-period.js';
import { assessmentTitle, unitKindOf } from './assessments.js';

/**
 * Telling people (告知): every service that has something to tell — 公示 started, an appeal
 * filed or answered, a correction, a deadline near — calls `notify`, and each channel
 * delivers. The one channel today is the inbox on the product's own pages, written in the
 * same transaction as what it tells of. A text-message or messaging-app channel is added
 * by `addChannel` (never from tests: nothing here may reach the network).
 */

export interface Recipients { roles?: Role[]; unitIds?: string[]; userIds?: number[]; }

export interface Message {
  /** What it is about: review.started, review.deadline, appeal.filed, appeal.answered, run.corrected … */
  kind: string;
  /** One line, in words (公示已开始：2024年度村级千分考核结果，截止12月9日). */
  title: string;
  body?: string;
  /** The page it is about (made by the http layer's urlOf, or a path). */
  link?: string;
  /** A message with the same key reaches each account once (a reminder asked for again is not sent again). */
  dedupe?: string;
}

/** One message to some accounts. */
export interface Delivery { userIds: number[]; message: Message; }

export interface Channel {
  readonly name: string;
  /** Delivers each message to its accounts (a publication's are one a unit, 100,000 for a province: delivered together). */
  deliver(tx: Tx, deliveries: Delivery[], at: string): Promise<void>;
}

/** The inbox on the product's own pages. */
export const inboxChannel: Channel = {
  name: 'inbox',
  async deliver(tx, deliveries, at) {
    await insertMessages(tx, deliveries.flatMap(({ userIds, message }) => userIds.map((user_id) => ({
      user_id, kind: message.kind, title: message.title.slice(0, 500), body: message.body?.slice(0, 2000) ?? null,
      link: message.link ?? null, created_at: at, dedupe: message.dedupe ?? null,
    }))));
  },
};

const channels: Channel[] = [inboxChannel];

/** Adds a channel (an SMS gateway, a messaging app) beside the inbox. */
export function addChannel(channel: Channel): void {
  if (!channels.some((c) => c.name === channel.name)) channels.push(channel);
}

/** Tells the recipients (enabled accounts with those roles, of those units, or those ids) the message. */
export async function notify(tx: Tx, to: Recipients, message: Message): Promise<number> {
  const ids = await recipientIds(tx, to);
  if (ids.length === 0) return 0;
  const at = new Date().toISOString();
  for (const c of channels) await c.deliver(tx, [{ userIds: ids, message }], at);
  return ids.length;
}

/**
 * Tells each unit's enabled accounts its own message (its own link: 公示 started, a correction, a deadline near),
 * the accounts of all the units read at once and every message delivered together. Returns how many accounts.
 */
export async function notifyUnits(tx: Tx, messages: Array<{ unitId: string; message: Message }>): Promise<number> {
  if (messages.length === 0) return 0;
  const ofUnit = new Map<string, number[]>();
  for (const a of await accountsOfUnits(tx, [...new Set(messages.map((m) => m.unitId))])) {
    const list = ofUnit.get(a.unit_id);
    if (list) list.push(a.id);
    else ofUnit.set(a.unit_id, [a.id]);
  }
  const deliveries = messages.flatMap(({ unitId, message }) => (ofUnit.has(unitId) ? [{ userIds: ofUnit.get(unitId)!, message }] : []));
  if (deliveries.length === 0) return 0;
  const at = new Date().toISOString();
  for (const c of channels) await c.deliver(tx, deliveries, at);
  return deliveries.reduce((n, d) => n + d.userIds.length, 0);
}

/* Reading the inbox (消息): the account's own messages only — every read and mark names the account. */

/** The most messages the inbox page lists. */
export const INBOX_LIMIT = 200;

export interface InboxLine {
  id: number; kind: string; title: string; body: string | null; at: string; unread: boolean;
  /** The page the message is about: a path on this site, or null (a link that is none is not followed). */
  link: string | null;
}

/** A link a message may carry: a path of this site, never another site's address or a script. */
export function safeLink(link: string | null): string | null {
  return link !== null && /^\/(?!\/)[^\s\\]{0,1000}$/.test(link) ? link : null;
}

export async function inboxLines(db: Tx, userId: number): Promise<{ lines: InboxLine[]; total: number; unread: number }> {
  const rows = await inboxOf(db, userId, INBOX_LIMIT);
  return {
    lines: rows.map((m) => ({ id: m.id, kind: m.kind, title: m.title, body: m.body, at: m.created_at, unread: m.read_at === null, link: safeLink(m.link) })),
    total: await messageCount(db, userId),
    unread: await unreadCount(db, userId),
  };
}

/** Marks the account's messages read: all, or one of its own (another account's message is left as it is). Returns how many. */
export async function markMessagesRead(db: Tx, userId: number, id?: number): Promise<number> {
  return markRead(db, userId, new Date().toISOString(), id);
}

/** The unread count the header of every page shows. */
export const unreadMessages = unreadForHeader;

/** The days before a 公示's last day from which its accounts are reminded: two days before, the day before, the day itself. */
export const REMINDER_DAYS = 2;

/** Where a reminder leads: made by the web layer, which spells every link. */
export interface ReminderLinks {
  /** A unit's appeals of the run (village or staff). */
  /** `unitKind`: the kind of unit the run's assessment appraises (village, staff). */
  unitAppeals(unitId: string, unitKind: string, runId: number): string;
  run(runId: number): string;
}

/**
 * Reminds the accounts concerned of every 公示 that ends within REMINDER_DAYS (review.deadline):
 * each ranked unit's accounts (申诉 is still possible until the end of the day) and the leaders
 * (定稿 follows). Each account is told once per run (dedupe `review.deadline:<runId>`), however
 * often this is called and by however many processes. Returns the runs it wrote reminders for.
 */
export async function remindDeadlines(db: Db, links: ReminderLinks, now: number = Date.now()): Promise<number[]> {
  const from = today(now);
  const runs = await runsEndingReview(db, from, addDays(from, REMINDER_DAYS));
  const reminded: number[] = [];
  for (const run of runs) {
    const dedupe = `review.deadline:${run.id}`;
    // Sent already (to someone): the accounts concerned have it. An account added since gets 公示 news from then on.
    if (await dedupeSent(db, dedupe)) continue;
    const left = daysBetween(from, run.review_until!);
    const when = `${dateInWords(run.review_until!)}（${left === 0 ? '今天' : left === 1 ? '明天' : `${left}天后`}）`;
    const what = `${periodTitle(run.period_id)}${(await assessmentTitle(db, run.track)) ?? ''}结果`;
    const kind = await unitKindOf(db, run.track);
    await inTransaction(db, async (tx) => {
      await notifyUnits(tx, (await rankedUnitsWithAccounts(tx, run.id)).map((unitId) => ({
        unitId, message: { kind: 'review.deadline', title: `公示即将截止：${what}的公示于${when}截止，如有异议请在截止前申诉`, link: links.unitAppeals(unitId, kind, run.id), dedupe },
      })));
      await notify(tx, { roles: ['leader'] }, {
        kind: 'review.deadline', title: `公示即将截止：第${run.id}号考核（${what}）的公示于${when}截止；截止后且申诉均已答复，即可定稿`,
        link: links.run(run.id), dedupe,
      });
    });
    reminded.push(run.id);
  }
  return reminded;
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * When reminders are looked for: when a page is served to a signed-in account and no look has
 * been taken in the last minute (per database, per process), in the background — no page waits
 * for it, and on SQLite a long import holding the one writer holds up no reader. A timer would
 * need starting and stopping beside every server and test, and would write where nobody reads;
 * a reminder is only ever read on a page, so looking when pages are served loses nothing.
 * Several processes may each look: the dedupe key sends each account one reminder.
 */
export const REMINDER_CHECK_EVERY_MS = 60_000;
const lastLook = perDatabase(() => ({ at: -Infinity, running: undefined as Promise<unknown> | undefined }));

export function remindDeadlinesNow(db: Db, links: ReminderLinks, onError: (e: unknown) => void, now: number = Date.now()): Promise<unknown> | undefined {
  const look = lastLook(db);
  if (look.running || now - look.at < REMINDER_CHECK_EVERY_MS) return undefined;
  look.at = now;
  look.running = remindDeadlines(db, links, now).catch(onError).finally(() => { look.running = undefined; });
  return look.running;
}

/** The reminder look under way for this database, if any (tests wait for it). */
export function reminderUnderWay(db: Db): Promise<unknown> | undefined {
  return lastLook(db).running;
}
