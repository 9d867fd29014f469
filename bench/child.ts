import { endToEndTask } from './tasks/end-to-end.js';
import { engineTask } from './tasks/engine.js';
import { httpTask } from './tasks/http.js';
import { provinceTask } from './tasks/province.js';
import { scaleTask } from './tasks/scale.js';
import { villageTask } from './tasks/village.js';

/**
 * One measurement in a process of its own (run by bench/run.ts), so that each size's memory
 * and JIT state are its own: `node dist/bench/child.js TASK 'JSON-ARGS'`; the result is the
 * last line of stdout, prefixed with @@RESULT.
 */

const TASKS: Record<string, (args: never) => Promise<unknown>> = {
  engine: engineTask, village: villageTask, scale: scaleTask, e2e: endToEndTask, http: httpTask, province: provinceTask,
};

const [task, json] = process.argv.slice(2);
const fn = TASKS[task];
if (!fn) {
  process.stderr.write(`usage: child.js ${Object.keys(TASKS).join('|')} JSON\n`);
  process.exit(3);
}
try {
  const result = await fn(JSON.parse(json ?? '{}') as never);
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`bench ${task} failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
}
