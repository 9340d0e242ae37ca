import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { UsageCompletionsResponse } from 'openai/resources/admin/organization/usage';
import { assertNoConsoleErrors, chromiumMissing, newPage, screenshot, signIn, startConsoleApp, type ConsoleApp } from './support/index.js';

const PRICES_YAML = 'prices:\n  fake-model: { input: 2.5, output: 10 }\n';
const DAY = 86_400;
const today = () => Math.floor(Date.now() / 1000 / DAY) * DAY;

/** Every console page, with a path to open it by (ids filled in once created). */
function allPages(ids: { thread: string; response: string; conversation: string; store: string; assistant: string }): Array<[string, string]> {
  return [
    ['playground', '/console/playground'],
    ['assistants', '/console/assistants'],
    ['assistant', `/console/assistants/${ids.assistant}`],
    ['threads', '/console/threads'],
    ['thread', `/console/threads/${ids.thread}`],
    ['responses', '/console/responses'],
    ['response', `/console/responses/${ids.response}`],
    ['conversation', `/console/conversations/${ids.conversation}`],
    ['files', '/console/files'],
    ['vector-stores', '/console/vector-stores'],
    ['vector-store', `/console/vector-stores/${ids.store}`],
    ['usage', '/console/usage'],
  ];
}

describe('console responses, conversations and usage pages (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  let client: OpenAI;
  let response: OpenAI.Responses.Response;
  let conversationId: string;
  before(async () => {
    ctx = await startConsoleApp({ yaml: PRICES_YAML });
    client = ctx.app.client(ctx.key);
    conversationId = (await client.conversations.create({ metadata: { topic: 'geography' } })).id;
    response = await client.responses.create({ model: 'fake-model', input: 'What is the capital of France?', conversation: conversationId });
    await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] });
    await ctx.app.server.deps.usage.flush();
  });
  after(async () => {
    await ctx?.close();
  });

  it('should show a response with its input and output items, and its conversation', async () => {
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/responses' });
    await page.getByRole('textbox', { name: 'Open response by id' }).fill(response.id);
    await page.getByRole('button', { name: 'Open' }).first().click();
    await page.waitForURL(`${ctx.url}/console/responses/${response.id}`);
    const input = page.getByRole('list', { name: 'Input items' });
    await input.waitFor();
    assert.deepEqual(await input.locator(':scope > li pre.text').allInnerTexts(), ['What is the capital of France?']);
    const output = page.getByRole('list', { name: 'Output items' });
    assert.deepEqual(await output.locator(':scope > li pre.text').allInnerTexts(), ['Hello from the fake upstream.']);
    const usage = response.usage!;
    assert.match(await page.getByRole('main').innerText(), new RegExp(`Usage\\s+${usage.total_tokens} tokens \\(${usage.input_tokens} in, ${usage.output_tokens} out\\)`));
    await screenshot(page, 'response');

    await page.getByRole('link', { name: conversationId }).click();
    const items = page.getByRole('list', { name: 'Conversation items' });
    await items.waitFor();
    assert.deepEqual(await items.locator(':scope > li pre.text').allInnerTexts(), ['What is the capital of France?', 'Hello from the fake upstream.']);
    await screenshot(page, 'conversation');

    await page.getByRole('navigation').getByRole('link', { name: 'Responses' }).click();
    await page.getByRole('list', { name: 'Recent responses' }).getByRole('link', { name: response.id }).waitFor();
    await page.getByRole('list', { name: 'Recent conversations' }).getByRole('link', { name: conversationId }).waitFor();
    await screenshot(page, 'responses');
    assertNoConsoleErrors(page);
  });

  it('should chart usage per day by model and by key, with a table of the same numbers', async () => {
    const query = { start_time: today(), end_time: today() + DAY, 'group_by[]': 'model' };
    const api = await client.get<UsageCompletionsResponse>('/organization/usage/completions', { query });
    const [row] = api.data[0]!.results as UsageCompletionsResponse.Data.OrganizationUsageCompletionsResult[];
    assert.equal(row?.model, 'fake-model');

    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/usage' });
    const chart = page.getByRole('figure', { name: 'Usage chart' });
    await chart.locator('canvas').waitFor();
    const table = page.getByRole('table', { name: 'Usage by day' });
    const modelRow = table.getByRole('row').filter({ hasText: 'fake-model' });
    await modelRow.waitFor();
    const cells = await modelRow.getByRole('cell').allInnerTexts();
    assert.deepEqual(cells.slice(0, 5), [
      new Date(today() * 1000).toISOString().slice(0, 10),
      'fake-model',
      String(row.num_model_requests),
      String(row.input_tokens),
      String(row.output_tokens),
    ]);
    assert.match(cells[5]!, /^\$0\.0\d+$/);
    await screenshot(page, 'usage');

    await page.getByRole('combobox', { name: 'Group by' }).selectOption('api_key_id');
    await table.getByRole('columnheader', { name: 'API key' }).waitFor();
    const byKey = await client.get<UsageCompletionsResponse>('/organization/usage/completions', { query: { ...query, 'group_by[]': 'api_key_id' } });
    const keyRow = (byKey.data[0]!.results as UsageCompletionsResponse.Data.OrganizationUsageCompletionsResult[])[0]!;
    await table.getByRole('row').filter({ hasText: String(keyRow.api_key_id) }).waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'usage-dark');
    assertNoConsoleErrors(page);
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`should open every page at ${width}×${height} without console errors or sideways scrolling`, async () => {
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] });
      const store = await client.vectorStores.create({ name: 'tour' });
      const assistant = await client.beta.assistants.create({ model: 'fake-model', name: 'Tour guide' });
      const pages = allPages({ thread: thread.id, response: response.id, conversation: conversationId, store: store.id, assistant: assistant.id });
      const page = await newPage(ctx.browser, { width, height });
      await signIn(page, { url: ctx.url, key: ctx.key });
      for (const [name, path] of pages) {
        await page.goto(`${ctx.url}${path}`);
        await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name} scrolls sideways`);
        await screenshot(page, `tour-${name}`);
      }
      assertNoConsoleErrors(page);
    });
  }
});
