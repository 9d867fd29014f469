import type { CompiledRuleSet, Sanction, UnitJson } from '../engine/index.js';

/**
 * Why a unit bears a sanction (倒数第二名，通报批评): the place of the rule set's sanction that
 * fell on it, in words. The engine gives a unit its sanctions as {outcome, label} (a
 * contract); the place is found again here from the rule set's `ranking.sanctions` and the
 * unit's rank level within its scope, as the engine placed it.
 */

export interface ReasonedSanction extends Sanction {
  /** The place in words (第一名, 倒数第二名, 排名最后); '' (or none) when no rule of the set names it. */
  reason?: string;
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; a number of 100 or more in digits. */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 100) return String(n);
  if (n < 10) return DIGITS[n];
  const tens = Math.floor(n / 10), ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

/** A sanction's place as a township writes it: 1 第一名, 2 第二名, −1 排名最后, −2 倒数第二名. */
/** Where a sanction falls, in words: 第一名, 倒数第二名, 前二名, 第三至六名. */
export function sanctionPlaceWords(rule: { place?: number; rank?: readonly [number, number] }): string {
  if (rule.place !== undefined) return placeWords(rule.place);
  const [from, to] = rule.rank ?? [1, 1];
  if (from === to) return `第${chineseNumber(from)}名`;
  return from === 1 ? `前${chineseNumber(to)}名` : `第${chineseNumber(from)}至${chineseNumber(to)}名`;
}

export function placeWords(place: number): string {
  if (place === -1) return '排名最后';
  return place > 0 ? `第${chineseNumber(place)}名` : `倒数第${chineseNumber(-place)}名`;
}

/** A sanction with its reason, as one phrase: 倒数第二名，通报批评 (the label alone when no reason is known). */
export function sanctionPhrase(s: { label: string; reason?: string }): string {
  return s.reason ? `${s.reason}，${s.label}` : s.label;
}

type Ranked = Pick<UnitJson, 'id' | 'parent' | 'rank' | 'sanctions'>;

/**
 * Each unit's sanctions with their reasons, by unit id. `units` must hold every unit of
 * the scopes asked about (a whole township when the rule set ranks by parent, the whole
 * run when it ranks all together): a rank level is counted within the scope.
 */
export function sanctionReasons(rs: CompiledRuleSet, units: readonly Ranked[]): Map<string, ReasonedSanction[]> {
  const byParent = rs.ranking.scope === 'parent';
  const levelsOf = new Map<string | null, number[]>();
  for (const u of units) {
    const key = byParent ? u.parent : null;
    let levels = levelsOf.get(key);
    if (!levels) levelsOf.set(key, (levels = []));
    levels.push(u.rank);
  }
  for (const [key, ranks] of levelsOf) levelsOf.set(key, [...new Set(ranks)].sort((a, b) => a - b));

  const reasons = new Map<string, ReasonedSanction[]>();
  for (const u of units) {
    if (u.sanctions.length === 0) continue;
    const levels = levelsOf.get(byParent ? u.parent : null)!;
    const level = levels.indexOf(u.rank);
    reasons.set(u.id, u.sanctions.map((s) => {
      const rule = rs.ranking.sanctions.find((r) => r.outcome === s.outcome && r.label === s.label
        && (r.place !== undefined ? (r.place > 0 ? r.place - 1 : levels.length + r.place) === level : !!r.rank && r.rank[0] <= u.rank && u.rank <= r.rank[1]));
      return { outcome: s.outcome, label: s.label, reason: rule ? sanctionPlaceWords(rule) : '' };
    }));
  }
  return reasons;
}
