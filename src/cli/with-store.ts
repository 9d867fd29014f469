import { loadConfig } from '../config.js';
import { DatabaseRefused, DISK_FULL_MESSAGE, isDiskFull, type Db } from '../db/connection.js';
import { DataInvalid, formatDataProblem, formatRuleProblem, RuleFileInvalid } from '../engine/index.js';
import { DEFAULT_TIME_ZONE, setTimeZone } from '../local-time.js';
import { AssessmentRefused } from '../services/assessments.js';
import { PeriodInvalid } from '../services/period.js';
import { RuleVersionNotFound } from '../services/rule-versions.js';
import { RunRefused } from '../services/runs.js';
import { openStore } from '../services/store.js';
import { EXIT } from './exit.js';

/**
 * Runs a command against the record (SQLite by default, PostgreSQL with DATABASE_URL)
 * and turns what it refuses into a message on stderr and an exit code.
 */
export async function withStore(work: (db: Db) => Promise<number>): Promise<number> {
  let db: Db | undefined;
  try {
    const config = loadConfig();
    setTimeZone(config.timeZone ?? DEFAULT_TIME_ZONE);
    db = await openStore(config, (msg) => process.stderr.write(`${msg}\n`));
    return await work(db);
  } catch (e) {
    if (e instanceof RuleFileInvalid) {
      for (const p of e.problems) process.stderr.write(`${formatRuleProblem(p)}\n`);
      return EXIT.rules;
    }
    if (e instanceof DataInvalid) {
      for (const p of e.problems) process.stderr.write(`${formatDataProblem(p)}\n`);
      process.stderr.write(`数据有误，共 ${e.problems.length} 处，未导入任何数据\n`);
      return EXIT.data;
    }
    if (e instanceof RunRefused || e instanceof AssessmentRefused || e instanceof PeriodInvalid || e instanceof RuleVersionNotFound) {
      process.stderr.write(`[${e.code}] ${e.message}\n`);
      return EXIT.refused;
    }
    if (isDiskFull(e)) {
      process.stderr.write(`[DISK_FULL] ${DISK_FULL_MESSAGE}\n`);
      return EXIT.database;
    }
    if (e instanceof DatabaseRefused) {
      process.stderr.write(`[${e.code}] ${e.message}\n`);
      return EXIT.database;
    }
    throw e;
  } finally {
    await db?.destroy();
  }
}
