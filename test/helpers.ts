import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleSet, type CompiledRuleSet, type RuleSetFile } from '../src/engine/index.js';
import { ruleSchema } from '../src/io/rule-file.js';
import { ROOT } from '../src/paths.js';

/** Shared by the tests: rule sets from objects, fixtures from test/fixtures. */

export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export function compile(file: Partial<RuleSetFile> & Record<string, unknown>): CompiledRuleSet {
  return loadRuleSet(JSON.stringify(file, null, 2), 'test.json', ruleSchema()).ruleset;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A minimal valid rule set around some items, for tests that pin one behaviour. */
export function ruleSet(over: Record<string, unknown>): Record<string, unknown> {
  return { id: 't', version: '1', title: '测试细则', totalPoints: 100, items: [], ...over };
}
