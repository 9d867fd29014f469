import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { ROOT } from '../../src/paths.js';

/** Running the real `appraisal` command in a child process, on a given database. */

export const BIN = path.join(ROOT, 'bin', 'appraisal.js');

export function envFor(config: Config, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, APPRAISAL_SEED: config.seed, ...extra };
  delete env.DATABASE_URL;
  delete env.DATABASE_FILE;
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  else env.DATABASE_FILE = config.databaseFile;
  return env;
}

/** How long a command may take before it is killed and its test fails, saying so: a command that never ends must not hold up CI for its 90 minutes. */
const COMMAND_TIMEOUT_MS = 120_000;

export function appraisalSync(config: Config, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: envFor(config, extra), cwd: ROOT, timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return { code: r.status, stdout: r.stdout, stderr: timedOut ? `${r.stderr}\n[appraisal ${args.join(' ')}: not ended after ${COMMAND_TIMEOUT_MS / 1000} s, killed]` : r.stderr };
}

export function appraisalAsync(config: Config, args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: envFor(config, extra), cwd: ROOT });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starts the command and SIGKILLs it the moment its stderr shows `marker`;
 * resolves with what it printed. Fails if it ends before the marker.
 */
export function killWhen(config: Config, args: string[], marker: RegExp, extra: Record<string, string> = {}): Promise<{ stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: envFor(config, extra), cwd: ROOT });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!killed && marker.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('close', () => (killed ? resolve({ stderr, killed }) : reject(new Error(`ended before ${marker}: ${stderr}`))));
  });
}
