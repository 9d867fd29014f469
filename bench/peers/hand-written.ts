import { clamp, finish, round9, roundHalfUp, steps } from './decimal.js';
import type { PeerScore } from './rank.js';

/**
 * The 40-criterion rule set of bench/synthetic-rules.ts written by hand in TypeScript, as a
 * programmer would for this one rule set: the inputs read by name, the rates computed once,
 * one pass over the 40 criteria whose kind repeats every 8 (the rule set's own pattern), and
 * the same decimal wrapper (peers/decimal.ts) as the other peers. The practical limit.
 */

export interface SyntheticInputs {
  id: string; parent: string; households: number; breach: number;
  due0: number; due1: number; due2: number; due3: number; due4: number; due5: number; due6: number; due7: number; due8: number; due9: number; due10: number; due11: number;
  done0: number; done1: number; done2: number; done3: number; done4: number; done5: number; done6: number; done7: number; done8: number; done9: number; done10: number; done11: number;
  reached0: number; reached1: number;
  err0: number; err1: number; err2: number; err3: number; err4: number; err5: number;
  flag0: boolean; flag1: boolean; flag2: boolean; flag3: boolean; flag4: boolean; flag5: boolean;
}

const P = 25;

export function scoreByHand(u: SyntheticInputs): PeerScore {
  const rates = [
    u.done0 / u.due0 * 100, u.done1 / u.due1 * 100, u.done2 / u.due2 * 100, u.done3 / u.due3 * 100,
    u.done4 / u.due4 * 100, u.done5 / u.due5 * 100, u.done6 / u.due6 * 100, u.done7 / u.due7 * 100,
    u.done8 / u.due8 * 100, u.done9 / u.due9 * 100, u.done10 / u.due10 * 100, u.done11 / u.due11 * 100,
  ];
  const shares = [u.reached0 / u.households, u.reached1 / u.households];
  const errs = [u.err0, u.err1, u.err2, u.err3, u.err4, u.err5];
  const flags = [u.flag0, u.flag1, u.flag2, u.flag3, u.flag4, u.flag5];
  const groups = [0, 0, 0, 0];
  for (let i = 0; i < 40; i++) {
    const x = rates[i % 12];
    let raw: number;
    switch (i & 7) {
      case 0: raw = round9(x) >= 95 ? P : P - 2 * steps(95 - x, 'started'); break;
      case 1: raw = round9(x) >= 90 ? P : P - steps((90 - x) / 0.5, 'whole'); break;
      case 2: raw = P - Math.min(20, 5 * steps(Math.max(0, errs[i % 6] - 1), 'whole')); break;
      case 3: raw = P * clamp(shares[i % 2], 0, 1); break;
      case 4: raw = P * clamp((x - 60) / 40, 0, 1); break;
      case 5: { const r = round9(x); raw = r >= 95 ? 25 : r >= 85 ? 20 : r >= 70 ? 12 : 0; break; }
      case 6: raw = P - (flags[i % 6] ? 0 : 10) - (errs[i % 6] > 3 ? 5 : 0); break;
      default: raw = round9(x) >= 98 ? P : P - 1.5 * steps(98 - x, 'proportional'); break;
    }
    if (i === 0 && u.breach > 0) raw = 0;
    groups[i / 10 | 0] += finish(raw, P, 1);
  }
  const g0 = roundHalfUp(groups[0], 1), g1 = roundHalfUp(groups[1], 1), g2 = roundHalfUp(groups[2], 1), g3 = roundHalfUp(groups[3], 1);
  const total = Math.max(0, roundHalfUp(g0 + g1 + g2 + g3, 1));
  return { id: u.id, parent: u.parent, total, vetoed: u.breach > 0, tie0: g0, tie1: g1 };
}
