import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The folders this process made, removed when it exits (a test run leaves nothing in the system's temp folder). */
const made: string[] = [];
let hooked = false;

/** A new empty folder in the system's temp folder, named from `prefix`, removed with everything in it when the process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', removeMade);
  }
  return dir;
}

function removeMade(): void {
  for (const dir of made.splice(0)) {
    // A file still open (Windows keeps it) leaves its folder behind; nothing else is at stake at exit.
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* left behind */ }
  }
}
