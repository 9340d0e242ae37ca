import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { assertNoConsoleErrors, chromiumMissing, newPage, screenshot, signIn, startConsoleApp, type ConsoleApp } from './support/index.js';

const CHAT = '/v1/chat/completions';
const FACT = 'Zorblax the lighthouse keeper paints every harbour door teal on the first Tuesday of March.';
const CODE = ['import matplotlib.pyplot as plt', "plt.plot([1, 2, 3], [2, 4, 1]); plt.title('trend')", "print('done')"].join('\n');

const toolCall = (id: string, name: string, args: unknown) => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: [{ id, name, arguments: JSON.stringify(args) }], usage: {} }),
});
const answerIn = (pieces: string[]) => ({ type: 'sse' as const, chunks: chatChunks({ content: pieces, usage: {} }) });

describe('console thread page with built-in tools (browser)', { skip: chromiumMissing() }, () => {
  let ctx: ConsoleApp;
  let client: OpenAI;
  before(async () => {
    ctx = await startConsoleApp({ yaml: 'code_interpreter:\n  idle_timeout_s: 600\n' });
    client = ctx.app.client(ctx.key);
  });
  after(async () => {
    await ctx?.close();
  });

  it('should show file_search results with scores, a citation linked to its file, and code_interpreter code, logs and image', async () => {
    const store = await client.vectorStores.create({ name: 'harbour' });
    await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`Harbour notes.\n\n${FACT}`), 'harbour.txt'));
    const assistant = await client.beta.assistants.create({
      model: 'fake-model',
      tools: [{ type: 'file_search' }, { type: 'code_interpreter' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    ctx.fake.enqueue(CHAT, toolCall('call_fs', 'file_search', { query: 'harbour doors' }), answerIn(['They are teal 【0:0†harbour.txt】.']));
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What colour are the doors?' }] });
    const searchRun = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(searchRun.status, 'completed', JSON.stringify(searchRun.last_error));
    ctx.fake.enqueue(CHAT, toolCall('call_ci', 'code_interpreter', { code: CODE }), answerIn(['Here is the chart.']));
    await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'Plot something.' });
    const codeRun = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.equal(codeRun.status, 'completed', JSON.stringify(codeRun.last_error));
    const include = ['step_details.tool_calls[*].file_search.results[*].content' as const];
    const steps = await client.beta.threads.runs.steps.list(searchRun.id, { thread_id: thread.id, order: 'asc', include });
    const details = steps.data[0]!.step_details;
    const hit = details.type === 'tool_calls' && details.tool_calls[0]?.type === 'file_search' ? details.tool_calls[0].file_search.results?.[0] : undefined;
    assert.ok(hit, JSON.stringify(steps.data.map((s) => s.step_details)));

    const page = await newPage(ctx.browser);
    await signIn(page, { url: ctx.url, key: ctx.key, path: `/console/threads/${thread.id}` });
    const search = page.getByRole('article', { name: `Run ${searchRun.id}` });
    await search.getByRole('list', { name: 'Run steps' }).waitFor();
    assert.deepEqual(await search.locator('.timeline > li .step-head strong').allInnerTexts(), ['Tool calls: file_search', 'Model turn']);
    assert.match(await search.locator('.step-message').innerText(), /: They are teal \.$/);
    const results = search.getByRole('list', { name: 'File search results' });
    await results.waitFor();
    assert.match(await results.locator(':scope > li').first().innerText(), new RegExp(`^harbour\\.txt score ${hit.score.toFixed(3)}\\n[\\s\\S]*Zorblax`));

    const code = page.getByRole('article', { name: `Run ${codeRun.id}` });
    assert.equal(await code.getByLabel('Code').innerText(), CODE);
    assert.equal(await code.getByLabel('Logs').innerText(), 'done\n');
    const image = code.getByRole('img', { name: /^code_interpreter image file-/ });
    await image.waitFor();
    assert.ok(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100));

    // The citation in the answer downloads the cited file.
    const answer = page.getByRole('list', { name: 'Messages' }).locator(':scope > li').filter({ hasText: 'They are teal' });
    const download = page.waitForEvent('download');
    await answer.getByRole('button', { name: '[1]' }).click();
    const saved = await download;
    assert.equal(saved.suggestedFilename(), 'harbour.txt');
    assert.match(readFileSync(await saved.path()).toString(), /Zorblax/);
    await screenshot(page, 'thread-tools');
    assertNoConsoleErrors(page);
  });
});
