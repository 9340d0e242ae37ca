import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { controlledStream, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { testClock } from '../support/test-clock.js';
import { until } from '../support/until.js';

const CHAT = '/v1/chat/completions';
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

for (const dialect of testDialects()) {
  describe(`runs (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const clock = testClock();
    let assistantId: string;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { clock } });
      client = app.client();
      assistantId = (await client.beta.assistants.create({ model: 'gpt-4o', instructions: 'You are terse.', tools: [weatherTool] })).id;
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    async function threadWith(text: string) {
      return client.beta.threads.create({ messages: [{ role: 'user', content: text }] });
    }

    it('should run to completion and add the assistant message', async () => {
      const thread = await threadWith('What is the capital of France?');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      assert.equal(run.status, 'completed');
      assert.ok(run.completed_at && run.started_at);
      assert.equal(run.expires_at, null);
      assert.deepEqual(run.usage, { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 });
      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      const last = messages.data.at(-1)!;
      assert.equal(last.role, 'assistant');
      assert.equal(last.run_id, run.id);
      assert.equal(last.content[0]?.type === 'text' && last.content[0].text.value, 'Hello from the fake upstream.');
      const body = fake.calls[0]!.body;
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'What is the capital of France?' },
      ]);
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      assert.equal(steps.data.length, 1);
      assert.equal(steps.data[0]!.type, 'message_creation');
      assert.equal(steps.data[0]!.status, 'completed');
    });

    it('should wait for function outputs and continue with them', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: {} }) });
      const thread = await threadWith('Weather in Paris?');
      const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      assert.equal(waiting.status, 'requires_action');
      const calls = waiting.required_action!.submit_tool_outputs.tool_calls;
      assert.deepEqual(calls, [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
      assert.ok(waiting.expires_at);

      const done = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_w1', output: 'sunny, 22C' }],
      });
      assert.equal(done.status, 'completed');
      const second = fake.calls[1]!.body.messages;
      assert.deepEqual(second.slice(-2), [
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_w1', content: 'sunny, 22C' },
      ]);
      const steps = await client.beta.threads.runs.steps.list(done.id, { thread_id: thread.id, order: 'asc' });
      const toolStep = steps.data[0]!;
      assert.equal(toolStep.type, 'tool_calls');
      assert.equal(toolStep.status, 'completed');
      const call = toolStep.step_details.type === 'tool_calls' ? toolStep.step_details.tool_calls[0] : undefined;
      assert.equal(call?.type === 'function' && call.function.output, 'sunny, 22C');
    });

    it('should refuse tool outputs for unknown or missing calls', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_x', name: 'get_weather', arguments: '{}' }], usage: {} }) });
      const thread = await threadWith('Weather?');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      const bad = client.beta.threads.runs.submitToolOutputs(run.id, { thread_id: thread.id, tool_outputs: [{ tool_call_id: 'call_nope', output: 'x' }] });
      await assert.rejects(bad, OpenAI.BadRequestError);
      const none = client.beta.threads.runs.submitToolOutputs(run.id, { thread_id: thread.id, tool_outputs: [] });
      await assert.rejects(none, OpenAI.BadRequestError);
      await client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
    });

    it('should stream the events in OpenAI order', async () => {
      const thread = await threadWith('Hi');
      const events: string[] = [];
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
      stream.on('event', (e) => events.push(e.event));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed');
      assert.deepEqual(events.filter((e) => e !== 'thread.message.delta'), [
        'thread.run.created',
        'thread.run.queued',
        'thread.run.in_progress',
        'thread.run.step.created',
        'thread.run.step.in_progress',
        'thread.message.created',
        'thread.message.in_progress',
        'thread.message.completed',
        'thread.run.step.completed',
        'thread.run.completed',
      ]);
      assert.ok(events.filter((e) => e === 'thread.message.delta').length >= 2);
      const messages = await stream.finalMessages();
      assert.equal(messages[0]?.content[0]?.type === 'text' && messages[0].content[0].text.value, 'Hello from the fake upstream.');
    });

    it('should stream a function call, then the run after submitToolOutputsStream', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_s1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: {} }) });
      const thread = await threadWith('Weather in Oslo?');
      const first = client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
      let args = '';
      first.on('toolCallDelta', (d) => (args += d.type === 'function' ? (d.function?.arguments ?? '') : ''));
      const waiting = await first.finalRun();
      assert.equal(waiting.status, 'requires_action');
      assert.equal(args, '{"city":"Oslo"}');
      const second = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_s1', output: 'cold' }],
      });
      assert.equal((await second.finalRun()).status, 'completed');
    });

    it('should create a thread and run it in one call', async () => {
      const events: string[] = [];
      const stream = client.beta.threads.createAndRunStream({
        assistant_id: assistantId,
        thread: { messages: [{ role: 'user', content: 'Hello' }] },
      });
      stream.on('event', (e) => events.push(e.event));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed');
      assert.equal(events[0], 'thread.created');
      const polled = await client.beta.threads.createAndRunPoll({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
      assert.equal(polled.status, 'completed');
    });

    it('should cancel a run in progress', async () => {
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const thread = await threadWith('Long answer please');
      const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
      await handle.started;
      handle.write(chatChunks({ content: ['Once upon'] })[0]);
      const cancelling = await client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
      assert.equal(cancelling.status, 'cancelling');
      const final = await until(() => client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), (r) => r.status === 'cancelled');
      assert.equal(final.status, 'cancelled');
      assert.ok(final.cancelled_at);
      await handle.aborted;
    });

    it('should hint a poll interval from the recent runs, shorter than 200 ms for fast ones', async () => {
      for (let i = 0; i < 3; i++) {
        const done = await client.beta.threads.runs.createAndPoll((await threadWith(`fast ${i}`)).id, { assistant_id: assistantId });
        assert.equal(done.status, 'completed');
      }
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const thread = await threadWith('Slow one');
      const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
      await handle.started;
      const { data, response } = await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }).withResponse();
      assert.equal(data.status, 'in_progress');
      const hint = Number(response.headers.get('openai-poll-after-ms'));
      // Half the median of runs that each took a few ms against the instant fake upstream.
      assert.ok(hint >= 20 && hint < 100, `hint ${hint}`);
      handle.end();
      const final = await until(() => client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), (r) => r.status === 'completed');
      assert.equal(final.status, 'completed');
    });

    it('should end incomplete when max_completion_tokens runs out', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'A very long', finishReason: 'length', usage: { completion_tokens: 256 } }) });
      const thread = await threadWith('Write a novel');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId, max_completion_tokens: 256 });
      assert.equal(run.status, 'incomplete');
      assert.deepEqual(run.incomplete_details, { reason: 'max_completion_tokens' });
      assert.equal(fake.calls[0]!.body.max_tokens, 256);
      const [message] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      assert.equal(message?.status, 'incomplete');
    });

    it('should fail with last_error when the upstream fails', async () => {
      fake.enqueue(CHAT, { type: 'error', status: 500 }, { type: 'error', status: 429 });
      const thread = await threadWith('Hi');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      assert.equal(run.status, 'failed');
      assert.equal(run.last_error?.code, 'server_error');
      assert.ok(run.failed_at);
      const limited = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      assert.equal(limited.last_error?.code, 'rate_limit_exceeded');
    });

    it('should expire a run left in requires_action', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_e', name: 'get_weather', arguments: '{}' }], usage: {} }) });
      const thread = await threadWith('Weather?');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      assert.equal(run.status, 'requires_action');
      clock.advance(11 * 60_000);
      const expired = await until(() => client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), (r) => r.status === 'expired');
      assert.equal(expired.status, 'expired');
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      assert.equal(steps.data[0]!.status, 'expired');
    });

    it('should refuse a second run and new messages while a run is active', async () => {
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const thread = await threadWith('Hi');
      const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
      await assert.rejects(client.beta.threads.runs.create(thread.id, { assistant_id: assistantId }), OpenAI.BadRequestError);
      await assert.rejects(client.beta.threads.messages.create(thread.id, { role: 'user', content: 'more' }), OpenAI.BadRequestError);
      await client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
      handle.end();
    });

    it("should answer 404 for another tenant's run", async () => {
      const thread = await threadWith('Hi');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      const other = app.client(TEST_KEYS[1]);
      await assert.rejects(other.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), OpenAI.NotFoundError);
      await assert.rejects(other.beta.threads.runs.list(thread.id), OpenAI.NotFoundError);
      await assert.rejects(other.beta.threads.runs.create(thread.id, { assistant_id: assistantId }), OpenAI.NotFoundError);
      await assert.rejects(other.beta.threads.runs.steps.list(run.id, { thread_id: thread.id }), OpenAI.NotFoundError);
      await assert.rejects(other.beta.threads.runs.cancel(run.id, { thread_id: thread.id }), OpenAI.NotFoundError);
      await assert.rejects(other.beta.threads.runs.update(run.id, { thread_id: thread.id, metadata: {} }), OpenAI.NotFoundError);
      await assert.rejects(
        other.beta.threads.runs.submitToolOutputs(run.id, { thread_id: thread.id, tool_outputs: [] }),
        OpenAI.NotFoundError,
      );
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      await assert.rejects(other.beta.threads.runs.steps.retrieve(steps.data[0]!.id, { thread_id: thread.id, run_id: run.id }), OpenAI.NotFoundError);
      await assert.rejects(other.beta.threads.createAndRun({ assistant_id: assistantId }), OpenAI.NotFoundError);
    });

    it('should work with the 4.x SDK', async () => {
      const v4 = app.clientV4();
      const thread = await v4.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
      const run = await v4.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      assert.equal(run.status, 'completed');
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const next = await v4.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
      // 4.x sends cancel as a body-less POST with a JSON content type.
      assert.equal((await v4.beta.threads.runs.cancel(thread.id, next.id)).status, 'cancelling');
      handle.end();
    });

    it('should end incomplete when the prompt outgrows max_prompt_tokens', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'ok', usage: { prompt_tokens: 300 } }) });
      const thread = await threadWith('A long prompt');
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId, max_prompt_tokens: 256 });
      assert.equal(run.status, 'incomplete');
      assert.deepEqual(run.incomplete_details, { reason: 'max_prompt_tokens' });
    });

    it('should honour run overrides: instructions, additional messages, tool_choice, truncation', async () => {
      const thread = await threadWith('first');
      await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'second' });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: assistantId,
        model: 'gpt-4o-mini',
        instructions: 'Override.',
        additional_instructions: 'Also this.',
        additional_messages: [{ role: 'user', content: 'third' }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        truncation_strategy: { type: 'last_messages', last_messages: 2 },
        temperature: 0.3,
        parallel_tool_calls: false,
        metadata: { k: 'v' },
      });
      assert.equal(run.model, 'gpt-4o-mini');
      assert.equal(run.instructions, 'Override.\n\nAlso this.');
      assert.deepEqual(run.metadata, { k: 'v' });
      const body = fake.calls[0]!.body;
      assert.equal(body.model, 'gpt-4o-mini');
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'Override.\n\nAlso this.' },
        { role: 'user', content: 'second' },
        { role: 'user', content: 'third' },
      ]);
      assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
      assert.equal(body.parallel_tool_calls, false);
      assert.equal(body.temperature, 0.3);
    });

    it('should force a tool only until it has been called, then let the model answer', async () => {
      fake.enqueue(
        CHAT,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_f1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: {} }) },
        { type: 'sse', chunks: chatChunks({ content: 'Cold.', usage: {} }) },
      );
      const thread = await threadWith('Weather in Oslo?');
      const waiting = await client.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: assistantId,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      assert.equal(waiting.status, 'requires_action');
      const done = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_f1', output: '-3 °C' }],
      });
      assert.equal(done.status, 'completed');
      assert.deepEqual(
        fake.calls.map((c) => c.body.tool_choice),
        [{ type: 'function', function: { name: 'get_weather' } }, 'auto'],
      );
      assert.deepEqual(done.tool_choice, { type: 'function', function: { name: 'get_weather' } }, 'the run still shows what was asked');

      fake.reset();
      fake.enqueue(
        CHAT,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_r1', name: 'get_weather', arguments: '{"city":"Rome"}' }], usage: {} }) },
        { type: 'sse', chunks: chatChunks({ content: 'Warm.', usage: {} }) },
      );
      const required = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId, tool_choice: 'required' });
      const finished = await client.beta.threads.runs.submitToolOutputsAndPoll(required.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'call_r1', output: '25 °C' }],
      });
      assert.equal(finished.status, 'completed');
      assert.deepEqual(fake.calls.map((c) => c.body.tool_choice), ['required', 'auto']);
    });

    it('should pass image_file and image_url parts to the model as images', async () => {
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
      const image = await client.files.create({ file: await toFile(png, 'chart.png'), purpose: 'vision' });
      const thread = await client.beta.threads.create({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_file', image_file: { file_id: image.id, detail: 'low' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      });
      await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      const user = fake.calls[0]!.body.messages[1];
      assert.deepEqual(user.content, [
        { type: 'text', text: 'What is in these?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}`, detail: 'low' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
      ]);
    });

    it('should meter runs in the usage ledger', async () => {
      const thread = await threadWith('Hi');
      await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
      await app.server.deps.usage.flush();
      const row = await app.server.deps.store.db
        .selectFrom('usage_buckets')
        .select((eb) => eb.fn.sum<number>('num_model_requests').as('n'))
        .where('tenant_id', '=', app.server.deps.config.keys[0]!.tenant)
        .executeTakeFirst();
      assert.ok(Number(row?.n) >= 1);
    });
  });
}
