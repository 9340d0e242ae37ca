import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { assertNoConsoleErrors, chromiumMissing, newPage, screenshot, signIn, startConsoleApp, type ConsoleApp } from './support/index.js';

describe('console assistants pages (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  let client: OpenAI;
  before(async () => {
    ctx = await startConsoleApp();
    client = ctx.app.client(ctx.key);
  });
  after(async () => {
    await ctx?.close();
  });

  it('should create, edit and delete an assistant with tools, tool resources and metadata', async () => {
    const store = await client.vectorStores.create({ name: 'docs' });
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/assistants' });
    await page.getByRole('button', { name: 'New assistant' }).click();
    await page.getByRole('combobox', { name: 'Model' }).fill('fake-model');
    await page.getByRole('textbox', { name: 'Name' }).fill('Helper');
    await page.getByRole('textbox', { name: 'Instructions' }).fill('Answer from the docs.');
    await page.getByRole('checkbox', { name: 'file_search' }).check();
    await page.getByRole('textbox', { name: 'Vector store ids' }).fill(store.id);
    await page.getByRole('textbox', { name: 'Function tools (JSON)' }).fill('[{"name":"get_weather","parameters":{"type":"object","properties":{}}}]');
    await page.getByRole('button', { name: 'Add metadata' }).click();
    await page.getByRole('textbox', { name: 'Metadata key 1' }).fill('team');
    await page.getByRole('textbox', { name: 'Metadata value 1' }).fill('blue');
    await screenshot(page, 'assistants');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.waitForURL(/\/console\/assistants\/asst_/);
    const id = page.url().split('/').at(-1)!;

    const created = await client.beta.assistants.retrieve(id);
    assert.deepEqual(
      { model: created.model, name: created.name, instructions: created.instructions, tools: created.tools, metadata: created.metadata },
      {
        model: 'fake-model',
        name: 'Helper',
        instructions: 'Answer from the docs.',
        tools: [{ type: 'file_search' }, { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
        metadata: { team: 'blue' },
      },
    );
    assert.deepEqual(created.tool_resources?.file_search?.vector_store_ids, [store.id]);

    // Edit: rename, switch file_search off, drop the metadata row.
    await page.getByRole('heading', { name: 'Helper' }).waitFor();
    await page.getByRole('textbox', { name: 'Name' }).fill('Helper 2');
    await page.getByRole('checkbox', { name: 'file_search' }).uncheck();
    await page.getByRole('button', { name: 'Remove metadata 1' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved at').waitFor();
    const edited = await client.beta.assistants.retrieve(id);
    assert.equal(edited.name, 'Helper 2');
    assert.deepEqual(edited.tools.map((t) => t.type), ['function']);
    assert.deepEqual(edited.tool_resources?.file_search?.vector_store_ids ?? [], []);
    await screenshot(page, 'assistant');

    await page.getByRole('button', { name: 'Delete assistant' }).click();
    await page.waitForURL(`${ctx.url}/console/assistants`);
    await assert.rejects(client.beta.assistants.retrieve(id), OpenAI.NotFoundError);
    assertNoConsoleErrors(page);
  });

  it('should list assistants and delete one from the list, at 390 px too', async () => {
    const a = await client.beta.assistants.create({ model: 'fake-model', name: 'Listed one' });
    const page = await newPage(ctx.browser, { width: 390, height: 844 });
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/assistants' });
    const table = page.getByRole('table', { name: 'Assistants' });
    await table.getByRole('link', { name: 'Listed one' }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await screenshot(page, 'assistants');
    await table.getByRole('button', { name: 'Delete Listed one' }).click();
    await table.getByRole('link', { name: 'Listed one' }).waitFor({ state: 'detached' });
    await assert.rejects(client.beta.assistants.retrieve(a.id), OpenAI.NotFoundError);
    assertNoConsoleErrors(page);
  });
});
