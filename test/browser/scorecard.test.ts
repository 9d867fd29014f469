import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT } from '../../src/paths.js';
import { addUser } from '../../src/services/accounts.js';
import { listRuns, publishRun, runResults } from '../../src/services/runs.js';
import { launch, overflow, shot, signIn } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/**
 * The scorecard a village reads (issue 18, items 2, 6 and 10): every text a village is shown,
 * on screen and in print, is free of the rule file's identifiers, English and raw operators;
 * the groups fold on a phone and unfold in print; a 390 px phone scrolls nothing sideways.
 */

interface RuleFile {
  id: string;
  inputs: Record<string, unknown>;
  metrics: Record<string, unknown>;
  items: Array<Record<string, unknown>>;
  bonus?: { items: Array<{ id: string }> };
  penalty?: { items: Array<{ id: string }> };
  vetoes?: Array<{ id: string }>;
}

/** Every name and id of a rule file: what a village must never read. */
function identifiersOf(file: RuleFile): string[] {
  const ids: string[] = [file.id, ...Object.keys(file.inputs), ...Object.keys(file.metrics)];
  const walk = (items: Array<Record<string, unknown>>) => {
    for (const item of items) {
      ids.push(item.id as string);
      if (Array.isArray(item.items)) walk(item.items as Array<Record<string, unknown>>);
    }
  };
  walk(file.items);
  for (const x of [...file.bonus?.items ?? [], ...file.penalty?.items ?? [], ...file.vetoes ?? []]) ids.push(x.id);
  return ids;
}

const village = JSON.parse(readFileSync(path.join(ROOT, 'rules', 'village-annual.json'), 'utf8')) as RuleFile;
const IDENTIFIERS = identifiersOf(village);
/** Latin words but the names of the two file formats the export buttons offer. */
const ENGLISH = /\b(?!(?:XLSX|CSV)\b)[A-Za-z]{2,}\b/;
const OPERATORS = /&&|\|\||>=|<=|==|!=|扣-|−-|--/;
/** Accounts this file adds for the villages the demo gives none: the vetoed last of 2024 and one tied in it. */
const OWN_PASSWORDS: Record<string, string> = { 'v03-test': 'v03-测试口令-2024', 'v08-test': 'v08-测试口令-2024' };

describe('the scorecard a village reads (issue 18, items 2, 6 and 10)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let published: number;
  let draft: number;

  before(async () => {
    app = await startApp();
    browser = await launch();
    const runs = await listRuns(app.db);
    published = runs.find((r) => r.track === 'village' && r.status === 'published' && r.period_id === '2023')!.id;
    draft = runs.find((r) => r.track === 'village' && r.status === 'draft' && r.period_id === '2024')!.id;
    // Villages read the 2024 run once it is published: the vetoed last village and a tie decided by tieBreak are in it.
    await publishRun(app.db, draft, 'test');
    for (const id of ['v03', 'v08']) {
      await addUser(app.db, { username: `${id}-test`, role: 'village', unitId: id, displayName: '村支两委', password: OWN_PASSWORDS[`${id}-test`] }, 'test');
    }
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(async () => { await context?.close(); });

  const open = async (width: number, user: string, url: string) => {
    context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN', ...(width < 700 ? { isMobile: true, hasTouch: true } : {}) });
    page = await context.newPage();
    if (user in OWN_PASSWORDS) {
      await page.goto(`${app.url}/login`);
      await page.fill('input[name=username]', user);
      await page.fill('input[name=password]', OWN_PASSWORDS[user]);
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    } else {
      await signIn(page, app.url, user);
    }
    await page.goto(`${app.url}${url}`);
  };

  /** Every page a village can reach: its card of each published run (v09 is the 2023 run's last, v08 the 2024 run's, v03 tied in 2024). */
  const villagePages = (): Array<[string, string]> => [
    ['v01', '/units/v01'], ['v01', `/units/v01?run=${published}`],
    ['v09', '/units/v09'], ['v09', `/units/v09?run=${published}`],
    ['v03-test', '/units/v03'], ['v08-test', '/units/v08'],
    ['v01', '/units/v02'], // another village's card: the 404 page
  ];

  it('shows a village no identifier of the rule file, no English and no raw operator, on screen or in print', async () => {
    const users = [...new Set(villagePages().map(([user]) => user))];
    for (const user of users) {
      await open(1366, user, '/');
      for (const [, url] of villagePages().filter(([u]) => u === user)) {
        await page.goto(`${app.url}${url}`);
        for (const media of ['screen', 'print'] as const) {
          await page.emulateMedia({ media });
          const text = await page.evaluate(() => document.body.innerText);
          expect(text.length, url).to.be.greaterThan(8);
          for (const id of IDENTIFIERS) expect(text.includes(id), `${url} (${media}) shows “${id}”`).to.equal(false);
          expect(text, `${url} (${media})`).not.to.match(ENGLISH);
          expect(text, `${url} (${media})`).not.to.match(OPERATORS);
        }
        await page.emulateMedia({ media: 'screen' });
      }
      await context.close();
    }
  });

  it('tells the vetoed last village 因一票否决列最后 and a village placed by tieBreak 总分相同，按……得分排序', async () => {
    await open(1366, 'v08-test', '/units/v08');
    const gap = await page.textContent('.summary');
    expect(gap).to.contain('因一票否决列最后').and.not.to.match(/−-|−\d/);
    // What vetoed it, with the facts that decide it.
    expect(await page.textContent('p.veto')).to.match(/^有政策外生育的村实行一票否决（政策外出生数\d+人 > 0人）$/);
    await shot(page, 'scorecard-vetoed-last-1366');
    await context.close();

    const units = (await runResults(app.db, draft)).units;
    const v03 = units.find((u) => u.id === 'v03')!;
    const above = units.filter((u) => u.rank < v03.rank).sort((a, b) => b.rank - a.rank)[0];
    expect(above.total, 'the demo ties v03 with the village above it').to.equal(v03.total);
    await open(1366, 'v03-test', '/units/v03');
    expect(await page.textContent('.summary')).to.match(/总分相同，按“一、人口和计划生育工作指标”得分排序（金盆村\d+\.\d分，桃花村\d+\.\d分）/);
    await shot(page, 'scorecard-tie-1366');
  });

  it('tells a village that shares its rank with whom (并列)', async () => {
    // In the 2023 run 龙潭村 and 枫林社区 share the third place; the leader reads 枫林社区's card (the demo gives it no account).
    await open(1366, 'leader', `/units/v16?run=${published}`);
    expect(await page.textContent('.summary')).to.contain('与龙潭村并列');
    await context.close();
    await open(1366, 'v01', '/units/v01');
    expect(await page.textContent('.summary')).not.to.contain('并列');
  });

  it('writes a failed condition with labels, a Chinese sign and the village’s own values', async () => {
    await open(1366, 'v08-test', '/units/v08');
    expect(await page.textContent('div.clauses')).to.match(/已签订计生合同数\d+人 < 流出已婚育龄妇女数\d+人，不记分/);
  });

  it('folds the groups without lost points on a phone, unfolds them at a touch, and fits 390 px', async () => {
    await open(390, 'v08-test', '/units/v08');
    expect(await overflow(page)).to.equal(0);
    const heads = page.locator('label.group-head');
    expect(await heads.count()).to.be.greaterThan(5);
    // 三、综合治理与村民自治 lost nothing: folded. 一、 lost points: unfolded.
    const whole = page.locator('section.group', { has: page.locator('> label.group-head', { hasText: '三、综合治理与村民自治' }) });
    const lost = page.locator('section.group', { has: page.locator('> label.group-head', { hasText: '一、人口和计划生育工作指标' }) });
    expect(await whole.locator('> .group-body').isVisible()).to.equal(false);
    expect(await lost.locator('> .group-body').isVisible()).to.equal(true);
    await shot(page, 'scorecard-folded-390');
    await whole.locator('> label.group-head').click();
    expect(await whole.locator('> .group-body').isVisible()).to.equal(true);
    expect(await whole.locator('td.why').first().isVisible()).to.equal(true);
    await whole.locator('> label.group-head').click();
    expect(await whole.locator('> .group-body').isVisible()).to.equal(false);
    expect(await overflow(page)).to.equal(0);

    // No text column narrower than four characters: every title and reason shown is at least 4em wide.
    const narrow = await page.evaluate(() => [...document.querySelectorAll('div.clauses td.title, div.clauses td.why, label.group-head > span.title')]
      .filter((el) => (el as HTMLElement).offsetParent && (el.textContent ?? '').trim())
      .map((el) => ({ text: (el.textContent ?? '').trim().slice(0, 20), width: el.getBoundingClientRect().width, em: parseFloat(getComputedStyle(el).fontSize) }))
      .filter((c) => c.width < 4 * c.em));
    expect(narrow).to.deep.equal([]);
  });

  it('unfolds every group on a wide screen and in print, so that a printed card shows every clause', async () => {
    await open(1366, 'v08-test', '/units/v08');
    const all = await page.locator('.group-body').count();
    const visible = async () => (await page.locator('.group-body').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length));
    expect(await visible()).to.equal(all);
    await shot(page, 'scorecard-1366');
    await context.close();

    await open(390, 'v08-test', '/units/v08');
    expect(await visible(), 'folded on a phone').to.be.lessThan(all);
    await page.emulateMedia({ media: 'print' });
    expect(await visible(), 'all unfolded in print').to.equal(all);
    const rows = await page.locator('td.why').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
    expect(rows).to.equal(await page.locator('td.why').count());
    const pdf = await page.pdf({ format: 'A4', path: path.join(ROOT, 'artifacts', 'screenshots', 'scorecard-v08.pdf') });
    expect(pdf.subarray(0, 4).toString()).to.equal('%PDF');
  });

  it('prints the rule document with no raw expression or identifier of the rule file', async () => {
    await open(1366, 'leader', '/rules/village-annual/v/latest');
    await page.emulateMedia({ media: 'print' });
    const text = await page.evaluate(() => document.querySelector('article.rule-document')!.textContent ?? '');
    expect(text).to.contain('已签订计生合同数 ≥ 流出已婚育龄妇女数');
    for (const id of IDENTIFIERS.filter((x) => x !== village.id)) expect(text.includes(id), id).to.equal(false);
    expect(text).not.to.match(OPERATORS);
    await page.pdf({ format: 'A4', path: path.join(ROOT, 'artifacts', 'screenshots', 'rules-document.pdf') });
    await context.close();
    await open(390, 'leader', '/rules/village-annual/v/latest');
    expect(await overflow(page)).to.equal(0);
    await shot(page, 'rules-document-390');
  });
});
