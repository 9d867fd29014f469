import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../../src/paths.js';

/**
 * The load of test/hardening/load.hard.ts, run in its own process so that the server's
 * memory and event loop are the server's alone. Argument: a JSON Plan. Prints a JSON
 * Tally. Uses autocannon when it is installed (a dev dependency of the benchmarks),
 * else a fetch loop with the same number of connections.
 */

export interface Plan { url: string; connections: number; seconds: number; requests: Array<{ path: string; cookie: string }>; }
export interface Tally { tool: string; total: number; classes: Record<string, number>; errors: number; timeouts: number; }

async function withAutocannon(plan: Plan): Promise<Tally> {
  const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<Record<string, number>>;
  const r = await autocannon({
    url: plan.url, connections: plan.connections, duration: plan.seconds, timeout: 30,
    requests: plan.requests.map((q) => ({ method: 'GET', path: q.path, headers: { cookie: q.cookie } })),
  });
  return {
    tool: 'autocannon', total: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
    classes: { '2xx': r['2xx'], '3xx': r['3xx'], '4xx': r['4xx'], '5xx': r['5xx'] }, errors: r.errors, timeouts: r.timeouts,
  };
}

async function withFetch(plan: Plan): Promise<Tally> {
  const tally: Tally = { tool: 'fetch', total: 0, classes: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0, timeouts: 0 };
  const deadline = Date.now() + plan.seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const q = plan.requests[next++ % plan.requests.length];
      try {
        const res = await fetch(plan.url + q.path, { headers: { cookie: q.cookie }, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        tally.classes[`${String(res.status)[0]}xx`]++;
        tally.total++;
      } catch (e) {
        if ((e as Error).name === 'TimeoutError') tally.timeouts++;
        else tally.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, worker));
  return tally;
}

const plan = JSON.parse(process.argv[2]) as Plan;
// APPRAISAL_LOAD_TOOL=fetch tries the fallback where autocannon is installed.
const useAutocannon = process.env.APPRAISAL_LOAD_TOOL !== 'fetch' && existsSync(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'));
process.stdout.write(JSON.stringify(await (useAutocannon ? withAutocannon(plan) : withFetch(plan))));
