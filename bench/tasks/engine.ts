import {
  appraise, loadRuleSet, rankUnits, readUnits, scoreUnits, sourceResultsOf, HeldUnit, type CompiledRuleSet, type Unit, type DataTable, type RankedUnit, type SourceResult, type SourceResults,
} from '../../src/engine/index.js';
import { ruleSchema } from '../../src/io/rule-file.js';
import { checksum, gc, median, pageFaults, type Checksum } from '../measure.js';
import { scoreByHand, type SyntheticInputs } from '../peers/hand-written.js';
import { scoreV2ByHand } from '../peers/hand-written-v2.js';
import { scoreByJsonLogicV2, translateToJsonLogicV2 } from '../peers/json-logic-v2.js';
import { scoreByJsonLogic, translateToJsonLogic } from '../peers/json-logic.js';
import { scoreByRulesEngine, translateToRulesEngine } from '../peers/json-rules-engine.js';
import { rankPeers, type PeerRanked, type RankSpec } from '../peers/rank.js';
import { syntheticRuleSet, syntheticUnits, type Cells } from '../synthetic-rules.js';
import { syntheticRuleSetV2, syntheticUnitsV2, V2_GRADES, V2_SANCTIONS, type V2Cells } from '../synthetic-v2.js';

/**
 * Engine throughput against its peers on the 40-criterion rule set at one size: each
 * contestant scores and ranks the same typed cells; all checksums must agree before any
 * time is returned. Warm-up on 2,000 other units (three passes, and on for half a second),
 * and for the fast contestants one untimed pass on all units; then timed passes on all
 * units after one full collection and one untimed pass more (the fast contestants as many as
 * fill about a second; the first one timed is the one checksummed); the median is reported.
 */

/** About how long the fast contestants' timed passes take at each size, and the most passes they make. */
const TIMED_MS = 1000, MAX_PASSES = 50;

export interface ContestantResult {
  name: string; ms: number; runs: number; unitsPerSecond: number; checksum: Checksum;
  /** The median, over the timed passes, of the pages each touched for the first time. */
  pageFaultsPerPass: number;
}

interface Contestant {
  name: string;
  /** Timed passes at this size (for the fast contestants, the fewest). */
  runs: number;
  /** One untimed pass over all units first (the fast contestants: see engineTask). */
  fullWarmUp?: boolean;
  /** Untimed preparation of the input (e.g. the engine's readUnits for the score+rank-only line) from the rule set's data. */
  prepare(data: never): unknown;
  /** The timed work: the contestant's own result, as it gives it. */
  run(input: unknown): unknown;
  /** That result as (id, total, rank) rows for the checksum, untimed: the harness's conversion is no contestant's work. */
  rows(output: unknown): Iterable<Row>;
}

type Row = { id: string; total: number; rank: number };

export function benchRuleSet(): CompiledRuleSet {
  return loadRuleSet(JSON.stringify(syntheticRuleSet()), 'bench-40.json', ruleSchema()).ruleset;
}

export function tableOf(cells: Cells[] | V2Cells[], file = 'bench-40'): DataTable {
  return { file, columns: Object.keys(cells[0]), rows: cells.map((c, i) => ({ row: i + 2, cells: c as unknown as Record<string, unknown> })) };
}

export function benchRuleSetV2(): CompiledRuleSet {
  return loadRuleSet(JSON.stringify(syntheticRuleSetV2()), 'bench-v2.json', ruleSchema()).ruleset;
}

/**
 * The version-2 rule set's data: its units' cells, and the source's results for them, as the product
 * keeps them (column by column, source-results.ts) and as objects by id (for the peers, which read a
 * unit's result as an object: made from the columns once, untimed, as the columns are made).
 */
export interface V2Data { cells: V2Cells[]; fp: SourceResults; fpObjects: ReadonlyMap<string, SourceResult> }

/**
 * The source of the version-2 rule set: the 40-criterion assessment of units with the same ids,
 * appraised by the engine and read as a source's results (sourceResultsOf, as a run's source is);
 * made once a size, untimed, and shared by every contestant (nobody writes into it).
 */
const sourceMade = new Map<string, SourceResults>();
export function sourceResults(n: number, seed?: number): SourceResults {
  const key = `${n}:${seed}`;
  let made = sourceMade.get(key);
  if (!made) {
    const rs = benchRuleSet();
    sourceMade.set(key, (made = sourceResultsOf(rs, appraise(rs, tableOf(syntheticUnits(n, seed))))));
  }
  return made;
}

/** The source's results as objects by id, in the columns' order: what the peers read. */
const objectsMade = new WeakMap<SourceResults, ReadonlyMap<string, SourceResult>>();
export function sourceObjects(fp: SourceResults): ReadonlyMap<string, SourceResult> {
  let made = objectsMade.get(fp);
  if (!made) objectsMade.set(fp, (made = new Map([...fp.keys()].map((id) => [id, fp.get(id)!]))));
  return made;
}

export function v2Data(n: number, seed?: number): V2Data {
  const fp = sourceResults(n, seed);
  return { cells: syntheticUnitsV2(n, seed), fp, fpObjects: sourceObjects(fp) };
}

/** A sanction's `when` of the form `total >= x`, the only form V2_SANCTIONS writes. */
const atLeast = (x: number) => (u: { total: number }) => u.total >= x;

/** The version-2 rule set's ranking for the shared peers' ranking (peers/rank.ts). */
const V2_RANKING: RankSpec = {
  sanctions: V2_SANCTIONS.map((s) => ({
    ...(s.place !== undefined ? { place: s.place } : { rank: s.rank as [number, number] }),
    ...(s.when ? { when: atLeast(Number(s.when.split('>=')[1])) } : {}),
    ...(s.group ? { group: s.group } : {}), outcome: s.outcome, label: s.label,
  })),
  grades: V2_GRADES.filter((g): g is { atLeast: number; label: string } => g.atLeast !== undefined),
  otherwise: V2_GRADES.find((g) => g.atLeast === undefined && !g.vetoed)!.label,
  vetoed: V2_GRADES.find((g) => g.vetoed)!.label,
};

const engineRows = (units: unknown): Row[] => (units as RankedUnit[]).map((u) => ({ id: u.unit.id, total: u.total, rank: u.rank }));
const peerRows = (r: unknown): Row[] => (r as { units: PeerRanked[] }).units;

/** The contestants on the 40-criterion rule set. */
function contestantsV1(size: number, quick: boolean): Contestant[] {
  const rs = benchRuleSet();
  const json = syntheticRuleSet();
  const logic = translateToJsonLogic(json);
  const rules = translateToRulesEngine(json);
  const fast = quick ? 3 : 5;
  return [
    { name: 'engine', runs: fast, fullWarmUp: true, prepare: (cells: Cells[]) => tableOf(cells), run: (t) => appraise(rs, t as DataTable).units, rows: engineRows },
    {
      // Units whose values are already read and held (not read again from their rows): scoring and ranking alone.
      name: 'engineScoreRank', runs: fast, fullWarmUp: true, prepare: (cells: Cells[]) => readUnits(rs, tableOf(cells)).units.map((u) => new HeldUnit(u.id, u.name, u.parent, u.row, u.env)),
      run: (units) => rankUnits(rs, scoreUnits(rs, units as Unit[])).units, rows: engineRows,
    },
    { name: 'handWritten', runs: fast, fullWarmUp: true, prepare: (c: Cells[]) => c, run: (c) => rankPeers((c as unknown as SyntheticInputs[]).map(scoreByHand)), rows: peerRows },
    { name: 'jsonLogic', runs: size <= 10_000 ? 3 : size <= 100_000 && !quick ? 2 : 1, prepare: (c: Cells[]) => c, run: (c) => rankPeers((c as Cells[]).map((u) => scoreByJsonLogic(logic, u))), rows: peerRows },
    {
      name: 'jsonRulesEngine', runs: size <= 10_000 && !quick ? 3 : 1, prepare: (c: Cells[]) => c, rows: peerRows,
      run: async (c) => {
        const out = [];
        for (const u of c as Cells[]) out.push(await scoreByRulesEngine(rules, u));
        return rankPeers(out);
      },
    },
  ];
}

/**
 * The contestants on the version-2 rule set: the engine from typed cells with the source's results
 * (`appraise(rs, table, { sources })`: the source read into every row, the events read, the peer
 * functions worked out per scope, every cell checked, scored, ranked), the hand-written function and
 * json-logic (its harness: peers/json-logic-v2.ts), each ranked by the shared ranking.
 */
function contestantsV2(size: number, quick: boolean): Contestant[] {
  const rs = benchRuleSetV2();
  const logic = translateToJsonLogicV2(syntheticRuleSetV2());
  const fast = quick ? 3 : 5;
  return [
    {
      name: 'engine', runs: fast, fullWarmUp: true, prepare: (d: V2Data) => ({ table: tableOf(d.cells, 'bench-v2'), sources: new Map([['fp', d.fp]]) }),
      run: (x) => { const { table, sources } = x as { table: DataTable; sources: Map<string, SourceResults> }; return appraise(rs, table, { sources }).units; },
      rows: engineRows,
    },
    { name: 'handWritten', runs: fast, fullWarmUp: true, prepare: (d: V2Data) => d, run: (d) => rankPeers(scoreV2ByHand((d as V2Data).cells, (d as V2Data).fpObjects), V2_RANKING), rows: peerRows },
    {
      name: 'jsonLogic', runs: size <= 10_000 ? 3 : size <= 100_000 && !quick ? 2 : 1, prepare: (d: V2Data) => d,
      run: (d) => rankPeers(scoreByJsonLogicV2(logic, (d as V2Data).cells as unknown as Array<Record<string, unknown>>, (d as V2Data).fpObjects), V2_RANKING), rows: peerRows,
    },
  ];
}

/**
 * One timed pass of a contestant, and the checksum of its result when asked for: the result itself is
 * not returned, so that nothing keeps it while the next pass is timed. Held by the loop's own variable
 * (a suspended async function keeps its registers), one pass's 100,000 results lived through the next
 * pass, and the garbage collector copied them, moved them to the old generation and marked them there,
 * at the next pass's cost: 10–30% of the engine's pass at 100,000 units.
 */
async function timedPass(k: Contestant, input: unknown, withSum: boolean): Promise<{ ms: number; sum: Checksum | undefined }> {
  const t0 = performance.now();
  const value = k.run(input);
  const done = value instanceof Promise ? await value : value; // json-rules-engine's is a promise; the others' their result
  const ms = performance.now() - t0;
  return { ms, sum: withSum ? checksum(k.rows(done)) : undefined };
}

/**
 * `ruleset`: "v1" (the 40-criterion set, default) or "v2" (bench/synthetic-v2.ts); `skip`: contestants
 * not measured; `only`: the contestants measured (the growth rounds measure the engine alone).
 */
export async function engineTask(args: { size: number; quick: boolean; ruleset?: 'v1' | 'v2'; skip?: string[]; only?: string[] }): Promise<{ size: number; ruleset: string; contestants: ContestantResult[] }> {
  const { size, quick } = args;
  const v2 = args.ruleset === 'v2';
  const contestants = v2 ? contestantsV2(size, quick) : contestantsV1(size, quick);
  const data = (n: number, seed?: number): never => (v2 ? v2Data(n, seed) : syntheticUnits(n, seed)) as never;

  const results: ContestantResult[] = [];
  for (const k of contestants.filter((c) => !args.skip?.includes(c.name) && (!args.only || args.only.includes(c.name)))) {
    // Warm-up units made the same way as the timed ones (not copies: a copy has another hidden class).
    const warm = k.prepare(data(2000, 7));
    // Warm-up: three passes, and more until half a second has gone, so that what V8 optimizes
    // in the background (a generated scorer takes it a few hundred ms) is in place for every contestant.
    const warmUntil = performance.now() + 500;
    for (let i = 0; i < (k.name === 'jsonRulesEngine' ? 1 : 3) || (k.name !== 'jsonRulesEngine' && performance.now() < warmUntil); i++) await k.run(warm);
    // Fresh data for each contestant (the engine and the peers write into what they are given),
    // made after the warm-up.
    const input = k.prepare(data(size));
    // The fast contestants pass once over all units untimed, so that the heap has grown to its
    // size: on these VMs memory touched for the first time costs tens of microseconds a page,
    // which is the machine's cost, not the contestant's. The slow peers (a pass of theirs takes
    // seconds to minutes) run after them in the same process, on a heap already grown.
    let runs = k.runs;
    if (k.fullWarmUp) {
      // A pass of 20 ms (10,000 units) is at the mercy of one collection or one burst of page
      // faults: the fast contestants make as many timed passes as fill about a second (at
      // least `runs`, at most 50), so that their median is of a second's work at every size.
      const { ms } = await timedPass(k, input, false);
      runs = Math.min(MAX_PASSES, Math.max(k.runs, Math.ceil(TIMED_MS / Math.max(1, ms))));
    }
    const times: number[] = [], faultCounts: number[] = [];
    let sum: Checksum | undefined;
    // One full collection before the timed passes, none between them: each pass then collects
    // the garbage of one pass, as work done again and again does. A collection forced before
    // every pass left V8 to grow its young generation back each time, and on these VMs each
    // page touched again costs 13–18 µs: at 10,000 units that was 240 pages and 40% of a pass.
    gc();
    // And one pass untimed after it: V8 gives the young generation back after a full collection, and the
    // first pass after it grows it again, collecting as it goes (at 100,000 units it took the engine 1.5–2×
    // the time of the passes after it). json-rules-engine makes none: a pass takes it seconds.
    if (k.name !== 'jsonRulesEngine') await timedPass(k, input, false);
    for (let i = 0; i < runs; i++) {
      const faults = pageFaults();
      const pass = await timedPass(k, input, !sum);
      times.push(pass.ms);
      faultCounts.push(pageFaults() - faults);
      // BENCH_TRACE=1: each pass's time and the pages it touched for the first time.
      if (process.env.BENCH_TRACE) process.stderr.write(`    ${k.name}: ${pass.ms.toFixed(0)} ms, ${faultCounts[i]} page faults\n`);
      sum ??= pass.sum;
    }
    const ms = median(times);
    results.push({ name: k.name, ms, runs, unitsPerSecond: size / (ms / 1000), checksum: sum!, pageFaultsPerPass: median(faultCounts) });
    process.stderr.write(`  [engine ${v2 ? 'v2 ' : ''}${size}] ${k.name} measured\n`);
  }
  return { size, ruleset: v2 ? 'v2' : 'v1', contestants: results };
}
