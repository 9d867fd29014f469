import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as engine from '../../src/engine/index.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { ruleSchema } from '../../src/io/rule-file.js';
import { ruleSetCase, type Case } from '../support/reference/arbitrary.js';
import { referenceScore, ReferenceDataInvalid, type EventRow, type ScoreJsonOutput } from '../support/reference/index.js';
import { FIXTURES, readJson } from '../helpers.js';

/**
 * Issue 20, point 1: the engine cross-checked with an independent implementation of RULES.md
 * (test/support/reference, written from the page alone). First the reference against every fixture's
 * expected results; then both on random valid rule sets and data, which must give the same JSON.
 * Set ENGINE_V2 once the version-2 engine has landed: its property then runs too.
 */
const ENGINE_V2 = false;
/** ~200 runs keep `npm test` quick; REFERENCE_RUNS and REFERENCE_SEED run a longer, different search. */
const RUNS = Number(process.env.REFERENCE_RUNS ?? 200);
const SEED = Number(process.env.REFERENCE_SEED ?? 2020);

interface Fixture {
  description: string;
  rules: unknown;
  data?: unknown[];
  expected?: { units: Array<Record<string, unknown>>; parents: unknown[] };
  dataErrors?: Array<{ row: number; column: string | null; code: string }>;
}

const dir = path.join(FIXTURES, 'rulesets');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** The version-2 keys of a unit (§7.10), left out where the expected output is version 1's. */
function withoutV2(units: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return units.map(({ metrics, applicablePoints, ...rest }) => rest);
}

describe('the reference implementation of RULES.md (test/support/reference)', () => {
  describe('gives every rule-set fixture its expected results', () => {
    for (const name of files) {
      const fixture = readJson<Fixture>(path.join(dir, name));
      if (!fixture.expected && !fixture.dataErrors) continue;
      it(`${name}: ${fixture.description}`, () => {
        const text = JSON.stringify(fixture.rules, null, 2);
        if (fixture.dataErrors) {
          let caught: unknown;
          try { referenceScore(text, fixture.data ?? []); } catch (e) { caught = e; }
          expect(caught, 'the data should be refused').to.be.instanceOf(ReferenceDataInvalid);
          const found = (caught as ReferenceDataInvalid).problems;
          expect(found.map((p) => `${p.row} ${p.column} ${p.code}`), 'every problem, and no other').to.have.length(fixture.dataErrors.length);
          for (const e of fixture.dataErrors) {
            expect(found.some((f) => f.row === e.row && f.code === e.code && (e.column === null || f.column === e.column)), JSON.stringify(e)).to.equal(true);
          }
          return;
        }
        const out = referenceScore(text, fixture.data ?? []);
        const expected = fixture.expected as { units: Array<Record<string, unknown>>; parents: unknown[] };
        const v1 = expected.units.every((u) => !('metrics' in u));
        expect({ units: v1 ? withoutV2(out.units as never) : out.units, parents: out.parents }).to.deep.equal(expected);
      });
    }
  });
});

/** The product's `score --format json` of a case, or the codes it refused the data with. */
function productScore(c: Case, text: string, v2: boolean): ScoreJsonOutput | { problems: string[] } {
  const { ruleset } = engine.loadRuleSet(text, 'generated.json', ruleSchema());
  const table = parseJsonData(JSON.stringify(c.data), 'data.json');
  // Version 2's third argument (events, sources) is the lead's, landing with the new engine.
  const appraise = engine.appraise as unknown as (r: unknown, t: unknown, o?: { events?: EventRow[] }) => ReturnType<typeof engine.appraise>;
  try {
    const result = v2 ? appraise(ruleset, table, { events: c.events }) : appraise(ruleset, table);
    return engine.scoreJson(ruleset, createHash('sha256').update(text, 'utf8').digest('hex'), result) as unknown as ScoreJsonOutput;
  } catch (e) {
    if (!(e instanceof engine.DataInvalid)) throw e;
    return { problems: e.problems.map((p) => `${p.row} ${p.column} ${p.code}`).sort() };
  }
}

function reference(c: Case, text: string, v2: boolean): ScoreJsonOutput | { problems: string[] } {
  try {
    const out = referenceScore(text, c.data, v2 ? { events: c.events } : {});
    return v2 ? out : { ...out, units: withoutV2(out.units as never) as never };
  } catch (e) {
    if (!(e instanceof ReferenceDataInvalid)) throw e;
    return { problems: e.problems.map((p) => `${p.row} ${p.column} ${p.code}`).sort() };
  }
}

/** Both implementations on one case; a difference fails with the rule set, the data and where they part. */
function sameAsReference(c: Case, v2: boolean): void {
  const text = JSON.stringify(c.rules, null, 2);
  const mine = reference(c, text, v2);
  const theirs = productScore(c, text, v2);
  try {
    if ('units' in mine && 'units' in theirs) {
      mine.units.forEach((unit, i) => expect(theirs.units[i], `unit ${i} (${unit.id})`).to.deep.equal(unit));
    }
    expect(theirs).to.deep.equal(mine);
  } catch (e) {
    const part = (mine: unknown, theirs: unknown): string => `reference:\n${JSON.stringify(mine)}\nengine:\n${JSON.stringify(theirs)}`;
    const at = 'units' in mine && 'units' in theirs ? mine.units.findIndex((u, i) => JSON.stringify(u) !== JSON.stringify(theirs.units[i])) : -1;
    const where = at >= 0 && 'units' in mine && 'units' in theirs ? part(mine.units[at], theirs.units[at]) : part(mine, theirs);
    throw new Error(`${(e as Error).message}\nrule set:\n${text}\ndata:\n${JSON.stringify(c.data)}\nevents:\n${JSON.stringify(c.events)}\n${where}`);
  }
}

describe('the engine against the reference implementation (differential)', function () {
  this.timeout(120_000);

  it('scores random version-1 rule sets and data exactly as the reference does', () => {
    fc.assert(fc.property(ruleSetCase(false), (c) => sameAsReference(c, false)), { numRuns: RUNS, seed: SEED });
  });

  (ENGINE_V2 ? it : it.skip)('scores random version-2 rule sets, events included, exactly as the reference does', () => {
    fc.assert(fc.property(ruleSetCase(true), (c) => sameAsReference(c, true)), { numRuns: RUNS, seed: SEED });
  });
});
