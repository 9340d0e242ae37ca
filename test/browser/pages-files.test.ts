import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { assertNoConsoleErrors, chromiumMissing, newPage, screenshot, signIn, startConsoleApp, type ConsoleApp } from './support/index.js';

const FACT = 'Zorblax the lighthouse keeper paints every harbour door teal on the first Tuesday of March.';
const FILLER = [
  'Sourdough bread needs a lively starter, a long cold proof and a very hot oven.',
  'Tomato plants prefer full sun, deep watering and a stake to climb as they grow.',
  'Marathon runners taper their training in the final weeks before the race.',
];
const TEXT = [...FILLER, FACT, ...FILLER].join('\n\n');

describe('console files and vector stores pages (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  let client: OpenAI;
  before(async () => {
    ctx = await startConsoleApp();
    client = ctx.app.client(ctx.key);
  });
  after(async () => {
    await ctx?.close();
  });

  it('should upload a file into a vector store, show it indexed, and search it with chunks and scores', async () => {
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/vector-stores' });
    await page.getByRole('textbox', { name: 'Vector store name' }).fill('Harbour notes');
    await page.getByRole('button', { name: 'Create vector store' }).click();
    await page.waitForURL(/\/console\/vector-stores\/vs_/);
    const storeId = page.url().split('/').at(-1)!;

    await page.getByLabel('Upload a file into this store').setInputFiles({ name: 'harbour.txt', mimeType: 'text/plain', buffer: Buffer.from(TEXT) });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const files = page.getByRole('table', { name: 'Files in this store' });
    await files.getByText('completed').waitFor();
    assert.match(await files.innerText(), /harbour\.txt/);
    const [stored] = (await client.vectorStores.files.list(storeId)).data;
    assert.equal(stored?.status, 'completed');

    await page.getByRole('searchbox', { name: 'Search' }).fill('Who paints the harbour doors teal?');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    const expected = (await client.vectorStores.search(storeId, { query: 'Who paints the harbour doors teal?', max_num_results: 10 })).data;
    assert.ok(expected.length > 0);
    const first = results.locator(':scope > li').first();
    assert.match(await first.innerText(), new RegExp(`harbour\\.txt score ${expected[0]!.score.toFixed(3)}`));
    assert.match(await results.innerText(), /Zorblax the lighthouse keeper/);
    await screenshot(page, 'vector-store');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'vector-store');

    await page.getByRole('navigation').getByRole('link', { name: 'Vector stores' }).click();
    const stores = page.getByRole('table', { name: 'Vector stores' });
    await stores.getByRole('link', { name: 'Harbour notes' }).waitFor();
    await screenshot(page, 'vector-stores');
    assertNoConsoleErrors(page);
  });

  it('should upload with a progress bar, page the list, download and delete a file', async () => {
    for (let i = 0; i < 21; i++) await client.files.create({ file: await toFile(Buffer.from(`file ${i}`), `small-${i}.txt`), purpose: 'assistants' });
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/files' });
    const table = page.getByRole('table', { name: 'Files' });
    await table.getByText('small-20.txt').waitFor();
    const rows = table.locator('tbody > tr');
    const before = await rows.count();
    assert.equal(before, 20);
    await page.getByRole('button', { name: 'Load more' }).click();
    await rows.nth(20).waitFor();

    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    await page.getByLabel('File to upload').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: big });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await table.getByText('big.txt').waitFor();
    const bar = page.getByRole('progressbar', { name: 'Upload progress' });
    // Progress counts the multipart body: the file plus its part headers, all of it sent.
    const max = Number(await bar.getAttribute('max'));
    assert.ok(max > big.length && max < big.length + 1024, `max ${max}`);
    assert.equal(Number(await bar.getAttribute('value')), max);
    await screenshot(page, 'files');

    const download = page.waitForEvent('download');
    await table.getByRole('button', { name: 'Download small-3.txt' }).click();
    const saved = await download;
    assert.equal(saved.suggestedFilename(), 'small-3.txt');
    assert.equal(readFileSync(await saved.path()).toString(), 'file 3');

    await table.getByRole('button', { name: 'Delete big.txt' }).click();
    await table.getByText('big.txt').waitFor({ state: 'detached' });
    const names = [];
    for await (const f of client.files.list()) names.push(f.filename);
    assert.equal(names.includes('big.txt'), false);
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await screenshot(page, 'files');
    assertNoConsoleErrors(page);
  });
});
