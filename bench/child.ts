/**
 * One measurement in a process of its own (run by bench/run.ts), so that each size's memory
 * and JIT state are its own: `node dist/bench/child.js TASK 'JSON-ARGS'`; the result is the
 * last line of stdout, prefixed with @@RESULT. Only the task's own module is loaded: the engine's
 * passes are not timed beside the web server's and the database drivers' code and memory.
 */

const TASKS: Record<string, () => Promise<(args: never) => Promise<unknown>>> = {
  engine: async () => (await import('./tasks/engine.js')).engineTask,
  village: async () => (await import('./tasks/village.js')).villageTask,
  scale: async () => (await import('./tasks/scale.js')).scaleTask,
  e2e: async () => (await import('./tasks/end-to-end.js')).endToEndTask,
  http: async () => (await import('./tasks/http.js')).httpTask,
  province: async () => (await import('./tasks/province.js')).provinceTask,
};

const [task, json] = process.argv.slice(2);
const load = TASKS[task];
if (!load) {
  process.stderr.write(`usage: child.js ${Object.keys(TASKS).join('|')} JSON\n`);
  process.exit(3);
}
try {
  const result = await (await load())(JSON.parse(json ?? '{}') as never);
  process.stdout.write(`@@RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`bench ${task} failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
}
