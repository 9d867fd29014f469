import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { appraise, DataInvalid, loadRuleSet, RuleFileInvalid, scoreJson, type EventRow } from '../../src/engine/index.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { readRuleFile, ruleSchema } from '../../src/io/rule-file.js';
import { FIXTURES, fixtureOptions, readJson } from '../helpers.js';

/**
 * Every rule-set fixture carries its expected results as data (test/fixtures/rulesets):
 * `expected` (the units and parents of `score --format json`), `error` (the code a bad
 * rule file is refused with) or `dataErrors` (every bad cell, by row, column and code).
 */
interface Fixture {
  description: string;
  rules: unknown;
  data?: unknown[];
  expected?: { units: unknown[]; parents: unknown[] };
  error?: { code: string };
  dataErrors?: Array<{ row: number; column: string | null; code: string }>;
  /** Rows of an events file (RULES.md §7.6: unit, input, level, points), each with its row there. */
  events?: EventRow[];
  /** Each source's results, as `score --format json` printed them (§7.8). */
  sources?: Record<string, unknown>;
}

const dir = path.join(FIXTURES, 'rulesets');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('rule-set fixtures (test/fixtures/rulesets)', () => {
  it('has fixtures to run', () => expect(files.length).to.be.greaterThan(10));

  for (const name of files) {
    const fixture = readJson<Fixture>(path.join(dir, name));
    it(`${name}: ${fixture.description}`, () => {
      // `rules` is a rule file as an object, as raw text (to pin a syntax error), or null (a file that cannot be read).
      const text = typeof fixture.rules === 'string' ? fixture.rules : JSON.stringify(fixture.rules, null, 2);
      if (fixture.error) {
        let caught: unknown;
        try {
          if (fixture.rules === null) readRuleFile(path.join(dir, 'no-such-rule-file.json'));
          else loadRuleSet(text, name, ruleSchema());
        } catch (e) { caught = e; }
        expect(caught, 'the rule file should be refused').to.be.instanceOf(RuleFileInvalid);
        expect((caught as RuleFileInvalid).problems.map((p) => p.code)).to.include(fixture.error.code);
        return;
      }
      const { ruleset } = loadRuleSet(text, name, ruleSchema());
      const table = parseJsonData(JSON.stringify(fixture.data ?? []), name);
      if (fixture.dataErrors) {
        let caught: unknown;
        try { appraise(ruleset, table, fixtureOptions(fixture)); } catch (e) { caught = e; }
        expect(caught, 'the data should be refused').to.be.instanceOf(DataInvalid);
        const found = (caught as DataInvalid).problems.map(({ row, column, code }) => ({ row, column, code }));
        expect(found, 'every problem, and no other').to.have.length(fixture.dataErrors.length);
        // A null column in a fixture leaves it open (RULES.md does not say which column a failed check names).
        for (const e of fixture.dataErrors) {
          expect(found.some((f) => f.row === e.row && f.code === e.code && (e.column === null || f.column === e.column)), JSON.stringify(e)).to.equal(true);
        }
        return;
      }
      const out = scoreJson(ruleset, '', appraise(ruleset, table, fixtureOptions(fixture)));
      expect({ units: out.units, parents: out.parents }).to.deep.equal(fixture.expected);
    });
  }
});
