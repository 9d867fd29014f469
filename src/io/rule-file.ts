import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { FileTooLarge, readAtMost } from './limits.js';
import { fileProblemInWords } from '../fs-words.js';
import { loadRuleSet, RuleFileInvalid, type LoadedRuleSet, type RuleProblem } from '../engine/index.js';
import { SCHEMA_FILE } from '../paths.js';

/** Rule files on disk: their bytes hashed, their text checked by the engine against the shipped schema. */

let schema: object | undefined;
export function ruleSchema(): object {
  return (schema ??= JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
}

/** Far larger than any real rule file (the shipped village rules are ~30 KB); checked before parsing. */
export const RULE_FILE_LIMIT_BYTES = 2 * 1024 * 1024;

/** The problem of a rule text over the limit, or null. */
export function ruleFileTooLarge(byteLength: number, file: string): RuleProblem | null {
  if (byteLength <= RULE_FILE_LIMIT_BYTES) return null;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return { code: 'RULE_FILE_TOO_LARGE', message: `规则文件过大：${mb(byteLength)} MB，最多 ${RULE_FILE_LIMIT_BYTES / 1024 / 1024} MB`, file, pointer: '', line: 1, column: 1 };
}

export interface RuleFile extends LoadedRuleSet {
  file: string;
  sha256: string;
  bytes: Buffer;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A file's size as the disk says it (0 for a device, or one that cannot be asked). */
function sizeOnDisk(file: string): number {
  try { return statSync(file).size; } catch { return 0; }
}

/** Reads and compiles a rule file; throws RuleFileInvalid (also when it cannot be read). */
export function readRuleFile(file: string): RuleFile {
  let bytes: Buffer;
  try {
    // Read a piece at a time up to the limit: a file of gigabytes, or a device that never ends (/dev/zero), costs no more.
    bytes = readAtMost(file, RULE_FILE_LIMIT_BYTES);
  } catch (e) {
    if (e instanceof FileTooLarge) throw new RuleFileInvalid([ruleFileTooLarge(Math.max(sizeOnDisk(file), RULE_FILE_LIMIT_BYTES + 1), file)!]);
    throw new RuleFileInvalid([{ code: 'RULE_FILE_UNREADABLE', message: `无法读取规则文件：${fileProblemInWords(e)}`, file, pointer: '', line: 1, column: 1 }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RuleFileInvalid([{ code: 'JSON_SYNTAX', message: '规则文件不是 UTF-8 编码的文本', file, pointer: '', line: 1, column: 1 }]);
  }
  return { ...loadRuleSet(text, file, ruleSchema()), file, sha256: sha256(bytes), bytes };
}
