import { prng, UNITS_PER_PARENT, type Json } from './synthetic-rules.js';

/**
 * A deterministic version-2 rule set (RULES.md §7) beside the 40-criterion one, and seeded unit
 * data for it at any size: peer functions (peerRank in bands, x / peerMax(x), a peerAvg
 * comparison), `appliesIf` on two items (units it does not apply to are scaled to the total's
 * points), an events input with levels and a range (0–4 events inline in each unit's cell), a
 * source (the 40-criterion assessment's results for the same units: fp.total, fp.vetoed, the score
 * of its group g0 and its metric rate0), `floor` on two items and the method `amount`.
 * Every peer (peers/hand-written-v2.ts, peers/json-logic-v2.ts) is checked against the engine by
 * checksum before any time is shown.
 */

export const V2_TOTAL = 500;
export const V2_PRECISION = 1;
export const V2_RATES = 4;

/** The events input: levels and a range (每起扣2至5分, 一般事故5分, 较大事故10分). */
export const INCIDENT_LEVELS: Record<string, number> = { 一般: 5, 较大: 10 };
export const INCIDENT_RANGE: [number, number] = [2, 5];

/** The rank bands of item b0 (排名第1至5名依次得40、36、32、28分，前10名24分，其余16分). */
export const RANK_BANDS = [{ atMost: 1, points: 40 }, { atMost: 2, points: 36 }, { atMost: 3, points: 32 }, { atMost: 5, points: 28 }, { atMost: 10, points: 24 }, { points: 16 }];

/** The sanctions of the ranking (§7.9: prizes by rank range with a minimum score, in one group). */
export const V2_SANCTIONS = [
  { rank: [1, 2], when: 'total >= 400', group: 'prize', outcome: 'commendation', label: '一等奖' },
  { rank: [1, 5], when: 'total >= 350', group: 'prize', outcome: 'commendation', label: '二等奖' },
  { place: -1, outcome: 'criticism', label: '通报批评' },
];
export const V2_GRADES = [{ atLeast: 450, label: '优秀' }, { atLeast: 375, label: '良好' }, { atLeast: 300, label: '合格' }, { label: '不合格' }, { vetoed: true, label: '不合格（一票否决）' }];

/** The version-2 rule set as a parsed rule file (JSON.stringify it for loadRuleSet). */
export function syntheticRuleSetV2(): Json {
  const inputs: Json = { households: { label: '总户数', type: 'integer', min: 1, max: 10000 } };
  for (let k = 0; k < V2_RATES; k++) {
    inputs[`due${k}`] = { label: `第${k}项应完成数`, type: 'integer', min: 1, max: 10000 };
    inputs[`done${k}`] = { label: `第${k}项已完成数`, type: 'integer', min: 0, max: 10000 };
  }
  Object.assign(inputs, {
    err0: { label: '差错数', type: 'integer', min: 0, max: 100 },
    flag0: { label: '制度落实', type: 'boolean' },
    flag1: { label: '档案规范', type: 'boolean' },
    hasFarm: { label: '辖区内有农场', type: 'boolean', default: false },
    farmDue: { label: '农场应完成数', type: 'integer', min: 1, max: 10000, default: 1 },
    farmDone: { label: '农场已完成数', type: 'integer', min: 0, max: 10000, default: 0 },
    incidents: { label: '督查发现问题', type: 'events', levels: INCIDENT_LEVELS, range: INCIDENT_RANGE, unit: '起' },
  });
  const metrics: Json = {};
  for (let k = 0; k < V2_RATES; k++) metrics[`rate${k}`] = { label: `第${k}项完成率`, unit: '%', expr: `done${k} / due${k} * 100` };
  metrics.farmRate = { label: '农场完成率', unit: '%', expr: 'farmDone / farmDue * 100' };
  return {
    id: 'bench-v2', version: '2', title: '基准测试用第二版细则', subject: 'village',
    totalPoints: V2_TOTAL, precision: V2_PRECISION,
    sources: { fp: { label: '四十项细则考核', ruleset: 'bench-40', scores: ['g0'], metrics: ['rate0'] } },
    inputs, metrics,
    items: [
      {
        id: 'gA', title: '一、基础工作', points: 100, items: [
          { id: 'a0', title: '完成率达95%', points: 25, deduct: [{ method: 'shortfall', value: 'rate0', target: 95, better: 'higher', per: 1, points: 2, steps: 'started' }] },
          { id: 'a1', title: '完成率按比例', points: 25, award: { method: 'linear', value: 'rate1', zeroAt: 60, fullAt: 100 } },
          { id: 'a2', title: '差错', points: 25, deduct: [{ method: 'per', count: 'err0', points: 5, allowed: 1, max: 20 }] },
          { id: 'a3', title: '制度', points: 25, deduct: [{ method: 'check', test: 'not flag0', points: 10 }, { method: 'check', test: 'err0 > 3', points: 5 }] },
        ],
      },
      {
        id: 'gB', title: '二、排名赋分', points: 100, items: [
          { id: 'b0', title: '完成率全乡排名', points: 40, award: { method: 'bands', value: 'peerRank(rate2)', bands: RANK_BANDS } },
          { id: 'b1', title: '按第1名的比例得分', points: 30, award: { method: 'ratio', value: 'rate3 / peerMax(rate3)' } },
          { id: 'b2', title: '与平均水平比较', points: 30, award: { method: 'amount', value: 'if(rate1 >= peerAvg(rate1), 30, 30 * rate1 / peerAvg(rate1))' } },
        ],
      },
      {
        id: 'gC', title: '三、不适用项', points: 100, items: [
          { id: 'c0', title: '农场工作', points: 50, appliesIf: 'hasFarm', award: { method: 'linear', value: 'farmRate', zeroAt: 50, fullAt: 100 } },
          { id: 'c1', title: '大村档案', points: 25, appliesIf: 'households >= 600', award: { method: 'check', test: 'flag1' } },
          { id: 'c2', title: '完成率高于85%的加分、低于的倒扣', points: 25, floor: -10, award: { method: 'amount', value: '(rate0 - 85) / 2' } },
        ],
      },
      {
        id: 'gD', title: '四、事件与来源', points: 200, items: [
          {
            id: 'd0', title: '督查发现问题', points: 20, floor: -20, deduct: [{ method: 'amount', value: 'sum(incidents)' }],
            vetoIf: 'count(incidents, "较大") >= 3', vetoTitle: '督查发现较大问题3起以上',
          },
          { id: 'd1', title: '四十项考核折合', points: 100, award: { method: 'amount', value: 'fp.total / 10' } },
          { id: 'd2', title: '四十项考核第一部分', points: 50, award: { method: 'ratio', value: 'fp.g0 / 250' } },
          { id: 'd3', title: '四十项考核未被否决且完成率达80%', points: 30, award: { method: 'check', test: 'not fp.vetoed and fp.rate0 >= 80' } },
        ],
      },
    ],
    grades: V2_GRADES,
    ranking: {
      scope: 'parent', tieBreak: ['gA', 'gB'], vetoedLast: true,
      sanctions: V2_SANCTIONS,
      liability: [{ when: 'childVetoed', outcome: 'criticism', label: '通报批评' }],
    },
  };
}

/** An event as a unit's cell holds it inline: by level, or by points within the range. */
export type Incident = { level: string } | { points: number };

/** One unit's cells for the version-2 rule set: typed values, the events inline. */
export interface V2Cells {
  id: string; parent: string; households: number;
  due0: number; done0: number; due1: number; done1: number; due2: number; done2: number; due3: number; done3: number;
  err0: number; flag0: boolean; flag1: boolean; hasFarm: boolean; farmDue: number; farmDone: number;
  incidents: Incident[];
}

/** `n` units, 20 to a parent, with the ids of syntheticUnits (the source's units), seeded. */
export function syntheticUnitsV2(n: number, seed = 20241120): V2Cells[] {
  const random = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const done = (due: number) => Math.min(due, Math.floor(due * (0.6 + 0.42 * random())));
  const out: V2Cells[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const households = int(200, 3000);
    const d0 = int(50, 800), d1 = int(50, 800), d2 = int(50, 800), d3 = int(50, 800);
    const farmDue = int(20, 400);
    const incidents: Incident[] = [];
    for (let e = int(0, 4); e > 0; e--) {
      const r = random();
      incidents.push(r < 0.4 ? { level: '一般' } : r < 0.6 ? { level: '较大' } : { points: INCIDENT_RANGE[0] + Math.floor(random() * 7) / 2 });
    }
    // One object literal, so that every unit has the same hidden class, as JSON.parse gives.
    out[i] = {
      id: `u${String(i + 1).padStart(7, '0')}`, parent: `p${String(Math.floor(i / UNITS_PER_PARENT) + 1).padStart(6, '0')}`, households,
      due0: d0, done0: done(d0), due1: d1, done1: done(d1), due2: d2, done2: done(d2), due3: d3, done3: done(d3),
      err0: Math.floor(random() ** 3 * 8), flag0: random() > 0.1, flag1: random() > 0.2,
      hasFarm: random() < 0.3, farmDue, farmDone: done(farmDue),
      incidents,
    };
  }
  return out;
}
