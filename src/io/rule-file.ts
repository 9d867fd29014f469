import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
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

/** Reads and compiles a rule file; throws RuleFileInvalid (also when it cannot be read). */
export function readRuleFile(file: string): RuleFile {
  let bytes: Buffer;
  try {
    // Refused by its size on disk before a byte is read, and again by what was read (the file may grow between).
    const tooLarge = ruleFileTooLarge(statSync(file).size, file);
    if (tooLarge) throw new RuleFileInvalid([tooLarge]);
    bytes = readFileSync(file);
    const grown = ruleFileTooLarge(bytes.length, file);
    if (grown) throw new RuleFileInvalid([grown]);
  } catch (e) {
    if (e instanceof RuleFileInvalid) throw e;
    throw new RuleFileInvalid([{ code: 'RULE_FILE_UNREADABLE', message: `无法读取规则文件：${(e as Error).message}`, file, pointer: '', line: 1, column: 1 }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RuleFileInvalid([{ code: 'JSON_SYNTAX', message: '规则文件不是 UTF-8 编码的文本', file, pointer: '', line: 1, column: 1 }]);
  }
  return { ...loadRuleSet(text, file, ruleSchema()), file, sha256: sha256(bytes), bytes };
}
