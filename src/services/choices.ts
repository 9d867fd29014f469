import type { Tx } from '../db/connection.js';
import { unitsByIdOrName, type UnitRow } from '../db/queries/units.js';

/**
 * The most units or accounts a form lists to choose from: a county's townships, a township's villages and its
 * people. Past it (a province's 100,000 villages) a form asks for one to be typed, by name or number (unitTyped).
 */
export const MOST_CHOICES = 300;

/**
 * The unit a typed text means among those `accepted`: the one of that id, else the one of that name; or why
 * there is none (no such unit, or several of that name, when the number must be given).
 */
export async function unitTyped(db: Tx, text: string, accepted: (u: UnitRow) => boolean): Promise<{ unit: UnitRow } | { none: 'unknown' | 'several' }> {
  const found = text ? (await unitsByIdOrName(db, text)).filter(accepted) : [];
  const unit = found.find((u) => u.id === text) ?? (found.length === 1 ? found[0] : undefined);
  return unit ? { unit } : { none: found.length > 1 ? 'several' : 'unknown' };
}

/** Text someone typed, as a message quotes it back: at most `n` characters, without marks that turn or hide text. */
export function quoted(text: string, n = 20): string {
  const plain = [...text.replace(/[\p{Cc}\p{Cf}]/gu, '')];
  return plain.length > n ? `${plain.slice(0, n).join('')}…` : plain.join('');
}
