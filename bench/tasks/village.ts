import { appraise, rankUnits, readUnits, scoreUnits } from '../../src/engine/index.js';
import { parseCsvData } from '../../src/io/data-file.js';
import { UNLIMITED } from '../../src/io/limits.js'; // 1,000,000 rows: the pipeline measured past a file's limit
import { readRuleFile } from '../../src/io/rule-file.js';
import { RULES_DIR } from '../../src/paths.js';
import { syntheticVillagesCsv } from '../../test/support/synthetic.js';
import path from 'node:path';
import { checksum, gc, median, timed } from '../measure.js';

/** The shipped rule set (rules/village-annual.json) on synthetic villages: the engine alone. */
export async function villageTask(args: { size: number; quick: boolean }) {
  const { size, quick } = args;
  const { ruleset: rs } = readRuleFile(path.join(RULES_DIR, 'village-annual.json'));
  const warm = parseCsvData(syntheticVillagesCsv(2000, { seed: 7 }), 'warm.csv');
  for (let i = 0; i < 3; i++) appraise(rs, warm);
  const csv = syntheticVillagesCsv(size);
  gc();
  const parse = await timed(() => parseCsvData(csv, 'villages.csv', UNLIMITED));
  const table = parse.value;
  const times: number[] = [], readTimes: number[] = [], scoreTimes: number[] = [];
  let sum;
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    gc();
    const { ms, value } = await timed(() => appraise(rs, table));
    times.push(ms);
    sum ??= checksum(value.units.map((u) => ({ id: u.unit.id, total: u.total, rank: u.rank })));
  }
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    gc();
    const read = await timed(() => readUnits(rs, table).units);
    readTimes.push(read.ms);
    gc();
    scoreTimes.push((await timed(() => rankUnits(rs, scoreUnits(rs, read.value)))).ms); // reads each unit's row again as it scores it
  }
  const ms = median(times);
  return {
    size, parseCsvMs: parse.ms, appraiseMs: ms, unitsPerSecond: size / (ms / 1000),
    readUnitsMs: median(readTimes), scoreRankMs: median(scoreTimes), scoreRankUnitsPerSecond: size / (median(scoreTimes) / 1000), checksum: sum,
  };
}
