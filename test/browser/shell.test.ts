import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  assertNoConsoleErrors,
  chromiumMissing,
  newPage,
  screenshot,
  signIn,
  startConsoleApp,
  type ConsoleApp,
} from './support/index.js';

const NAV = ['Playground', 'Assistants', 'Threads', 'Responses', 'Files', 'Vector stores', 'Usage'];
const WRONG_KEY_MESSAGE =
  'Incorrect API key provided. You can find your API key in your Switchboard configuration (SWITCHBOARD_API_KEYS).';
/** The wrong key's 401 (the browser logs it too), which that test provokes on purpose. */
const EXPECTED_401 = /status of 401|HTTP 401: GET \/v1\/models/;

describe('console shell (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  before(async () => {
    ctx = await startConsoleApp();
  });
  after(async () => {
    await ctx?.close();
  });

  it('should refuse a wrong key with the server’s message, then sign in with the right one', async () => {
    const page = await newPage(ctx.browser);
    await page.goto(`${ctx.url}/`);
    await page.getByRole('textbox', { name: 'API key' }).fill('sk-wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').innerText(), WRONG_KEY_MESSAGE);
    assert.equal(await page.getByRole('navigation').count(), 0);

    await page.getByRole('textbox', { name: 'API key' }).fill(ctx.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'Playground' }).waitFor();
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), NAV);
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('switchboard.apiKey')), ctx.key);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.ok(!page.url().includes(ctx.key));
    assertNoConsoleErrors(page, [EXPECTED_401]);
  });

  it('should forget a kept key the server no longer takes, and say why', async () => {
    const page = await newPage(ctx.browser);
    await page.goto(`${ctx.url}/`);
    await page.getByRole('textbox', { name: 'API key' }).waitFor();
    await page.evaluate(() => sessionStorage.setItem('switchboard.apiKey', 'sk-revoked'));
    await page.reload();
    await page.getByRole('textbox', { name: 'API key' }).waitFor();
    assert.equal(await page.getByRole('alert').innerText(), WRONG_KEY_MESSAGE);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('switchboard.apiKey')), null);
    assertNoConsoleErrors(page, [EXPECTED_401]);
  });

  it('should navigate in place and mark the current link', async () => {
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key });
    await page.getByRole('link', { name: 'Vector stores' }).click();
    await page.waitForURL(`${ctx.url}/console/vector-stores`);
    assert.equal(await page.getByRole('link', { name: 'Vector stores' }).getAttribute('aria-current'), 'page');
    await page.goBack();
    await page.waitForURL(`${ctx.url}/`);
    // A reload keeps the session (sessionStorage), and a deep link renders its page, not the sign-in form.
    await page.goto(`${ctx.url}/console/threads/thread_unknown`);
    await page.getByRole('navigation').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Threads' }).getAttribute('aria-current'), 'page');
    // The thread page asks the server for the unknown thread, which answers 404.
    assertNoConsoleErrors(page, [/HTTP 404: GET \/v1\/threads\/thread_unknown$|status of 404/]);
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`should lay out at ${width}×${height}, light and dark`, async () => {
      const page = await newPage(ctx.browser, { width, height });
      await signIn(page, { url: ctx.url, key: ctx.key });
      // Nothing wider than the window: no sideways scrolling at 390 px.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
      assert.ok(existsSync(await screenshot(page, 'shell')));
      await page.emulateMedia({ colorScheme: 'dark' });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(17, 20, 24)');
      assert.ok(existsSync(await screenshot(page, 'shell-dark')));
      assertNoConsoleErrors(page);
    });
  }
});

describe('console shell in open mode (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  before(async () => {
    ctx = await startConsoleApp({ env: { SWITCHBOARD_API_KEYS: '' } });
  });
  after(async () => {
    await ctx?.close();
  });

  it('should skip the sign-in form when the server takes no key', async () => {
    const page = await newPage(ctx.browser);
    await page.goto(`${ctx.url}/console/playground`);
    await page.getByRole('navigation').getByRole('link', { name: 'Usage' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'API key' }).count(), 0);
    assertNoConsoleErrors(page);
  });
});
