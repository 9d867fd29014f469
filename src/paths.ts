import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the product's own files are, whether run from `dist/` or from the sources. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'rules'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json beside rules/)');
    dir = up;
  }
}

export const ROOT = findRoot();
export const RULES_DIR = path.join(ROOT, 'rules');
export const SCHEMA_FILE = path.join(RULES_DIR, 'schema', 'ruleset.schema.json');
export const DATA_DIR = path.join(ROOT, 'data');
export const DEMO_DIR = path.join(DATA_DIR, 'demo');
