import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { FunctionToolCall } from 'openai/resources/beta/threads/runs/steps';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { createThreadAndRun } from '../../src/services/runs.service.js';
import { updateRunFields } from '../../src/store/repos/runs.repo.js';

const CHAT = '/v1/chat/completions';
const WEATHER = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** The messages of the upstream's last chat call, as roles with their text and tool calls. */
function sentMessages(fake: FakeUpstream): unknown[] {
  const body = fake.calls.filter((c) => c.path === CHAT).at(-1)!.body as { messages: Array<Record<string, unknown>> };
  return body.messages;
}

for (const dialect of testDialects()) {
  describe(`runs with client_calls 'end' (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    /** A thread with one user message and a run on it that ends on the client's calls (no route sets it yet). */
    async function endingRun(assistantId: string) {
      const db = app.server.deps.store.db;
      const { tenant_id: tenantId } = await db.selectFrom('assistants').select('tenant_id').where('id', '=', assistantId).executeTakeFirstOrThrow();
      const { run, thread } = await createThreadAndRun(
        app.server.deps,
        { tenantId, apiKeyId: 'key_test' },
        { assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }] } },
        { prelude: async (trx, r) => void (await updateRunFields(trx, r.id, { client_calls: 'end' })) },
      );
      return { threadId: thread.id, runId: run.id };
    }

    it('should complete the run on the client function calls and record them as function_call items', async () => {
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'Use tools.', tools: [WEATHER] });
      fake.enqueue(CHAT, {
        type: 'sse',
        chunks: chatChunks({
          content: 'Let me check.',
          toolCalls: [
            { id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
          usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 },
        }),
      });
      const { threadId, runId } = await endingRun(assistant.id);
      const run = await client.beta.threads.runs.poll(runId, { thread_id: threadId });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.equal(run.required_action, null);
      assert.deepEqual(run.usage, { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 });
      assert.equal(fake.calls.filter((c) => c.path === CHAT).length, 1, 'one model turn: the run does not continue');

      const steps = await client.beta.threads.runs.steps.list(runId, { thread_id: threadId, order: 'asc' });
      const toolStep = steps.data.find((s) => s.type === 'tool_calls');
      assert.equal(toolStep?.status, 'completed');
      assert.ok(toolStep.step_details.type === 'tool_calls');
      assert.deepEqual(
        toolStep.step_details.tool_calls.map((c) => (c as FunctionToolCall).function),
        [
          { name: 'get_weather', arguments: '{"city":"Paris"}', output: null },
          { name: 'get_weather', arguments: '{"city":"Rome"}', output: null },
        ],
      );

      const items = await client.conversations.items.list(threadId, { order: 'asc' });
      const calls = items.data.filter((i) => i.type === 'function_call');
      assert.deepEqual(
        calls.map(({ id: _id, ...rest }) => rest),
        [
          { type: 'function_call', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
          { type: 'function_call', call_id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}', status: 'completed' },
        ],
      );
      for (const c of calls) assert.match(c.id ?? '', /^fc_/);
      assert.deepEqual(
        items.data.map((i) => (i.type === 'message' ? `message:${i.role}` : i.type)),
        ['message:user', 'message:assistant', 'function_call', 'function_call'],
        'the calls follow the text the model wrote before them',
      );

      // The client answers the calls in the thread; the next run sends the calls and their results.
      await client.conversations.items.create(threadId, {
        items: [
          { type: 'function_call_output', call_id: 'call_paris', output: '18C' },
          { type: 'function_call_output', call_id: 'call_rome', output: '21C' },
        ],
      });
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Paris 18C, Rome 21C.', usage: {} }) });
      const next = await client.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistant.id });
      assert.equal(next.status, 'completed', JSON.stringify(next.last_error));
      assert.deepEqual(sentMessages(fake), [
        { role: 'system', content: 'Use tools.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_rome', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_paris', content: '18C' },
        { role: 'tool', tool_call_id: 'call_rome', content: '21C' },
      ]);
    });
  });
}
