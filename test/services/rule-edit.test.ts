import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES_DIR } from '../../src/paths.js';
import { checkEditedSource } from '../../src/services/rule-edit.js';

/**
 * The rule editor refuses what a rule file may hold as JSON but no township means: a key given
 * twice (the first silently lost), and a control character, an invisible mark or a mark that
 * turns the text around in a title or label (found by an outside attack, 3 December 2026: ESC and
 * NUL in a title reached the 细则 page and every ranking). Each at its line.
 */
describe('the rule editor’s own checks', () => {
  const shipped = readFileSync(path.join(RULES_DIR, 'village-party.json'), 'utf8');
  const current = { ruleset_id: 'village-party', subject: 'village' };
  const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
  const refused = (text: string) => {
    const checked = checkEditedSource(text, current);
    return checked.ok ? [] : checked.problems.map((p) => [p.code, p.pointer, p.line]);
  };

  it('takes a shipped rule file as it is', () => {
    expect(checkEditedSource(shipped, current).ok).to.equal(true);
  });

  it('refuses a key given twice at the second one’s line, naming the key', () => {
    const text = shipped.replace('"precision": 1,', '"precision": 1,\n  "precision": 2,');
    expect(refused(text)).to.deep.equal([['RULE_KEY_REPEATED', '/precision', lineOf(text, '"precision": 2')]]);
    const checked = checkEditedSource(text, current);
    expect(!checked.ok && checked.problems[0].message).to.equal('键 “precision” 在同一处出现了两次，只有后一个有效：请删去其中一个');
  });

  it('refuses a title with ESC, a label with NUL and one with a mark that turns the text around, each at its line', () => {
    const text = shipped
      .replace('"title": "村级党建工作专项考核细则"', '"title": "村级党建\\u001b工作专项考核细则"')
      .replace('"label": "召开支部党员大会次数"', '"label": "召开支部\\u0000党员大会次数"')
      .replace('"description": "', '"description": "\\u202e');
    expect(refused(text)).to.deep.equal([
      ['RULE_TEXT_INVALID', '/title', lineOf(text, '"title"')],
      ['RULE_TEXT_INVALID', '/description', lineOf(text, '"description"')],
      ['RULE_TEXT_INVALID', '/inputs/memberMeetings/label', lineOf(text, '召开支部')],
    ]);
    const checked = checkEditedSource(text, current);
    expect(!checked.ok && checked.problems[0].message).to.equal('文字的第5个字符是换行、制表符、看不见的字符或改变文字方向的控制字符（U+001B）：请删去');
  });
});
