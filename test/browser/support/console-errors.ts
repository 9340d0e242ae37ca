// Every page test asserts that the page logged no errors: console.error (and the browser's own error lines, such
// as a failed resource load) and uncaught exceptions. A test that provokes one on purpose (a wrong key's 401)
// names it in `allow`.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

const errorsOf = new WeakMap<Page, string[]>();

export function watchConsoleErrors(page: Page): void {
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  // The browser's "Failed to load resource" line does not say which; this one does.
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
}

/** The errors so far, but those matching one of `allow`. */
export function consoleErrors(page: Page, allow: readonly RegExp[] = []): string[] {
  const errors = errorsOf.get(page);
  assert.ok(errors, 'the page was not opened with newPage(), so nobody watched its console');
  return errors.filter((e) => !allow.some((re) => re.test(e)));
}

export function assertNoConsoleErrors(page: Page, allow: readonly RegExp[] = []): void {
  assert.deepEqual(consoleErrors(page, allow), []);
}
