import type { Tx } from '../db/connection.js';
import { displayNamesOf } from '../db/queries/users.js';

/**
 * Who did something, as people read it: an account's display name (王秘书), not its
 * account name (leader); the product's own work (the demo seed, the shipped rules)
 * as 系统. An account since removed keeps the name it was recorded under.
 */
export type ActorName = (username: string | null | undefined, orElse?: string) => string;

/** The account name the product records its own work under. */
export const SYSTEM_ACTOR = 'system';
/** How the product's own work is named to people. */
export const SYSTEM_NAME = '系统';

/**
 * How to name the accounts a page shows: `usernames` are those it will ask for (read from the record at once, never
 * every account: a province has one a village). One not among them is named as one the record does not have.
 */
export async function actorNames(db: Tx, usernames: Iterable<string | null | undefined>): Promise<ActorName> {
  const names = new Map((await displayNamesOf(db, usernames)).map((u) => [u.username, u.display_name.trim() || u.username]));
  // `orElse`: how to name one who is no account of the record (a unit's report made without one, as the demo's are: its unit).
  return (username, orElse) => {
    if (username === null || username === undefined || username === '') return '';
    return names.get(username) ?? (username === SYSTEM_ACTOR ? SYSTEM_NAME : orElse ?? username);
  };
}
