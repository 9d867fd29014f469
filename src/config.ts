import path from 'node:path';
import { DATA_DIR } from './paths.js';

/**
 * Every setting the product reads, with its default, in one place; read once at start-up.
 *
 * | variable       | default                 | meaning |
 * | DATABASE_FILE  | data/appraisal.sqlite   | the embedded SQLite database |
 * | DATABASE_URL   | (none)                  | a PostgreSQL URL; when set, used instead of SQLite |
 * | PORT           | 3000                    | the HTTP port of the web application |
 * | APPRAISAL_SEED | demo                    | what a new database is seeded with: "demo" or "none" |
 */
export interface Config {
  databaseFile: string;
  databaseUrl?: string;
  port: number;
  seed: 'demo' | 'none';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not “${env.PORT}”`);
  const seed = env.APPRAISAL_SEED ?? 'demo';
  if (seed !== 'demo' && seed !== 'none') throw new Error(`APPRAISAL_SEED must be "demo" or "none", not “${seed}”`);
  return {
    databaseFile: env.DATABASE_FILE ? path.resolve(env.DATABASE_FILE) : path.join(DATA_DIR, 'appraisal.sqlite'),
    databaseUrl: env.DATABASE_URL || undefined,
    port,
    seed,
  };
}
