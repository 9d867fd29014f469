import type { Tx } from '../db/connection.js';
import { insertMessages, recipientIds } from '../db/queries/messages.js';
import type { Role } from '../db/queries/users.js';

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

export interface Channel {
  readonly name: string;
  deliver(tx: Tx, userIds: number[], message: Message, at: string): Promise<void>;
}

/** The inbox on the product's own pages. */
export const inboxChannel: Channel = {
  name: 'inbox',
  async deliver(tx, userIds, message, at) {
    await insertMessages(tx, userIds.map((user_id) => ({
      user_id, kind: message.kind, title: message.title.slice(0, 500), body: message.body?.slice(0, 2000) ?? null,
      link: message.link ?? null, created_at: at, dedupe: message.dedupe ?? null,
    })));
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
  for (const c of channels) await c.deliver(tx, ids, message, at);
  return ids.length;
}
