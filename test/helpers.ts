import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleSet, sourceResultsFromScoreJson, type AppraiseOptions, type CompiledRuleSet, type EventRow, type RuleSetFile } from '../src/engine/index.js';
import { ruleSchema } from '../src/io/rule-file.js';
import { ROOT } from '../src/paths.js';

/** Shared by the tests: rule sets from objects, fixtures from test/fixtures. */

export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/**
 * What a rule-set fixture gives beside its data, as `score --events FILE --source NAME=FILE` would:
 * rows of an events file (RULES.md §7.6), and each source's results as `score --format json` printed them (§7.8).
 */
export function fixtureOptions(fixture: { events?: EventRow[]; sources?: Record<string, unknown> }): AppraiseOptions {
  return {
    ...(fixture.events ? { events: fixture.events, eventsFile: 'events.csv' } : {}),
    ...(fixture.sources ? { sources: new Map(Object.entries(fixture.sources).map(([name, doc]) => [name, sourceResultsFromScoreJson(doc, `${name}.json`)])) } : {}),
  };
}

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
