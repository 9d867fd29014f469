import { fuzzSuite } from '../support/rule-fuzz.js';

/** Issue 17, item 9, at length: the fuzz suite of test/engine/fuzz.test.ts with another seed and many more cases. */
describe('fuzzed rule files and data, at length (issue 17, item 9)', function () {
  this.timeout(1_800_000);
  fuzzSuite({ seed: 9_17_2026, runs: 20_000, commandLine: 60, editor: 300 });
});
