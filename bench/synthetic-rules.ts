/**
 * A deterministic 40-criterion rule set in the language of RULES.md, and deterministic
 * unit data for it at any size (seeded PRNG), both built in memory. The criteria follow
 * one pattern (criterion i has kind i % 8) so that the hand-written peer can follow it too;
 * every peer is checked against the engine by checksum before any time is shown.
 */

export const CRITERIA = 40;
export const GROUPS = 4;
export const RATES = 12;
export const ERRS = 6;
export const SHARES = 2;
export const CRITERION_POINTS = 25;
export const PRECISION = 1;

export type Kind = 'shortfallStarted' | 'shortfallWhole' | 'per' | 'ratio' | 'linear' | 'bands' | 'checks' | 'shortfallProportional';
export const KINDS: Kind[] = ['shortfallStarted', 'shortfallWhole', 'per', 'ratio', 'linear', 'bands', 'checks', 'shortfallProportional'];

export const BANDS = [{ atLeast: 95, points: 25 }, { atLeast: 85, points: 20 }, { atLeast: 70, points: 12 }, { points: 0 }];

export type Json = Record<string, unknown>;

function criterion(i: number): Json {
  const k = i % RATES, j = i % ERRS, s = i % SHARES;
  const base = { id: `c${i}`, title: `第${i + 1}项`, points: CRITERION_POINTS };
  switch (KINDS[i % 8]) {
    case 'shortfallStarted':
      return {
        ...base,
        deduct: [{ method: 'shortfall', value: `rate${k}`, target: 95, better: 'higher', per: 1, points: 2, steps: 'started' }],
        ...(i === 0 ? { zeroIf: 'breach > 0', vetoIf: 'breach > 0' } : {}),
      };
    case 'shortfallWhole':
      return { ...base, deduct: [{ method: 'shortfall', value: `rate${k}`, target: 90, better: 'higher', per: 0.5, points: 1, steps: 'whole' }] };
    case 'per':
      return { ...base, deduct: [{ method: 'per', count: `err${j}`, points: 5, allowed: 1, max: 20 }] };
    case 'ratio':
      return { ...base, award: { method: 'ratio', value: `share${s}` } };
    case 'linear':
      return { ...base, award: { method: 'linear', value: `rate${k}`, zeroAt: 60, fullAt: 100 } };
    case 'bands':
      return { ...base, award: { method: 'bands', value: `rate${k}`, bands: BANDS } };
    case 'checks':
      return { ...base, deduct: [{ method: 'check', test: `not flag${j}`, points: 10 }, { method: 'check', test: `err${j} > 3`, points: 5 }] };
    case 'shortfallProportional':
      return { ...base, deduct: [{ method: 'shortfall', value: `rate${k}`, target: 98, better: 'higher', per: 1, points: 1.5 }] };
  }
}

/** The rule set as a parsed rule file (JSON.stringify it for loadRuleSet). */
export function syntheticRuleSet(): Json {
  const inputs: Json = { households: { label: '总户数', type: 'integer', min: 1, max: 10000 } };
  for (let k = 0; k < RATES; k++) {
    inputs[`due${k}`] = { label: `第${k}项应完成数`, type: 'integer', min: 1, max: 10000 };
    inputs[`done${k}`] = { label: `第${k}项已完成数`, type: 'integer', min: 0, max: 10000 };
  }
  for (let s = 0; s < SHARES; s++) inputs[`reached${s}`] = { label: `第${s}项到位户数`, type: 'integer', min: 0, max: 10000 };
  for (let j = 0; j < ERRS; j++) {
    inputs[`err${j}`] = { label: `第${j}类差错数`, type: 'integer', min: 0, max: 100 };
    inputs[`flag${j}`] = { label: `第${j}项制度落实`, type: 'boolean' };
  }
  inputs.breach = { label: '严重违规起数', type: 'integer', min: 0, max: 10 };
  const metrics: Json = {};
  for (let k = 0; k < RATES; k++) metrics[`rate${k}`] = { label: `第${k}项完成率`, unit: '%', expr: `done${k} / due${k} * 100` };
  for (let s = 0; s < SHARES; s++) metrics[`share${s}`] = { label: `第${s}项到位比例`, expr: `reached${s} / households` };
  const groups = [];
  for (let g = 0; g < GROUPS; g++) {
    const items = [];
    for (let i = g * 10; i < g * 10 + 10; i++) items.push(criterion(i));
    groups.push({ id: `g${g}`, title: `第${g + 1}部分`, points: 10 * CRITERION_POINTS, items });
  }
  return {
    id: 'bench-40', version: '1', title: '基准测试用四十项细则', subject: 'village',
    totalPoints: GROUPS * 10 * CRITERION_POINTS, precision: PRECISION,
    inputs, metrics, items: groups,
    checks: [{ when: 'reached0 <= households and reached1 <= households', message: '到位户数不能大于总户数' }],
    vetoes: [{ id: 'veto-breach', title: '严重违规两起以上', when: 'breach > 1' }],
    grades: [{ atLeast: 900, label: '优秀' }, { atLeast: 750, label: '良好' }, { atLeast: 600, label: '合格' }, { label: '不合格' }, { vetoed: true, label: '不合格（一票否决）' }],
    ranking: {
      scope: 'parent', tieBreak: ['g0', 'g1'], vetoedLast: true,
      sanctions: [
        { place: 1, outcome: 'commendation', label: '表彰' },
        { place: -1, outcome: 'veto', label: '一票否决' },
        { place: -2, outcome: 'criticism', label: '通报批评' },
      ],
      liability: [{ when: 'childVetoed', outcome: 'criticism', label: '通报批评' }],
    },
  };
}

/** One unit's cells as the engine's DataTable and the peers both receive them: typed values. */
export type Cells = Record<string, string | number | boolean>;

/** mulberry32: small, fast, and the same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const UNITS_PER_PARENT = 20;

/** `n` units, 20 to a parent, seeded: the same data on every run and machine. */
export function syntheticUnits(n: number, seed = 20240601): Cells[] {
  const random = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const out: Cells[] = new Array(n);
  const done = (due: number) => Math.min(due, Math.floor(due * (0.6 + 0.42 * random())));
  const err = () => Math.floor(random() ** 3 * 8);
  for (let i = 0; i < n; i++) {
    const households = int(200, 3000);
    const d0 = int(50, 800), d1 = int(50, 800), d2 = int(50, 800), d3 = int(50, 800), d4 = int(50, 800), d5 = int(50, 800), d6 = int(50, 800), d7 = int(50, 800), d8 = int(50, 800), d9 = int(50, 800), d10 = int(50, 800), d11 = int(50, 800);
    // One object literal, so that every unit has the same hidden class, as JSON.parse gives
    // (an object grown key by key past a dozen properties falls into slow dictionary mode).
    out[i] = {
      id: `u${String(i + 1).padStart(7, '0')}`, parent: `p${String(Math.floor(i / UNITS_PER_PARENT) + 1).padStart(6, '0')}`, households,
      due0: d0, done0: done(d0),
      due1: d1, done1: done(d1),
      due2: d2, done2: done(d2),
      due3: d3, done3: done(d3),
      due4: d4, done4: done(d4),
      due5: d5, done5: done(d5),
      due6: d6, done6: done(d6),
      due7: d7, done7: done(d7),
      due8: d8, done8: done(d8),
      due9: d9, done9: done(d9),
      due10: d10, done10: done(d10),
      due11: d11, done11: done(d11),
      reached0: Math.floor(households * (0.5 + 0.5 * random())), reached1: Math.floor(households * (0.5 + 0.5 * random())),
      err0: err(), flag0: random() > 0.1,
      err1: err(), flag1: random() > 0.1,
      err2: err(), flag2: random() > 0.1,
      err3: err(), flag3: random() > 0.1,
      err4: err(), flag4: random() > 0.1,
      err5: err(), flag5: random() > 0.1,
      breach: random() < 0.005 ? int(1, 3) : 0,
    };
  }
  return out;
}
