import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { chatChunks } from '../fakes/chunks.js';
import { controlledStream } from '../fakes/fake-upstream.js';
import { waitFor } from '../support/until.js';
import { assertNoConsoleErrors, chromiumMissing, newPage, screenshot, signIn, startConsoleApp, type ConsoleApp } from './support/index.js';

const CHAT = '/v1/chat/completions';
const USAGE = { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 };
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** waitFor with room for a loaded machine (the suite runs files in parallel on few cores). */
const settle = (check: () => Promise<boolean>, what: string) => waitFor(check, what, 30_000);
const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });
const logText = async (page: Page) => (await log(page).innerText()).replace(/\s+/g, ' ');
const logHas = (page: Page, text: string) => settle(async () => (await logText(page)).includes(text), `"${text}" in the log`);

async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

describe('console playground (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  let page: Page;
  before(async () => {
    ctx = await startConsoleApp();
  });
  after(async () => {
    await ctx?.close();
  });
  beforeEach(async () => {
    ctx.fake.reset();
    page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key });
  });

  it('should stream a chat answer into the log, with its usage and latency', async () => {
    ctx.fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Bonjour', ' from', ' the', ' fake.'], usage: USAGE }) });
    await settle(async () => (await page.getByRole('combobox', { name: 'Model' }).inputValue()) === 'fake-model', 'the models');
    await page.getByRole('textbox', { name: 'System prompt' }).fill('Answer in French.');
    await send(page, 'Say hello');
    await logHas(page, 'Bonjour from the fake.');
    await logHas(page, '11 in · 5 out · 16 tokens');
    assert.match(await logText(page), /first token \d+ ms · total \d+ ms/);
    const body = ctx.fake.calls.find((c) => c.path === CHAT)!.body;
    assert.equal(body.model, 'fake-model');
    assert.equal(body.stream, true);
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Say hello' },
    ]);
    await screenshot(page, 'playground');
    assertNoConsoleErrors(page);
  });

  it('should stop a stream mid-answer and abort the upstream call', async () => {
    const handle = controlledStream();
    ctx.fake.enqueue(CHAT, { type: 'controlled', handle });
    await send(page, 'Tell me a long story');
    await handle.started;
    const [role, text] = chatChunks({ content: ['Once upon a time'] });
    handle.write(role);
    handle.write(text);
    await logHas(page, 'Once upon a time');
    await page.getByRole('button', { name: 'Stop' }).click();
    await handle.aborted;
    await logHas(page, 'stopped after');
    assert.equal(await page.getByRole('button', { name: 'Stop' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Send' }).isEnabled(), true);
    assertNoConsoleErrors(page);
  });

  it('should run an assistant with a function tool and submit its output from the page', async () => {
    const assistant = await ctx.app.client().beta.assistants.create({ model: 'fake-model', name: 'Weather bot', tools: [WEATHER] });
    ctx.fake.enqueue(
      CHAT,
      { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: USAGE }) },
      { type: 'sse', chunks: chatChunks({ content: 'It is sunny in Paris.', usage: USAGE }) },
    );
    await page.getByRole('radio', { name: 'Assistants thread' }).check();
    await settle(async () => (await page.getByRole('combobox', { name: 'Assistant' }).inputValue()) === assistant.id, 'the assistant');
    const threadCreated = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/threads');
    await send(page, 'Weather in Paris?');
    const threadId = ((await (await threadCreated).json()) as { id: string }).id;
    const output = page.getByRole('textbox', { name: 'Output of get_weather' });
    await output.waitFor();
    await logHas(page, 'get_weather({"city":"Paris"})');
    await output.fill('sunny, 21 C');
    await page.getByRole('button', { name: 'Submit tool outputs' }).click();
    await logHas(page, 'It is sunny in Paris.');

    const calls = ctx.fake.calls.filter((c) => c.path === CHAT);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name), ['get_weather']);
    assert.deepEqual(calls[1]!.body.messages.at(-1), { role: 'tool', tool_call_id: 'call_w1', content: 'sunny, 21 C' });
    await screenshot(page, 'playground-assistant');

    // The Threads page lists the thread the playground made.
    await page.getByRole('navigation').getByRole('link', { name: 'Threads' }).click();
    await page.getByRole('list', { name: 'Recent threads' }).getByRole('link', { name: threadId }).waitFor();
    assertNoConsoleErrors(page);
  });

  it('should cancel the assistant run when Stop ends its stream', async () => {
    const assistant = await ctx.app.client().beta.assistants.create({ model: 'fake-model', name: 'Slow bot' });
    const handle = controlledStream();
    ctx.fake.enqueue(CHAT, { type: 'controlled', handle });
    await page.getByRole('radio', { name: 'Assistants thread' }).check();
    await page.getByRole('combobox', { name: 'Assistant' }).selectOption(assistant.id);
    const threadCreated = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/threads');
    await send(page, 'Think slowly');
    const threadId = ((await (await threadCreated).json()) as { id: string }).id;
    await handle.started;
    const [role, text] = chatChunks({ content: ['Let me think'] });
    handle.write(role);
    handle.write(text);
    await logHas(page, 'Let me think');
    await page.getByRole('button', { name: 'Stop' }).click();
    await logHas(page, 'stopped after');
    await handle.aborted; // the run's model call ends with it
    const runs = ctx.app.client().beta.threads.runs;
    await settle(async () => (await runs.list(threadId)).data[0]?.status === 'cancelled', 'the run cancelled');
    assertNoConsoleErrors(page);
  });

  it('should answer through the Responses API and continue from the previous response', async () => {
    ctx.fake.enqueue(
      CHAT,
      { type: 'sse', chunks: chatChunks({ content: 'First answer.', usage: USAGE }) },
      { type: 'sse', chunks: chatChunks({ content: 'Second answer.', usage: USAGE }) },
    );
    await page.getByRole('radio', { name: 'Responses' }).check();
    await send(page, 'One');
    await logHas(page, 'First answer.');
    await logHas(page, '11 in · 5 out · 16 tokens');
    await send(page, 'Two');
    await logHas(page, 'Second answer.');
    const second = ctx.fake.calls.filter((c) => c.path === CHAT)[1]!.body;
    assert.deepEqual(
      second.messages.map((m: { role: string; content: unknown }) => [m.role, m.content]),
      [
        ['user', 'One'],
        ['assistant', 'First answer.'],
        ['user', 'Two'],
      ],
    );
    // The Responses page lists both responses the playground made.
    await page.getByRole('navigation').getByRole('link', { name: 'Responses' }).click();
    const recent = page.getByRole('list', { name: 'Recent responses' }).getByRole('link');
    await settle(async () => (await recent.count()) === 2, 'two recent responses');
    assert.deepEqual((await recent.allInnerTexts()).map((t) => /^resp_\w+$/.test(t)), [true, true]);
    assertNoConsoleErrors(page);
  });

  it('should call a function declared in the page and send its typed output back as a tool message', async () => {
    ctx.fake.enqueue(
      CHAT,
      { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_t1', name: 'get_time', arguments: '{"zone":"UTC"}' }] }) },
      { type: 'sse', chunks: chatChunks({ content: 'It is noon.' }) },
    );
    await page.getByRole('button', { name: 'Add function' }).click();
    const fn = page.getByRole('group', { name: 'Function 1' });
    await fn.getByRole('textbox', { name: 'Name' }).fill('get_time');
    await fn.getByRole('textbox', { name: 'Description' }).fill('The time in a zone');
    await fn.getByRole('textbox', { name: 'Parameters (JSON schema)' }).fill('{"type":"object","properties":{"zone":{"type":"string"}}}');
    await send(page, 'What time is it?');
    await page.getByRole('textbox', { name: 'Output of get_time' }).fill('12:00');
    await page.getByRole('button', { name: 'Submit tool outputs' }).click();
    await logHas(page, 'It is noon.');
    const [first, second] = ctx.fake.calls.filter((c) => c.path === CHAT).map((c) => c.body);
    assert.deepEqual(first.tools, [
      {
        type: 'function',
        function: { name: 'get_time', description: 'The time in a zone', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
      },
    ]);
    assert.deepEqual(second.messages.slice(-2), [
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_t1', type: 'function', function: { name: 'get_time', arguments: '{"zone":"UTC"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_t1', content: '12:00' },
    ]);
    assertNoConsoleErrors(page);
  });

  it('should answer a Responses function call with function_call_output on the previous response', async () => {
    ctx.fake.enqueue(
      CHAT,
      { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_r1', name: 'lookup', arguments: '{"sku":"A1"}' }] }) },
      { type: 'sse', chunks: chatChunks({ content: 'A1 is in stock.' }) },
    );
    await page.getByRole('radio', { name: 'Responses' }).check();
    await page.getByRole('button', { name: 'Add function' }).click();
    await page.getByRole('group', { name: 'Function 1' }).getByRole('textbox', { name: 'Name' }).fill('lookup');
    await send(page, 'Is A1 in stock?');
    await page.getByRole('textbox', { name: 'Output of lookup' }).fill('{"stock":3}');
    await page.getByRole('button', { name: 'Submit tool outputs' }).click();
    await logHas(page, 'A1 is in stock.');
    const second = ctx.fake.calls.filter((c) => c.path === CHAT)[1]!.body;
    assert.deepEqual(second.messages.slice(-1), [{ role: 'tool', tool_call_id: 'call_r1', content: '{"stock":3}' }]);
    assert.equal(second.messages[0].content, 'Is A1 in stock?');
    assertNoConsoleErrors(page);
  });

  it('should upload a file into a new vector store and let a Responses answer search it', async () => {
    ctx.fake.enqueue(
      CHAT,
      { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"launch code"}' }] }) },
      { type: 'sse', chunks: chatChunks({ content: 'The code is 4417.' }) },
    );
    await page.getByRole('radio', { name: 'Responses' }).check();
    await page.getByRole('checkbox', { name: 'file_search' }).check();
    await page.getByRole('button', { name: 'New vector store' }).click();
    await settle(async () => (await page.getByRole('combobox', { name: 'Vector store' }).inputValue()).startsWith('vs_'), 'the new vector store');
    await page.getByLabel('Upload files').setInputFiles({ name: 'codes.txt', mimeType: 'text/plain', buffer: Buffer.from('The launch code is 4417.') });
    await settle(async () => (await page.getByRole('list', { name: 'Uploads' }).innerText()).includes('codes.txt: ready'), 'the file ingested');
    await send(page, 'What is the launch code?');
    await logHas(page, 'The code is 4417.');
    await logHas(page, 'file_search: launch code');
    const second = ctx.fake.calls.filter((c) => c.path === CHAT)[1]!.body;
    const toolMessage = second.messages.find((m: { role: string }) => m.role === 'tool');
    assert.match(toolMessage.content, /The launch code is 4417\./);
    assertNoConsoleErrors(page);
  });

  it('should switch code_interpreter on for a Responses answer and show the code it ran', async () => {
    ctx.fake.enqueue(
      CHAT,
      { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_ci', name: 'code_interpreter', arguments: JSON.stringify({ code: 'print(6 * 7)' }) }] }) },
      { type: 'sse', chunks: chatChunks({ content: 'It is 42.' }) },
    );
    await page.getByRole('radio', { name: 'Responses' }).check();
    await page.getByRole('checkbox', { name: 'code_interpreter' }).check();
    await send(page, 'What is six times seven? Use Python.');
    await logHas(page, 'It is 42.');
    await logHas(page, 'code_interpreter: print(6 * 7)');
    const first = ctx.fake.calls.filter((c) => c.path === CHAT)[0]!.body;
    assert.ok(first.tools.some((t: { function: { name: string } }) => t.function.name === 'code_interpreter'), JSON.stringify(first.tools));
    const second = ctx.fake.calls.filter((c) => c.path === CHAT)[1]!.body;
    const toolMessage = second.messages.find((m: { role: string }) => m.role === 'tool');
    assert.match(toolMessage.content, /42/);
    assertNoConsoleErrors(page);
  });

  it('should lay out the playground at 390×844 in dark mode', async () => {
    const small = await newPage(ctx.browser, { width: 390, height: 844, colorScheme: 'dark' });
    await signIn(small, { url: ctx.url, key: ctx.key });
    await small.getByRole('log', { name: 'Conversation' }).waitFor();
    assert.ok(await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await screenshot(small, 'playground-dark');
    assertNoConsoleErrors(small);
  });
});
