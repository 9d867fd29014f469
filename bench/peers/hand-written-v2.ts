import type { SourceResult } from '../../src/engine/index.js';
import { clamp, finish, round9, roundHalfUp, steps } from './decimal.js';
import type { PeerScore } from './rank.js';
import { INCIDENT_LEVELS, V2_PRECISION, V2_TOTAL, type V2Cells } from '../synthetic-v2.js';

/**
 * The version-2 rule set of bench/synthetic-v2.ts written by hand in TypeScript, as a programmer
 * would for this one rule set (RULES.md §7 by hand): the rates computed once for every unit; one
 * pass per ranking scope (the parent's units) for the peer functions — the rank of rate2, the
 * largest rate3, the average of rate1, each over the values rounded to 9 decimals (§4, §7.7), the
 * average summed in the units' order as the engine does; then each unit scored: the source's result
 * looked up by the unit's id (a unit with none is an error: the source is required), its events
 * read into their count at 较大 and their points, the items that do not apply left out and their
 * points taken from the total's (按比例折算), `floor` on c2 and d0. The same decimal wrapper
 * (peers/decimal.ts) as the other peers. No cell checking.
 */

const P = V2_PRECISION;

export function scoreV2ByHand(units: V2Cells[], fp: ReadonlyMap<string, SourceResult>): PeerScore[] {
  const n = units.length;
  const rate0 = new Float64Array(n), rate1 = new Float64Array(n), rate2 = new Float64Array(n), rate3 = new Float64Array(n);
  const scopes = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const u = units[i];
    rate0[i] = u.done0 / u.due0 * 100;
    rate1[i] = u.done1 / u.due1 * 100;
    rate2[i] = u.done2 / u.due2 * 100;
    rate3[i] = u.done3 / u.due3 * 100;
    let members = scopes.get(u.parent);
    if (!members) scopes.set(u.parent, (members = []));
    members.push(i);
  }
  // The peer functions, one pass per scope: peerRank(rate2), peerMax(rate3), peerAvg(rate1).
  const rank2 = new Float64Array(n), max3 = new Float64Array(n), avg1 = new Float64Array(n);
  for (const members of scopes.values()) {
    // The values exact (RULES.md §4), compared at 9 decimals.
    let max = -Infinity, sum = 0;
    for (const i of members) {
      if (round9(rate3[i]) > round9(max)) max = rate3[i];
      sum += rate1[i];
    }
    const avg = sum / members.length;
    for (const i of members) {
      const own = round9(rate2[i]);
      let above = 0;
      for (const j of members) if (round9(rate2[j]) > own) above++;
      rank2[i] = 1 + above;
      max3[i] = max;
      avg1[i] = avg;
    }
  }
  const out: PeerScore[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const u = units[i];
    const source = fp.get(u.id);
    if (!source) throw new Error(`bench: the source has no result for ${u.id}`);
    const r0 = rate0[i], r1 = rate1[i];
    // 一、基础工作
    const a0 = finish(round9(r0) >= 95 ? 25 : 25 - 2 * steps(95 - r0, 'started'), 25, P);
    const a1 = finish(25 * clamp((r1 - 60) / 40, 0, 1), 25, P);
    const a2 = finish(25 - Math.min(20, 5 * steps(Math.max(0, u.err0 - 1), 'whole')), 25, P);
    const a3 = finish(25 - (u.flag0 ? 0 : 10) - (u.err0 > 3 ? 5 : 0), 25, P);
    const gA = roundHalfUp(a0 + a1 + a2 + a3, P);
    // 二、排名赋分
    const rank = rank2[i];
    const b0 = finish(rank <= 1 ? 40 : rank <= 2 ? 36 : rank <= 3 ? 32 : rank <= 5 ? 28 : rank <= 10 ? 24 : 16, 40, P);
    const b1 = finish(30 * clamp(rate3[i] / max3[i], 0, 1), 30, P);
    const avg = avg1[i];
    const b2 = finish(round9(r1) >= round9(avg) ? 30 : 30 * r1 / avg, 30, P);
    const gB = roundHalfUp(b0 + b1 + b2, P);
    // 三、不适用项: c0 only where there is a farm, c1 only in villages of 600 households or more.
    let gC = 0, notApplicable = 0;
    if (u.hasFarm) gC += finish(50 * clamp((u.farmDone / u.farmDue * 100 - 50) / 50, 0, 1), 50, P);
    else notApplicable += 50;
    if (u.households >= 600) gC += u.flag1 ? 25 : 0;
    else notApplicable += 25;
    gC = roundHalfUp(gC + finish((r0 - 85) / 2, 25, P, -10), P);
    // 四、事件与来源
    let sum = 0, major = 0;
    for (const e of u.incidents) {
      if ('level' in e) {
        sum += INCIDENT_LEVELS[e.level];
        if (e.level === '较大') major++;
      } else sum += e.points;
    }
    const d0 = finish(20 - sum, 20, P, -20);
    const d1 = finish(source.total / 10, 100, P);
    const d2 = finish(50 * clamp(source.scores!.g0! / 250, 0, 1), 50, P);
    const d3 = !source.vetoed && round9(source.metrics!.rate0 as number) >= 80 ? 30 : 0;
    const gD = roundHalfUp(d0 + d1 + d2 + d3, P);
    let items = gA + gB + gC + gD;
    const applicable = V2_TOTAL - notApplicable;
    if (applicable < V2_TOTAL) items = items * V2_TOTAL / applicable;
    out[i] = { id: u.id, parent: u.parent, total: Math.max(0, roundHalfUp(items, P)), vetoed: major >= 3, tie0: gA, tie1: gB };
  }
  return out;
}
