import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../src/paths.js';
import { PASSWORDS } from './web.js';

/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). Screenshots
 * go to artifacts/screenshots/, which is not committed.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'artifacts', 'screenshots');

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function signIn(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORDS[username]);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

/**
 * A page signed in as `user` in a context of its own: a phone (`isMobile`) below 700 px, an office
 * screen above. Its context closes with the browser.
 */
export async function pageAs(browser: Browser, base: string, user: string, width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 700, locale: 'zh-CN' });
  const page = await context.newPage();
  await signIn(page, base, user);
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * How far the page is wider than the screen it was opened at, in CSS pixels (0: nothing to
 * scroll sideways). Measured against the viewport the context was made with, not
 * window.innerWidth: a mobile browser widens its layout viewport to the content, so the
 * page always "fits" that.
 */
export async function overflow(page: Page): Promise<number> {
  const width = page.viewportSize()?.width ?? 0;
  return Math.max(0, await page.evaluate(() => document.documentElement.scrollWidth) - width);
}

/**
 * The elements matching `selector` whose text has a contrast below `min` against the background
 * behind it (WCAG 2 relative luminance; the first ancestor with a background that is not
 * transparent), each with its text and ratio: none, where every mark can be read.
 */
export async function lowContrast(page: Page, selector: string, min = 4.5): Promise<Array<{ text: string; ratio: number }>> {
  return page.evaluate(({ selector, min }) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const f = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const backgroundOf = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const low: Array<{ text: string; ratio: number }> = [];
    for (const el of document.querySelectorAll(selector)) {
      const text = (el.textContent ?? '').trim();
      if (!text || !(el as HTMLElement).offsetParent) continue;
      const fg = luminance(rgb(getComputedStyle(el).color)), bg = luminance(backgroundOf(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < min) low.push({ text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100 });
    }
    return low;
  }, { selector, min });
}

/**
 * The table cells of a text column that a narrow screen squeezed below four characters
 * (4em of the cell's font) so that their text breaks across lines — a name read a
 * character or two per line. Numbers (`.num`) and cells shown as cards are not columns.
 */
export async function narrowColumns(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const narrow: string[] = [];
    for (const cell of document.querySelectorAll<HTMLElement>('table td, table th')) {
      const style = getComputedStyle(cell);
      if (style.display !== 'table-cell' || cell.classList.contains('num') || !cell.offsetParent) continue;
      const text = (cell.textContent ?? '').trim();
      if (!text) continue;
      const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (inner >= 4 * parseFloat(style.fontSize) - 0.5) continue;
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) narrow.push(`${text.slice(0, 20)} (${Math.round(inner)}px)`);
    }
    return narrow;
  });
}
