import { spawnSync } from 'node:child_process';
import path from 'node:path';
import knexFactory from 'knex';
import type { Config } from '../../src/config.js';
import { tempDir } from './temp.js';

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

/**
 * The database this test process wipes and fills: with `mocha --parallel` two processes run files at
 * once, so each makes a database of its own beside the one TEST_DATABASE_URL names (its name with the
 * process id; the role needs CREATEDB, which .ci/run grants) and drops it when it exits. Without the
 * right to create one, the named database itself (a single process only).
 */
let processUrl: Promise<string> | undefined;
function ownDatabase(base: string): Promise<string> {
  return (processUrl ??= (async () => {
    const target = new URL(base);
    const name = `${target.pathname.slice(1)}_p${process.pid}`;
    const admin = knexFactory({ client: 'pg', connection: base });
    try {
      await admin.raw(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.raw(`CREATE DATABASE "${name}"`);
    } catch (e) {
      // Two processes wiping one schema would fail each other's tests at random: say why instead.
      if (process.env.MOCHA_WORKER_ID !== undefined) throw new Error(`mocha --parallel needs a PostgreSQL role that may create databases (ALTER ROLE … CREATEDB): ${(e as Error).message}`);
      return base; // one process without CREATEDB: the named database, as before
    } finally {
      await admin.destroy();
    }
    process.once('exit', () => {
      // Dropped by a short child process: an exiting process cannot wait for a connection of its own.
      spawnSync(process.execPath, ['-e', DROP_SCRIPT, base, name], { stdio: 'ignore', timeout: 10_000 });
    });
    target.pathname = `/${name}`;
    return target.toString();
  })());
}

const DROP_SCRIPT = `
const [base, name] = process.argv.slice(1);
import('knex').then(async ({ default: knex }) => {
  const db = knex({ client: 'pg', connection: base });
  try { await db.raw('DROP DATABASE IF EXISTS "' + name + '" WITH (FORCE)'); } finally { await db.destroy(); }
});`;

export const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    available: true,
    fresh: async (seed = 'none') => ({
      databaseFile: path.join(tempDir('appraisal-db-'), 'appraisal.sqlite'), port: 0, seed,
    }),
  },
  {
    name: 'PostgreSQL',
    available: !!url,
    fresh: async (seed = 'none') => {
      const own = await ownDatabase(url!);
      const db = knexFactory({ client: 'pg', connection: own });
      try {
        await db.raw('DROP SCHEMA IF EXISTS public CASCADE');
        await db.raw('CREATE SCHEMA public');
      } finally {
        await db.destroy();
      }
      return { databaseFile: '', databaseUrl: own, port: 0, seed };
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
