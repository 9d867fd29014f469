import { expect } from 'chai';
import { auditEntries } from '../../src/db/queries/audit.js';
import { getRuleVersion, latestRuleVersion, listRuleVersions } from '../../src/db/queries/rule-versions.js';
import { loadRuleSet, RuleFileInvalid, type RuleProblem } from '../../src/engine/index.js';
import { ruleSchema, sha256 } from '../../src/io/rule-file.js';
import { sideBySide } from '../../src/services/rule-edit.js';
import { nextLabel, withLabel } from '../../src/services/version-labels.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

/** The rule-set pages: versions, the printable document, diffs, and the editor's check → preview → save. */

/** The problems the engine itself finds in a text, to know where the page must point. */
function problemsOf(source: string): RuleProblem[] {
  try {
    loadRuleSet(source, 'x', ruleSchema());
  } catch (e) {
    if (e instanceof RuleFileInvalid) return e.problems;
    throw e;
  }
  return [];
}

describe('the rule-set pages', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: Client;
  let leader: Client;
  let shipped: { sha256: string; source: string };
  const base = '/rules/village-annual';
  /** The shipped rules with the birth-rate target lowered from 8‰ to 6‰. */
  let edited: string;

  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
    leader = await signedIn(app.url, 'leader');
    shipped = (await latestRuleVersion(app.db, 'village-annual'))!;
    edited = shipped.source.replace('"target": 8,', '"target": 6,');
    expect(edited).not.to.equal(shipped.source);
  });
  after(async () => { await app?.close(); });

  it('lists each rule set with its versions and links to their documents', async () => {
    const { status, text } = await leader.get('/rules');
    expect(status).to.equal(200);
    expect(text).to.contain('村级人口和计划生育工作千分考核细则').and.to.contain('staff-annual');
    expect(text).to.contain(`href="${base}/v/${shipped.sha256}"`).and.to.contain(shipped.sha256.slice(0, 8)).and.not.to.contain(`>${shipped.sha256.slice(0, 12)}<`);
    expect(text, 'a leader is not offered the editor').not.to.contain(`${base}/edit`);
  });

  it('shows a version as the readable 考核细则 document, by its sha256 or as latest', async () => {
    for (const ref of [shipped.sha256, 'latest']) {
      const { status, text } = await leader.get(`${base}/v/${ref}`);
      expect(status).to.equal(200);
      expect(text).to.contain('1.人口出生率控制在8‰以下（60分）');
      expect(text).to.contain('人口出生率控制在8‰及以下的得60分，每超过0.5个千分点扣5分');
      expect(text).to.contain('排名最后一名的村，一票否决。');
      expect(text).not.to.contain('<script');
    }
  });

  it('answers an unknown rule set or version with 404', async () => {
    for (const url of ['/rules/nope/v/latest', `${base}/v/${'0'.repeat(64)}`, `${base}/v/abc`, `/rules/staff-annual/v/${shipped.sha256}`, '/rules/nope/edit', `${base}/diff?a=xyz`]) {
      expect((await admin.get(url)).status, url).to.equal(404);
    }
  });

  it('lists a broken points sum at its line with its code, and marks that line in the source', async () => {
    await admin.get(`${base}/edit`);
    const broken = shipped.source.replace('"points": 60,', '"points": 61,');
    const expected = problemsOf(broken);
    expect(expected.map((p) => p.code)).to.include('POINTS_MISMATCH');
    const res = await admin.post(`${base}/preview`, { source: broken });
    const text = await res.text();
    expect(res.status).to.equal(422);
    for (const p of expected) {
      expect(text).to.contain(`第${p.line}行第${p.column}列</a> <code class="code">${p.code}</code>`);
      expect(text).to.contain(`<li id="L${p.line}" value="${p.line}" class="error-line">`);
    }
    expect(text, 'nothing to save').not.to.contain('<input type="hidden" name="source"');
  });

  it('reports a JSON syntax error at its line and column', async () => {
    await admin.get(`${base}/edit`);
    const lines = shipped.source.split('\n');
    lines[4] = `${lines[4]},,`;
    const res = await admin.post(`${base}/preview`, { source: lines.join('\n') });
    const text = await res.text();
    expect(res.status).to.equal(422);
    expect(text).to.match(/第5行第\d+列<\/a> <code class="code">JSON_SYNTAX<\/code>/);
    expect(text).to.contain('<li id="L5" value="5" class="error-line">');
  });

  it('refuses an edit that renames the rule set', async () => {
    await admin.get(`${base}/edit`);
    const res = await admin.post(`${base}/preview`, { source: shipped.source.replace('"id": "village-annual"', '"id": "village-other"') });
    expect(res.status).to.equal(422);
    expect(await res.text()).to.contain('RULESET_ID_CHANGED');
  });

  it('previews who moves when the birth-rate target changes, before anything is saved', async () => {
    const before = (await listRuleVersions(app.db, 'village-annual')).length;
    const { text: form } = await admin.get(`${base}/edit`);
    expect(form).to.contain('<textarea id="source" name="source"').and.to.contain('预览');
    const res = await admin.post(`${base}/preview`, { source: edited.replace(/\n/g, '\r\n') });
    const text = await res.text();
    expect(res.status).to.equal(200);
    expect(text).to.contain('以第2号考核（2024');
    expect(text).to.match(/<tr class="up">[\s\S]*?排名 \d+ → \d+/);
    expect(text).to.contain('人口出生率控制在6‰及以下的得60分');
    expect(text).to.contain('<input type="hidden" name="source"').and.to.contain('保存为新版本');
    expect((await listRuleVersions(app.db, 'village-annual')).length, 'a preview stores nothing').to.equal(before);
  });

  it('offers the next version label in the preview when the edit kept the old one, and says so', async () => {
    await admin.get(`${base}/edit`);
    const res = await admin.post(`${base}/preview`, { source: edited });
    const text = await res.text();
    expect(res.status).to.equal(200);
    expect(text).to.contain('版本号未修改：已由 2024.2 改为 2024.3');
    expect(text).to.contain('&quot;version&quot;: &quot;2024.3&quot;').and.not.to.contain('&quot;version&quot;: &quot;2024.2&quot;');
  });

  it('saves a valid edit as a new version with the next label, and leaves the old one unchanged', async () => {
    await admin.get(`${base}/edit`);
    const res = await admin.post(base, { source: edited.replace(/\n/g, '\r\n') });
    expect(res.status).to.equal(303);
    const labelled = withLabel(edited, '2024.3');
    expect(labelled).to.equal(edited.replace('"version": "2024.2"', '"version": "2024.3"'));
    const sha = sha256(Buffer.from(labelled, 'utf8'));
    expect(res.headers.get('location')).to.equal(`${base}/v/${sha}`);
    expect((await getRuleVersion(app.db, sha))!.source, 'stored with the line ends of a file').to.equal(labelled);
    expect((await getRuleVersion(app.db, sha))!.version).to.equal('2024.3');
    expect((await getRuleVersion(app.db, shipped.sha256))!.source).to.equal(shipped.source);
    expect((await latestRuleVersion(app.db, 'village-annual'))!.sha256).to.equal(sha);
    const page = await admin.get(`${base}/v/${sha}`);
    expect(page.text).to.contain('已保存为新版本 2024.3（版本号未修改，已由 2024.2 改为 2024.3）').and.to.contain('人口出生率控制在6‰及以下');
    expect((await admin.get(`${base}/v/${shipped.sha256}`)).text).to.contain('人口出生率控制在8‰及以下').and.to.contain('这是旧版本');
    const [entry] = await auditEntries(app.db, { action: 'rules.edit', limit: 1 });
    expect(entry).to.include({ actor: 'admin', subject: `village-annual@${sha.slice(0, 12)}` });
  });

  it('says so, and stores nothing, when the text is identical to an existing version', async () => {
    const before = (await listRuleVersions(app.db, 'village-annual')).length;
    await admin.get(`${base}/edit`);
    const res = await admin.post(base, { source: shipped.source });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal(`${base}/v/${shipped.sha256}`);
    expect((await admin.get(res.headers.get('location')!)).text).to.contain('完全相同');
    expect((await listRuleVersions(app.db, 'village-annual')).length).to.equal(before);
  });

  it('shows the changed line of two consecutive versions side by side, in the document and in the JSON', async () => {
    const { status, text } = await leader.get(`${base}/diff`);
    expect(status).to.equal(200);
    expect(text).to.match(/<tr class="changed">[^]*?8‰及以下[^]*?6‰及以下[^]*?<\/tr>/);
    expect(text).to.match(/<tr class="changed"><td class="no">\d+<\/td><td class="text left">\s*&quot;target&quot;: 8,/);
    const explicit = await leader.get(`${base}/diff?a=${shipped.sha256}&b=latest`);
    expect(explicit.text).to.contain('6‰及以下');
  });

  it('gives a second edit that kept the label the next free one, never one already used', async () => {
    await admin.get(`${base}/edit`);
    const newest = (await latestRuleVersion(app.db, 'village-annual'))!;
    const again = newest.source.replace('"target": 6,', '"target": 7,');
    const res = await admin.post(base, { source: again });
    expect(res.status).to.equal(303);
    expect((await latestRuleVersion(app.db, 'village-annual'))!.version).to.equal('2024.4');
  });

  it('refuses an edit whose label another version holds, at /version with its line and column, naming the proposal', async () => {
    const before = (await listRuleVersions(app.db, 'village-annual')).length;
    const newest = (await latestRuleVersion(app.db, 'village-annual'))!;
    const taken = newest.source.replace('"target": 7,', '"target": 5,').replace(`"version": "${newest.version}"`, '"version": "2024.2"');
    expect(taken).to.contain('"version": "2024.2"').and.to.contain('"target": 5,');
    const line = taken.split('\n').findIndex((l) => l.includes('"version"')) + 1;
    for (const url of [`${base}/preview`, base]) {
      await admin.get(`${base}/edit`);
      const res = await admin.post(url, { source: taken });
      const text = await res.text();
      expect(res.status, url).to.equal(422);
      expect(text).to.match(new RegExp(`第${line}行第\\d+列</a> <code class="code">RULE_VERSION_LABEL_TAKEN</code>[^<]*“2024.5”`));
      expect(text).to.contain(`<li id="L${line}" value="${line}" class="error-line">`);
    }
    expect((await listRuleVersions(app.db, 'village-annual')).length, 'nothing stored').to.equal(before);
  });

  it('answers a leader with 404 on the editor, the preview and the save', async () => {
    expect((await leader.get(`${base}/edit`)).status).to.equal(404);
    await leader.get('/rules');
    expect((await leader.post(`${base}/preview`, { source: edited })).status).to.equal(404);
    expect((await leader.post(base, { source: edited })).status).to.equal(404);
  });

  it('refuses a preview or save posted without the CSRF token', async () => {
    for (const url of [`${base}/preview`, base]) {
      const res = await admin.request('POST', url, { source: edited });
      expect(res.status, url).to.equal(403);
    }
  });
});

describe('the side-by-side line diff', () => {
  it('pairs a changed line, keeps equal lines aligned and folds long equal stretches', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const b = ['a', 'b', 'c', 'd', 'e', 'F', 'g', 'h', 'i', 'j', 'k'];
    const { rows, changed } = sideBySide(a, b, 1);
    expect(changed).to.equal(2);
    expect(rows.map((r) => r.kind)).to.deep.equal(['skipped', 'same', 'changed', 'same', 'skipped', 'same', 'added']);
    expect(rows[2]).to.deep.include({ left: { no: 6, text: 'f' }, right: { no: 6, text: 'F' } });
    expect(rows[0].count).to.equal(4);
  });

  it('shows removed lines on the left only', () => {
    const { rows } = sideBySide(['x', 'y', 'z'], ['x', 'z']);
    expect(rows.map((r) => r.kind)).to.deep.equal(['same', 'removed', 'same']);
  });
});
