import type { Tx } from '../connection.js';

export interface ThrottleRow { key: string; failures: number; window_start: string; locked_until: string | null; }

export async function throttleOf(db: Tx, key: string): Promise<ThrottleRow | undefined> {
  return db('login_throttle').where({ key }).first();
}

export async function saveThrottle(db: Tx, row: ThrottleRow): Promise<void> {
  await db('login_throttle').insert(row).onConflict('key').merge(['failures', 'window_start', 'locked_until']);
}

export async function clearThrottle(db: Tx, key: string): Promise<void> {
  await db('login_throttle').where({ key }).delete();
}
