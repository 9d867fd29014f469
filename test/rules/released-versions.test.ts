import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRuleLibrary } from '../../src/io/rule-library.js';
import { ROOT } from '../../src/paths.js';

/**
 * Every shipped rule file's label is its bytes for good: a record that imported 村级千分考核 2024.1 refuses a
 * different file under that label at start-up (RULE_VERSION_LABEL_TAKEN), so an upgrade would not start. A
 * changed file takes a new label; the label and its sha256 are written in released-versions.json, which only grows.
 */
describe('the shipped rule files’ version labels', () => {
  const released = JSON.parse(readFileSync(path.join(ROOT, 'test', 'rules', 'released-versions.json'), 'utf8')) as Record<string, Record<string, string>>;

  for (const [id, rule] of loadRuleLibrary()) {
    it(`gives ${id} ${rule.ruleset.version} the bytes that label was released with, and records it`, () => {
      const known = released[id]?.[rule.ruleset.version];
      expect(known, `${id} ${rule.ruleset.version} is not in test/rules/released-versions.json: add its sha256 (${rule.sha256})`).to.be.a('string');
      expect(rule.sha256, `${id} changed under the label ${rule.ruleset.version}: give it a new version label`).to.equal(known);
    });
  }
});
