/**
 * A real headless browser for e2e tests and benchmarks: Debian's chromium (installed by `node test/run.mjs`
 * before the e2e tests, see ./test-packages.ts), driven by playwright-core over the DevTools protocol. A fresh
 * profile per launch (playwright gives each launch its own temporary --user-data-dir), no network besides the cluster, the cluster CA's certificate errors ignored.
 *
 *   const b = await launchBrowser();
 *   const page = await b.newPage({ width: 1280, height: 720 });
 *   await b.close();
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, ensureChromium } from './test-packages.ts';

export interface TestBrowser {
  browser: Browser;
  /** A new page in its own context (own sessionStorage), with the given viewport and colour scheme. */
  newPage(o?: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; isMobile?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  ensureChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    newPage: async (o = {}) => {
      const ctx = await browser.newContext({
        ignoreHTTPSErrors: true, viewport: { width: o.width ?? 1280, height: o.height ?? 720 }, colorScheme: o.colorScheme ?? 'light',
        isMobile: o.isMobile, hasTouch: o.isMobile, deviceScaleFactor: 1,
      });
      contexts.push(ctx);
      return ctx.newPage();
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}
