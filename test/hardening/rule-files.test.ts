import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { latestRuleVersion, listRuleVersions } from '../../src/db/queries/rule-versions.js';
import { MAX_EXPRESSION_CHARS } from '../../src/engine/compile-ruleset.js';
import { RULE_FILE_LIMIT_BYTES } from '../../src/io/rule-file.js';
import { checkEditedSource } from '../../src/services/rule-edit.js';
import { appraisalSync } from '../support/cli.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 7, item 5 (rule files): malformed JSON, a schema violation, a 10 MB file, nesting
 * 1,000 deep and an expression 100,000 characters long, each refused with its code by
 * the web editor and by `appraisal check`; the active version untouched and the server
 * still answering within a second.
 */

const tmp = tempDir('appraisal-hostile-rules-');

/** The hostile variants of a rule file's text, each with the code it must be refused with. */
function hostile(source: string): Array<{ name: string; text: string; code: string }> {
  const metric = '"expr": "births / population * 1000"';
  expect(source).to.contain(metric);
  // 100,000 characters of nested brackets: the parser would recurse 50,000 deep.
  const deepExpr = `${'('.repeat(49_997)}births${')'.repeat(49_997)}`;
  expect(deepExpr.length).to.equal(100_000);
  const longSum = `births${' + births'.repeat(12_500)}`;
  return [
    { name: 'malformed JSON', text: source.slice(0, Math.floor(source.length / 2)), code: 'JSON_SYNTAX' },
    { name: 'a trailing comma', text: source.replace(/\}\s*$/, ',}'), code: 'JSON_SYNTAX' },
    { name: 'a schema violation', text: source.replace(/"totalPoints":\s*1000/, '"totalPoints": "一千"'), code: 'SCHEMA' },
    { name: 'nesting 1,000 deep', text: source.replace('{', `{"note": ${'['.repeat(1000)}${']'.repeat(1000)},`), code: 'JSON_SYNTAX' },
    { name: 'an expression of 100,000 nested brackets', text: source.replace(metric, `"expr": "${deepExpr}"`), code: 'EXPR_TOO_LONG' },
    { name: 'an expression of 100,000 characters', text: source.replace(metric, `"expr": "${longSum}"`), code: 'EXPR_TOO_LONG' },
    // Issue 17, item 3: under the length limit, but more than any part of the engine can walk.
    { name: 'a sum of 2,000 terms', text: source.replace(metric, `"expr": "births${' + 1'.repeat(1999)}"`), code: 'EXPR_TOO_DEEP' },
    { name: '4,000 minus signs', text: source.replace(metric, `"expr": "${'-'.repeat(4000)}births"`), code: 'EXPR_TOO_DEEP' },
    { name: 'brackets 1,300 deep', text: source.replace(metric, `"expr": "${'('.repeat(1300)}births${')'.repeat(1300)}"`), code: 'EXPR_TOO_DEEP' },
    { name: 'calls 1,900 deep', text: source.replace(metric, `"expr": "${'abs('.repeat(1900)}births${')'.repeat(1900)}"`), code: 'EXPR_TOO_DEEP' },
    // Issue 17, item 4: a name every JavaScript object has is no function of the language.
    { name: 'toString(…) as a function', text: source.replace(metric, '"expr": "toString(births)"'), code: 'EXPR_UNKNOWN_FUNCTION' },
    { name: 'constructor(…) as a function', text: source.replace(metric, '"expr": "constructor(births) * 2"'), code: 'EXPR_UNKNOWN_FUNCTION' },
    // Issue 17, item 3: numbers no double holds.
    { name: '1e400 in an expression', text: source.replace(metric, '"expr": "births / population * 1e400"'), code: 'EXPR_SYNTAX' },
    { name: '-1e400 as a field', text: source.replace(/"totalPoints":\s*1000/, '"totalPoints": -1e400'), code: 'SCHEMA' },
  ];
}

describe('hostile rule files (issue 7, item 5)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: Client;
  let shipped: { sha256: string; source: string };
  const base = '/rules/village-annual';

  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
    shipped = (await latestRuleVersion(app.db, 'village-annual'))!;
  });
  after(async () => { await app?.close(); });

  /** The active version is the shipped one still, no version was added, and /login answers within a second. */
  async function untouchedAndResponsive(versions: number): Promise<void> {
    expect((await latestRuleVersion(app.db, 'village-annual'))!.sha256).to.equal(shipped.sha256);
    expect((await listRuleVersions(app.db, 'village-annual')).length).to.equal(versions);
    const started = Date.now();
    expect((await fetch(`${app.url}/login`)).status).to.equal(200);
    expect(Date.now() - started).to.be.below(1000);
  }

  it('is refused by the editor’s preview and save, each with its code, nothing stored', async () => {
    const versions = (await listRuleVersions(app.db, 'village-annual')).length;
    for (const { name, text, code } of hostile(shipped.source)) {
      for (const action of ['preview', 'save']) {
        await admin.get(`${base}/edit`);
        const started = Date.now();
        const res = await admin.post(action === 'preview' ? `${base}/preview` : base, { source: text });
        const html = await res.text();
        expect(res.status, `${name} (${action})`).to.equal(422);
        expect(html, `${name} (${action})`).to.contain(`<code class="code">${code}</code>`);
        expect(html, `${name}: nothing to save`).not.to.contain('<input type="hidden" name="source"');
        expect(Date.now() - started, `${name} (${action}) answered promptly`).to.be.below(5000);
        await untouchedAndResponsive(versions);
      }
    }
  });

  it('is refused by the editor when 10 MB are posted, before the text is read', async () => {
    const versions = (await listRuleVersions(app.db, 'village-annual')).length;
    await admin.get(`${base}/edit`);
    const res = await admin.post(`${base}/preview`, { source: shipped.source + ' '.repeat(10 * 1024 * 1024) }, { accept: 'application/json' });
    expect(res.status).to.equal(413);
    expect((await res.json()).error.code).to.equal('TOO_LARGE');
    await untouchedAndResponsive(versions);
  });

  it('is refused by the editor’s check for a text over the limit, whatever way it arrives', () => {
    const big = shipped.source.replace(/\}\s*$/, `, "note": "${'大'.repeat(Math.ceil(RULE_FILE_LIMIT_BYTES / 3) + 1)}"}`);
    const checked = checkEditedSource(big, { ruleset_id: 'village-annual', subject: 'village' });
    expect(checked.ok).to.equal(false);
    expect(!checked.ok && checked.problems.map((p) => p.code)).to.deep.equal(['RULE_FILE_TOO_LARGE']);
  });

  it('is refused by `appraisal check`, each with its code and exit code 1, in a few seconds', () => {
    const cases = [...hostile(shipped.source), { name: 'a 10 MB file', text: shipped.source + ' '.repeat(10 * 1024 * 1024), code: 'RULE_FILE_TOO_LARGE' }];
    cases.forEach(({ name, text, code }, k) => {
      const file = path.join(tmp, `hostile-${k}.json`);
      writeFileSync(file, text);
      const started = Date.now();
      const r = appraisalSync({ databaseFile: path.join(tmp, 'unused.sqlite'), port: 0, seed: 'none' }, ['check', file]);
      expect(r.code, `${name}: ${r.stderr}`).to.equal(1);
      expect(r.stderr, name).to.contain(`[${code}]`);
      expect(r.stderr, name).not.to.match(/内部错误|RangeError|at .*\.js:\d+/);
      expect(Date.now() - started, name).to.be.below(10_000);
    });
  });

  it('keeps the limits far above any real rule file', () => {
    expect(Buffer.byteLength(shipped.source)).to.be.below(RULE_FILE_LIMIT_BYTES / 20);
    expect(MAX_EXPRESSION_CHARS).to.be.at.least(10_000);
  });
});
