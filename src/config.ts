import path from 'node:path';
import { DEFAULT_TIME_ZONE, isTimeZone } from './local-time.js';
import { DATA_DIR } from './paths.js';

/**
 * Every setting the product reads, with its default, in one place; read once at start-up.
 *
 * | variable       | default                 | meaning |
 * | DATABASE_FILE  | data/appraisal.sqlite   | the embedded SQLite database |
 * | DATABASE_URL   | (none)                  | a PostgreSQL URL; when set, used instead of SQLite |
 * | PORT           | 3000                    | the HTTP port of the web application |
 * | APPRAISAL_SEED | demo                    | what a new database is seeded with: "demo" or "none" |
 * | TIME_ZONE      | Asia/Shanghai           | the zone every time shown, printed or exported is in (北京时间) |
 */
export interface Config {
  databaseFile: string;
  databaseUrl?: string;
  port: number;
  seed: 'demo' | 'none';
  /** The zone times are shown in; Asia/Shanghai when not given. */
  timeZone?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not “${env.PORT}”`);
  const seed = env.APPRAISAL_SEED ?? 'demo';
  if (seed !== 'demo' && seed !== 'none') throw new Error(`APPRAISAL_SEED must be "demo" or "none", not “${seed}”`);
  const timeZone = env.TIME_ZONE || DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) throw new Error(`TIME_ZONE must be a time zone such as Asia/Shanghai, not “${timeZone}”`);
  return {
    timeZone,
    databaseFile: env.DATABASE_FILE ? path.resolve(env.DATABASE_FILE) : path.join(DATA_DIR, 'appraisal.sqlite'),
    databaseUrl: env.DATABASE_URL || undefined,
    port,
    seed,
  };
}
