import { loadConfig } from '../config.js';
import { DatabaseRefused } from '../db/connection.js';
import { DEFAULT_TIME_ZONE, setTimeZone } from '../local-time.js';
import { formatRuleProblem, RuleFileInvalid } from '../engine/index.js';
import { openStore } from '../services/store.js';
import { createApp } from './app.js';

/**
 * `npm start`: checks every shipped rule file, opens the record (SQLite by default,
 * seeded with the demo township on first start), and serves the web application.
 */
async function start(): Promise<void> {
  const config = loadConfig();
  setTimeZone(config.timeZone ?? DEFAULT_TIME_ZONE);
  let db;
  try {
    db = await openStore(config, (msg) => process.stdout.write(`${msg}\n`));
  } catch (e) {
    if (e instanceof RuleFileInvalid) {
      for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
      process.stderr.write('规则文件有误，拒绝启动\n');
      process.exit(1);
    }
    if (e instanceof DatabaseRefused) {
      process.stderr.write(`${e.message}\n`);
      process.exit(6);
    }
    throw e;
  }
  const app = createApp({ db, trustProxy: process.env.TRUST_PROXY === '1' });
  const server = app.listen(config.port, () => {
    const where = config.databaseUrl ? 'PostgreSQL（DATABASE_URL）' : config.databaseFile;
    process.stdout.write(`千分考核已启动：请用浏览器打开 http://localhost:${config.port}/ （数据库：${where}）\n`);
  });
  const stop = () => server.close(() => db!.destroy().then(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await start();
