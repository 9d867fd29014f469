import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DEMO_DIR } from '../../src/paths.js';

/**
 * Large, valid village data for tests and benchmarks: the demo township's rows copied
 * under new ids (seeded, deterministic), so that every check of the shipped rule set
 * holds and the totals spread as the real ones do. All under one `parent` when given (the
 * demo township's `fenglin`), else under made-up townships of some 20 villages each.
 */
export function syntheticVillagesCsv(units: number, opts: { seed?: number; year?: string; townships?: number; parent?: string } = {}): string {
  const source = parse(readFileSync(path.join(DEMO_DIR, `villages-${opts.year ?? '2023'}.csv`), 'utf8'), { bom: true }) as string[][];
  const [header, ...rows] = source;
  const idCol = header.indexOf('id'), nameCol = header.indexOf('name'), parentCol = header.indexOf('parent');
  let state = opts.seed ?? 42;
  const random = () => { state = (state * 1103515245 + 12345) & 0x7fffffff; return state / 0x7fffffff; };
  const townships = opts.townships ?? Math.max(1, Math.ceil(units / 20));
  const out = [header.join(',')];
  for (let i = 0; i < units; i++) {
    const row = [...rows[Math.floor(random() * rows.length)]];
    row[idCol] = `v${String(i + 1).padStart(7, '0')}`;
    row[nameCol] = `第${i + 1}村`;
    row[parentCol] = opts.parent ?? `t${String((i % townships) + 1).padStart(5, '0')}`;
    out.push(row.join(','));
  }
  return out.join('\n') + '\n';
}

export function writeSyntheticVillages(file: string, units: number, opts?: Parameters<typeof syntheticVillagesCsv>[1]): string {
  writeFileSync(file, syntheticVillagesCsv(units, opts));
  return file;
}
