import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { referenceScore, ReferenceDataInvalid } from '../support/reference/index.js';
import { FIXTURES, readJson } from '../helpers.js';

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
