import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { FunctionToolCall } from 'openai/resources/beta/threads/runs/steps';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import type { Db } from '../../src/store/database.js';
import type { RunRow } from '../../src/store/tables/runs.table.js';
import { createThreadAndRun } from '../../src/services/runs.service.js';
import { updateRunFields } from '../../src/store/repos/runs.repo.js';
import { insertRunStep } from '../../src/store/repos/run-steps.repo.js';
import { RunEventQueue } from '../../src/engine/run-event-queue.js';
import type { RunEvent } from '../../src/engine/run-events.js';

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

    /**
     * A thread with one user message and a run on it that ends on the client's calls (no route sets it yet);
     * `prelude` adds to the run in its transaction.
     */
    async function endingRun(assistantId: string, prelude?: (trx: Db, run: RunRow) => Promise<void>, subscribe?: (runId: string) => void) {
      const db = app.server.deps.store.db;
      const { tenant_id: tenantId } = await db.selectFrom('assistants').select('tenant_id').where('id', '=', assistantId).executeTakeFirstOrThrow();
      const { run, thread } = await createThreadAndRun(
        app.server.deps,
        { tenantId, apiKeyId: 'key_test' },
        { assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }] } },
        {
          prelude: async (trx, r) => {
            await updateRunFields(trx, r.id, { client_calls: 'end' });
            await prelude?.(trx, r);
          },
          subscribe,
        },
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
      const events = new RunEventQueue(app.server.deps.events);
      const { threadId, runId } = await endingRun(assistant.id, undefined, events.subscribe);
      const seen: RunEvent[] = [];
      for await (const e of events) seen.push(e);
      assert.deepEqual(
        seen.flatMap((e) => (e.type === 'step.done' ? [`step.done:${e.step.type}:${e.step.status}`] : e.type === 'run.status' ? [`run:${e.run.status}`] : [])),
        ['run:in_progress', 'step.done:message_creation:completed', 'step.done:tool_calls:completed', 'run:completed'],
        'the usual events: each step done, then the run completed',
      );
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
      const stored = await app.server.deps.store.db.selectFrom('run_steps').select('tool_outputs').where('id', '=', toolStep.id).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(stored.tool_outputs ?? '{}'), { 'call_paris:item': calls[0]!.id, 'call_rome:item': calls[1]!.id }, 'the step names its items');
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

    it('should complete, without calling the model again, a run whose last turn already ended on client calls', async () => {
      // What a worker that stopped after committing the turn, before completing the run, leaves behind.
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [WEATHER] });
      const usage = { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 };
      const { threadId, runId } = await endingRun(assistant.id, async (trx, r) => {
        await insertRunStep(trx, {
          id: `step_${r.id}`,
          tenant_id: r.tenant_id,
          run_id: r.id,
          thread_id: r.thread_id,
          assistant_id: r.assistant_id,
          seq: r.seq + 1,
          created_at: r.created_at,
          type: 'tool_calls',
          status: 'completed',
          step_details: JSON.stringify({
            type: 'tool_calls',
            tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'get_weather', arguments: '{}', output: null } }],
          }),
          tool_outputs: '{}',
          last_error: null,
          usage: JSON.stringify(usage),
          metadata: null,
          expired_at: null,
          cancelled_at: null,
          failed_at: null,
          completed_at: r.created_at,
        });
      });
      const run = await client.beta.threads.runs.poll(runId, { thread_id: threadId });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.deepEqual(run.usage, usage);
      assert.equal(fake.calls.filter((c) => c.path === CHAT).length, 0, 'the model is not called again');
    });
  });
}
