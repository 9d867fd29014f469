import { SYSTEM_ACTOR } from './actors.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { openDatabase, type Db } from '../db/connection.js';
import { appendAudit, auditEntries } from '../db/queries/audit.js';
import { upsertUnits } from '../db/queries/units.js';
import { listRuns } from '../db/queries/runs.js';
import { parseDataBytes } from '../io/data-file.js';
import { DEMO_DIR } from '../paths.js';
import { importEvents } from './events-import.js';
import { importInputs } from './import-inputs.js';
import { importShippedRules } from './rule-versions.js';
import { ROLES, seedDemoAccounts } from './accounts.js';
import { createRun, publishRun } from './runs.js';
import { addAssessment } from './assessments.js';
import { seedDemoReporting } from './demo-reporting.js';

/**
 * The record opened for use: the database opened, checked and migrated; the shipped
 * rule files imported as versions; and, the first time, the demo township seeded.
 */

export async function openStore(config: Config, log: (msg: string) => void = () => {}): Promise<Db> {
  const db = await openDatabase(config);
  try {
    await importShippedRules(db);
    if (config.seed === 'demo' && !(await seeded(db))) {
      log('首次启动：正在写入示范乡镇（枫林镇）的数据……');
      const accounts = await seedDemo(db);
      log('示范数据已写入。示范账号的密码只在此显示这一次（数据库中只保存其哈希），请记下：');
      for (const a of accounts) log(`  ${ROLES[a.role].padEnd(5, '　')} 用户名 ${a.username.padEnd(8)} 密码 ${a.password}${a.unit ? `（${a.unit}）` : ''}`);
      log('忘记密码时：npx appraisal user reset <用户名>');
    }
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}

async function seeded(db: Db): Promise<boolean> {
  return (await auditEntries(db, { action: 'seed.demo', limit: 1 })).length > 0 || (await listRuns(db)).length > 0;
}

/**
 * The demo township's two assessments of before (the two rows migration 0004 seeds), in the
 * order they are scored (双线 reads the villages' results), each with its data file per year
 * (`<file>-<year>.csv` in demo/). The 专项 and 综合考核 are added by seedDemo itself.
 */
const DEMO_ASSESSMENTS: ReadonlyArray<{ id: string; file: string }> = [
  { id: 'village', file: 'villages' },
  { id: 'staff', file: 'staff' },
];

/** The demo township: its unit tree, two years of data of each assessment, 2023 published, and its accounts. */
export async function seedDemo(db: Db): Promise<Awaited<ReturnType<typeof seedDemoAccounts>>> {
  const by = SYSTEM_ACTOR;
  const at = new Date().toISOString();
  const units = parseDataBytes(readFileSync(path.join(DEMO_DIR, 'units.csv')), 'units.csv');
  await upsertUnits(db, units.rows.map(({ cells }) => ({
    id: String(cells.id), name: String(cells.name), kind: String(cells.kind), parent_id: cells.parent ? String(cells.parent) : null, role: null, created_at: at,
  })));
  for (const year of ['2023', '2024']) {
    for (const { id: track, file: name } of DEMO_ASSESSMENTS) {
      const file = path.join(DEMO_DIR, `${name}-${year}.csv`);
      const bytes = readFileSync(file);
      await importInputs(db, { periodId: year, track, table: parseDataBytes(bytes, path.basename(file)), fileBytes: bytes, by });
    }
  }
  // The 专项考核 of 党建 and 安全生产, and the 综合考核 that combines them with 计生 by weights (issue 20, point 6).
  const party = await addAssessment(db, { title: '村级党建工作专项考核', unitKind: 'village', rulesetId: 'village-party' }, by);
  const safety = await addAssessment(db, { title: '村级安全生产专项考核', unitKind: 'village', rulesetId: 'village-safety' }, by);
  const composite = await addAssessment(db, { title: '村级年度综合考核', unitKind: 'village', rulesetId: 'village-composite' }, by);
  for (const year of ['2023', '2024']) {
    for (const [track, name] of [[party.id, 'party'], [safety.id, 'safety'], [composite.id, 'composite']]) {
      const file = path.join(DEMO_DIR, `${name}-${year}.csv`);
      const bytes = readFileSync(file);
      await importInputs(db, { periodId: year, track, table: parseDataBytes(bytes, path.basename(file)), fileBytes: bytes, by });
    }
    // The 安全生产 events ledger (事件台账) of the year: accidents by level, 督查发现问题 by points.
    const events = readFileSync(path.join(DEMO_DIR, `safety-events-${year}.csv`));
    await importEvents(db, { periodId: year, table: parseDataBytes(events, `safety-events-${year}.csv`), fileBytes: events, by });
  }
  // 2023 published for 公示 (the composite reads the published 专项 results); 2024 drafts (the composite reads the drafts).
  // Runs 1–4 are the 计生 and staff runs of each year, as they always were.
  for (const track of ['village', 'staff']) {
    const run = await createRun(db, { periodId: '2023', track, by });
    await publishRun(db, run.id, by);
    await createRun(db, { periodId: '2024', track, by });
  }
  for (const track of [party.id, safety.id, composite.id]) {
    const run = await createRun(db, { periodId: '2023', track, by });
    await publishRun(db, run.id, by);
  }
  for (const track of [party.id, safety.id, composite.id]) await createRun(db, { periodId: '2024', track, by });
  // The newest period's reporting (数据填报): open for the villages, some reported, one returned, some approved, some
  // late. Before the accounts: the demo's inboxes hold what its year did, not the seeding's messages.
  await seedDemoReporting(db, '2024', party.id, safety.id, by);
  const accounts = await seedDemoAccounts(db);
  await appendAudit(db, { at: new Date().toISOString(), actor: by, action: 'seed.demo', subject: 'demo', detail: null });
  return accounts;
}
