import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { chatChunks, errorBody } from '../fakes/chunks.js';
import { controlledStream } from '../fakes/fake-upstream.js';
import { assertNoConsoleErrors, chromiumMissing, newPage, screenshot, signIn, startConsoleApp, type ConsoleApp } from './support/index.js';

const CHAT = '/v1/chat/completions';
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** The texts of the direct items of the thread page's first "Run steps" list (nested lists left out). */
function stepTitles(page: Page): Promise<string[]> {
  return page.getByRole('list', { name: 'Run steps' }).first().locator(':scope > li .step-head strong').allInnerTexts();
}

describe('console thread pages (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  let client: OpenAI;
  let assistantId: string;
  before(async () => {
    ctx = await startConsoleApp();
    client = ctx.app.client(ctx.key);
    assistantId = (await client.beta.assistants.create({ model: 'fake-model', instructions: 'Be terse.', tools: [weatherTool] })).id;
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(() => ctx.fake.reset());

  it('should show a run with a function tool as run steps, with arguments, output and usage', async () => {
    ctx.fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: {} }) });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
    assert.equal(waiting.status, 'requires_action');
    const run = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_w1', output: 'sunny, 22C' }],
    });
    assert.equal(run.status, 'completed');

    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: `/console/threads/${thread.id}` });
    const steps = page.getByRole('list', { name: 'Run steps' });
    await steps.getByText('Model turn').waitFor();
    assert.deepEqual(await stepTitles(page), ['Tool calls: get_weather()', 'Model turn']);
    assert.equal(await steps.getByLabel('Arguments of get_weather').innerText(), '{\n  "city": "Paris"\n}');
    assert.equal(await steps.getByLabel('Output of get_weather').innerText(), 'sunny, 22C');
    const run1 = page.getByRole('article', { name: `Run ${run.id}` });
    assert.match(await run1.innerText(), /Usage\s+\d+ tokens \(\d+ in, \d+ out\)/);
    assert.match(await run1.getByRole('heading', { level: 3 }).innerText(), /completed/);
    const messages = page.getByRole('list', { name: 'Messages' }).locator(':scope > li .text');
    assert.deepEqual(await messages.allInnerTexts(), ['Weather in Paris?', 'Hello from the fake upstream.']);
    await screenshot(page, 'thread');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'thread-dark');

    // The Threads page remembers it for this key.
    await page.getByRole('navigation').getByRole('link', { name: 'Threads' }).click();
    await page.getByRole('list', { name: 'Recent threads' }).getByRole('link', { name: thread.id }).waitFor();
    await screenshot(page, 'threads');
    assertNoConsoleErrors(page);
  });

  it('should update a running run live until it completes', async () => {
    const stream = controlledStream();
    ctx.fake.enqueue(CHAT, { type: 'controlled', handle: stream });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Take your time.' }] });
    const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
    await stream.started;

    const page = await newPage(ctx.browser, { width: 390, height: 844 });
    await signIn(page, { url: ctx.url, key: ctx.key, path: `/console/threads/${thread.id}` });
    const heading = page.getByRole('article', { name: `Run ${run.id}` }).getByRole('heading', { level: 3 });
    await heading.getByText('in_progress').waitFor();
    for (const chunk of chatChunks({ content: 'Done at last.', usage: {} })) stream.write(chunk);
    stream.end();
    await heading.getByText('completed').waitFor();
    await page.getByRole('list', { name: 'Messages' }).getByText('Done at last.').waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await screenshot(page, 'thread');
    assertNoConsoleErrors(page);
  });

  it("should show a failed run's last_error", async () => {
    ctx.fake.enqueue(CHAT, { type: 'error', status: 400, body: errorBody('The prompt is not allowed here.') });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Say something forbidden.' }] });
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
    assert.equal(run.status, 'failed');
    assert.ok(run.last_error);

    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: `/console/threads/${thread.id}` });
    const card = page.getByRole('article', { name: `Run ${run.id}` });
    await card.getByText('Last error').waitFor();
    assert.equal(await card.locator('.run-error').innerText(), `Last error (${run.last_error.code}): ${run.last_error.message}`);
    assertNoConsoleErrors(page);
  });

  it("should show the server's message for an unknown thread and keep it out of the recent list", async () => {
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: '/console/threads' });
    await page.getByRole('textbox', { name: 'Open thread by id' }).fill('thread_doesnotexist');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(`${ctx.url}/console/threads/thread_doesnotexist`);
    assert.equal(await page.getByRole('alert').innerText(), "No thread found with id 'thread_doesnotexist'.");
    await page.getByRole('navigation').getByRole('link', { name: 'Threads' }).click();
    await page.getByRole('textbox', { name: 'Open thread by id' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'thread_doesnotexist' }).count(), 0);
    assertNoConsoleErrors(page, [/HTTP 404: GET \/v1\/threads\/thread_doesnotexist$|status of 404/]);
  });

  it('should submit a function output typed on the thread page and show the run finish', async () => {
    ctx.fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_t1', name: 'get_weather', arguments: '{"city":"Rome"}' }], usage: {} }) });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Rome?' }] });
    const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
    assert.equal(run.status, 'requires_action');

    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: `/console/threads/${thread.id}` });
    const card = page.getByRole('article', { name: `Run ${run.id}` });
    await card.getByRole('textbox', { name: 'Output of get_weather {"city":"Rome"}' }).fill('cloudy, 14C');
    await card.getByRole('button', { name: 'Submit tool outputs' }).click();
    await card.getByRole('heading', { level: 3 }).getByText('completed').waitFor();
    assert.equal(await card.getByRole('button', { name: 'Cancel run' }).count(), 0);
    const last = ctx.fake.calls.at(-1)!.body as { messages: Array<{ role: string; tool_call_id?: string; content: string }> };
    assert.deepEqual(last.messages.at(-1), { role: 'tool', tool_call_id: 'call_t1', content: 'cloudy, 14C' });
    assertNoConsoleErrors(page);
  });

  it('should cancel a running run from the thread page', async () => {
    const stream = controlledStream();
    ctx.fake.enqueue(CHAT, { type: 'controlled', handle: stream });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Go on forever.' }] });
    const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
    await stream.started;
    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: `/console/threads/${thread.id}` });
    const card = page.getByRole('article', { name: `Run ${run.id}` });
    await card.getByRole('button', { name: 'Cancel run' }).click();
    await card.getByRole('heading', { level: 3 }).getByText('cancelled').waitFor();
    assert.equal((await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status, 'cancelled');
    assertNoConsoleErrors(page);
  });
});
