import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { Config } from '../../src/config.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { UNLIMITED } from '../../src/io/limits.js'; // 1,000,000 rows: the pipeline measured past a file's limit
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { syntheticVillagesCsv } from '../../test/support/synthetic.js';
import { peakRss, timed } from '../measure.js';

/**
 * End to end through the services, as `appraisal import`, `run` and `publish` do: a CSV of
 * synthetic villages written to a temporary file, then read + parsed + imported, the run
 * (load, score, rank, store every result) and the publication, each timed; peak RSS of the
 * process after each step (the kernel's high-water mark, so it includes everything before).
 */

export const BENCH_SCHEMA = 'appraisal_bench';

export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
}

/**
 * PostgreSQL in a schema of its own (appraisal_bench, wiped first), so that the benchmark
 * never wipes the public schema a test suite may be using at the same moment.
 */
async function freshPostgres(url: string): Promise<string> {
  const db = knexFactory({ client: 'pg', connection: url });
  try {
    await db.raw(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`);
    await db.raw(`CREATE SCHEMA ${BENCH_SCHEMA}`);
  } finally {
    await db.destroy();
  }
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${BENCH_SCHEMA}`);
  return u.toString();
}

export async function endToEndTask(args: { backend: 'sqlite' | 'postgres'; size: number }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'appraisal-bench-'));
  try {
    const config: Config = args.backend === 'sqlite'
      ? { databaseFile: path.join(dir, 'appraisal.sqlite'), port: 0, seed: 'none' }
      : { databaseFile: '', databaseUrl: await freshPostgres(benchDatabaseUrl()!), port: 0, seed: 'none' };
    const open = await timed(() => openStore(config));
    const db = open.value;
    try {
      const file = path.join(dir, 'villages.csv');
      writeFileSync(file, syntheticVillagesCsv(args.size));
      const steps: Record<string, { ms: number; peakRssBytes: number }> = {};
      const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        const { ms, value } = await timed(fn);
        steps[name] = { ms, peakRssBytes: peakRss() };
        process.stderr.write(`  [${args.backend} ${args.size}] ${name} done\n`);
        return value;
      };
      const period = '2031';
      await step('import', async () => {
        const bytes = readFileSync(file);
        return importInputs(db, { periodId: period, table: parseDataBytes(bytes, 'villages.csv', UNLIMITED), fileBytes: bytes, by: 'bench' });
      });
      const run = await step('run', () => createRun(db, { periodId: period, by: 'bench', onProgress: process.env.BENCH_TRACE ? phases() : undefined }));
      await step('publish', () => publishRun(db, run.id, 'bench'));
      return { backend: args.backend, size: args.size, openMs: open.ms, steps, peakRssBytes: peakRss() };
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** BENCH_TRACE=1: when each step of a run begins and ends, on stderr. */
function phases(): (step: string, done: number, total: number) => void {
  const t0 = performance.now();
  let last = '';
  return (step, done, total) => {
    if (step !== last || done === total) process.stderr.write(`    run ${step} ${done}/${total} at ${(performance.now() - t0).toFixed(0)} ms\n`);
    last = step;
  };
}

