import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { Config } from '../../src/config.js';

/**
 * The databases the storage suites run on: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL names a test database (whose public schema each suite wipes).
 */
export interface Backend {
  name: string;
  available: boolean;
  /** A config on an empty database; `seed` as the product would. */
  fresh(seed?: 'demo' | 'none'): Promise<Config>;
}

const url = process.env.TEST_DATABASE_URL;

export const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    available: true,
    fresh: async (seed = 'none') => ({
      databaseFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'appraisal-db-')), 'appraisal.sqlite'), port: 0, seed,
    }),
  },
  {
    name: 'PostgreSQL',
    available: !!url,
    fresh: async (seed = 'none') => {
      const db = knexFactory({ client: 'pg', connection: url });
      try {
        await db.raw('DROP SCHEMA IF EXISTS public CASCADE');
        await db.raw('CREATE SCHEMA public');
      } finally {
        await db.destroy();
      }
      return { databaseFile: '', databaseUrl: url, port: 0, seed };
    },
  },
];

let told = false;
/** describe() on each available backend; says plainly when PostgreSQL is skipped. */
export function onEachBackend(title: string, body: (this: Mocha.Suite, backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    if (!backend.available) {
      if (!told) {
        told = true;
        process.stdout.write('\n  ⚠ PostgreSQL storage suites SKIPPED: TEST_DATABASE_URL is not set (.ci/run sets it; see README)\n\n');
      }
      describe.skip(`${title} [${backend.name}: skipped, TEST_DATABASE_URL not set]`, function () { body.call(this, backend); });
      continue;
    }
    describe(`${title} [${backend.name}]`, function () { body.call(this, backend); });
  }
}
