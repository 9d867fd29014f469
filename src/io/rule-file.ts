import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadRuleSet, RuleFileInvalid, type LoadedRuleSet } from '../engine/index.js';
import { SCHEMA_FILE } from '../paths.js';

/** Rule files on disk: their bytes hashed, their text checked by the engine against the shipped schema. */

let schema: object | undefined;
export function ruleSchema(): object {
  return (schema ??= JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
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
    bytes = readFileSync(file);
  } catch (e) {
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
