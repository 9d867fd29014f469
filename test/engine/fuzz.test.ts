import { fuzzSuite } from '../support/rule-fuzz.js';

/**
 * Issue 17, item 9: the expression language and the rule files, fuzzed (test/support/rule-fuzz.ts),
 * with a fixed seed and a bounded count; `npm run test:hard` runs many more (test/hardening/rule-fuzz.hard.ts).
 */
describe('fuzzed rule files and data (issue 17, item 9)', function () {
  this.timeout(300_000);
  fuzzSuite({ seed: 17_2026, runs: 1000, commandLine: 8, editor: 24 });
});
