import { expect } from 'chai';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fileAppeal } from '../../src/services/appeals.js';
import { renameUnit } from '../../src/services/unit-records.js';
import { PDF } from '../support/appeals.js';
import { launch, overflow, SCREENSHOTS, shot, pageAs } from '../support/browser.js';
import { startApp, type TestApp } from '../support/web.js';

/**
 * Issue 19's pages fed hostile data (attacked before release): a unit name of 100 characters
 * without a break, an appeal's reason of 2,000 characters without a space, a file name of 100
 * characters with markup; each page at 390 and 1366 px with no sideways scroll, and printed.
 */
describe('issue 19’s pages with hostile names and reasons (hardening, in the browser)', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;
  const longName = `<b>{{x}}</b>${'枫'.repeat(40)}${'W'.repeat(47)}村`;
  const reason = `${'A'.repeat(1000)}<script>alert(1)</script>${'理'.repeat(975)}`;

  before(async () => {
    app = await startApp();
    browser = await launch();
    await renameUnit(app.db, 'v01', longName, 'admin');
    await fileAppeal(app.db, {
      runId: 1, unitId: 'v01', items: [{ kind: 'clause', id: 'birth-rate' }], reason, by: 'v01',
      files: [{ name: `../../${'证'.repeat(30)}<img src=x onerror=alert(1)>${'x'.repeat(60)}.pdf`, content: PDF }],
    });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const open = (user: string, width: 390 | 1366): Promise<Page> => pageAs(browser, app.url, user, width);

  const pages: Array<[string, string, string]> = [
    ['v01', '/units/v01/appeals?run=1', 'hostile-appeals-unit'],
    ['leader', '/appeals', 'hostile-appeals-list'],
    ['leader', '/appeals/1', 'hostile-appeal'],
    ['admin', '/admin/units', 'hostile-units'],
    ['admin', '/admin/units/v01', 'hostile-unit'],
    ['admin', '/admin/accounts', 'hostile-accounts'],
  ];
  for (const [user, url, name] of pages) {
    for (const width of [390, 1366] as const) {
      it(`shows ${url} to ${user} at ${width} px with no sideways scroll and the markup inert`, async () => {
        const page = await open(user, width);
        let alerted = false;
        page.on('dialog', (d) => { alerted = true; void d.dismiss(); });
        const res = await page.goto(`${app.url}${url}`);
        expect(res!.status(), url).to.equal(200);
        await shot(page, `${name}-${width}`);
        if (width === 390) await page.pdf({ path: path.join(SCREENSHOTS, `${name}.pdf`), format: 'A4', printBackground: true });
        expect(alerted, 'a script ran').to.equal(false);
        expect(await overflow(page), `${url} scrolls sideways`).to.equal(0);
      });
    }
  }
});
