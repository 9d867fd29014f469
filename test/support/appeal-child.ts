import { loadConfig } from '../../src/config.js';
import { fileAppeal } from '../../src/services/appeals.js';
import { openStore } from '../../src/services/store.js';

/**
 * A child process that files one appeal with a PDF on the database its environment names
 * (DATABASE_FILE or DATABASE_URL), for the crash tests: with APPRAISAL_FAULT_PAUSE=appeal it
 * stops after the file is written and before the appeal's transaction ends, to be killed there.
 * Arguments: RUN UNIT.
 */
const [runId, unitId] = process.argv.slice(2);
const db = await openStore(loadConfig());
try {
  const appeal = await fileAppeal(db, {
    runId: Number(runId), unitId, by: unitId, items: [{ kind: 'clause', id: 'birth-rate' }], reason: '子进程提交的申诉',
    files: [{ name: '证明.pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200_000, 0x20)]) }],
  });
  process.stdout.write(`APPEAL ${appeal.id}\n`);
} finally {
  await db.destroy();
}
