// Debian's Chromium, driven by playwright-core (no browser download). launch() gives every browser a fresh
// temporary profile (its own --user-data-dir), so no state leaks between test files.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { watchConsoleErrors } from './console-errors.js';

export const CHROMIUM = '/usr/bin/chromium';

/** The reason the browser tests skip, or false when Chromium is there (scripts/test.mjs installs it when it can). */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or run npm test as root`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
}

/** A page in a context of its own (its own sessionStorage), watched for console errors. */
export async function newPage(browser: Browser, opts: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  watchConsoleErrors(page);
  return page;
}
