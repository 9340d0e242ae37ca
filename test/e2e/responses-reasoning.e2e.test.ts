import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ResponseReasoningItem } from 'openai/resources/responses/responses';
import { chatChunks } from '../fakes/chunks.js';
import { messageEvents, startFakeAnthropic, type FakeAnthropic } from '../fakes/fake-anthropic.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

// Reasoning models through the Responses API (issue 12 item 1): upstream reasoning becomes `reasoning` items,
// reasoning.effort reaches the upstream, usage shows cached and reasoning tokens, and logprobs come when included.

const COMPLETIONS = '/v1/chat/completions';
const THOUGHT = 'Two plus two is four.';
const thinking = (opts: { content?: string; field?: 'reasoning_content' | 'reasoning' } = {}) => ({
  type: 'sse' as const,
  chunks: chatChunks({ reasoning: ['Two plus ', 'two is four.'], reasoningField: opts.field, content: [opts.content ?? '4'], usage: {} }),
});
const reasoningItem = (id: string, text = THOUGHT): ResponseReasoningItem => ({
  id,
  type: 'reasoning',
  summary: [],
  content: [{ type: 'reasoning_text', text }],
  status: 'completed',
});

const yaml = (upstream: string, anthropic: string) => `
default_provider: fake
providers:
  fake:
    type: openai-compatible
    base_url: ${upstream}
    max_retries: 0
  anthropic:
    type: anthropic
    base_url: ${anthropic}
    api_key: sk-ant-test-key
    max_retries: 0
models:
  claude:
    provider: anthropic
    model: claude-sonnet-4-5
`;

for (const dialect of testDialects()) {
  describe(`responses: reasoning (${dialect})`, () => {
    let fake: FakeUpstream;
    let claude: FakeAnthropic;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeUpstream();
      claude = await startFakeAnthropic();
      app = await createTestApp({ dialect, yaml: yaml(fake.url, claude.url) });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await Promise.all([fake.close(), claude.close()]);
    });
    beforeEach(() => {
      fake.reset();
      claude.calls.length = 0;
    });
    const upstreamBodies = () => fake.calls.filter((c) => c.path === COMPLETIONS).map((c) => c.body as Record<string, unknown>);

    it('should put the upstream reasoning_content in a reasoning item before the message, and show it on retrieve', async () => {
      fake.enqueue(COMPLETIONS, thinking());
      const response = await client.responses.create({ model: 'gpt-oss-20b', input: 'What is 2 + 2?' });
      assert.equal(response.output.length, 2);
      const [reasoning, message] = response.output;
      assert.match(reasoning!.id ?? '', /^rs_/);
      assert.deepEqual(reasoning, reasoningItem(reasoning!.id!));
      assert.equal(message?.type, 'message');
      assert.equal(response.output_text, '4');
      const again = await client.responses.retrieve(response.id);
      assert.deepEqual(again.output, response.output);
    });

    it('should stream the reasoning (Ollama-style `reasoning` deltas) and give it to stream().finalResponse()', async () => {
      fake.enqueue(COMPLETIONS, thinking({ field: 'reasoning' }));
      const stream = client.responses.stream({ model: 'gpt-oss-20b', input: 'What is 2 + 2?' });
      const deltas: Array<{ delta: string; item_id: string; output_index: number; content_index: number }> = [];
      stream.on('response.reasoning_text.delta', (e) => deltas.push({ delta: e.delta, item_id: e.item_id, output_index: e.output_index, content_index: e.content_index }));
      const final = await stream.finalResponse();
      const id = final.output[0]?.id ?? '';
      assert.deepEqual(deltas, [
        { delta: 'Two plus ', item_id: id, output_index: 0, content_index: 0 },
        { delta: 'two is four.', item_id: id, output_index: 0, content_index: 0 },
      ]);
      assert.deepEqual(final.output[0], reasoningItem(id));
      assert.equal(final.output_text, '4');
      const stored = await client.responses.retrieve(final.id);
      assert.deepEqual(stored.output, JSON.parse(JSON.stringify(final.output, (k, v: unknown) => (k === 'parsed' ? undefined : v))));
    });

    it('should record a background response’s reasoning events and replay them', async () => {
      fake.enqueue(COMPLETIONS, thinking());
      const queued = await client.responses.create({ model: 'gpt-oss-20b', input: 'What is 2 + 2?', background: true });
      const events: Array<{ type: string; delta?: string }> = [];
      for await (const e of await client.responses.retrieve(queued.id, { stream: true })) events.push({ type: e.type, ...('delta' in e && typeof e.delta === 'string' ? { delta: e.delta } : {}) });
      const reasoning = events.filter((e) => e.type.startsWith('response.reasoning_text'));
      assert.deepEqual(reasoning, [
        { type: 'response.reasoning_text.delta', delta: 'Two plus ' },
        { type: 'response.reasoning_text.delta', delta: 'two is four.' },
        { type: 'response.reasoning_text.done' },
      ]);
      const done = await client.responses.retrieve(queued.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.output[0], reasoningItem(done.output[0]!.id!));
    });

    it('should keep the reasoning of a response cut off while it reasoned, incomplete, stream and retrieve alike', async () => {
      const cut = { type: 'sse' as const, chunks: chatChunks({ reasoning: ['Let me think'], content: [], finishReason: 'length', usage: { completion_tokens: 16 } }) };
      fake.enqueue(COMPLETIONS, cut, cut);
      const cutItem = { ...reasoningItem('', 'Let me think'), status: 'incomplete' as const };
      const response = await client.responses.create({ model: 'gpt-oss-20b', input: 'Hard question.', max_output_tokens: 16 });
      assert.deepEqual([response.status, response.incomplete_details], ['incomplete', { reason: 'max_output_tokens' }]);
      assert.deepEqual(response.output, [{ ...cutItem, id: response.output[0]!.id }]);
      const final = await client.responses.stream({ model: 'gpt-oss-20b', input: 'Hard question.', max_output_tokens: 16 }).finalResponse();
      assert.deepEqual(final.output, [{ ...cutItem, id: final.output[0]!.id }]);
      assert.deepEqual((await client.responses.retrieve(final.id)).output, final.output);
    });

    it('should not send earlier reasoning back to the model on the next turn of the chain', async () => {
      fake.enqueue(COMPLETIONS, thinking(), { type: 'sse', chunks: chatChunks({ content: 'Eight.', usage: {} }) });
      const first = await client.responses.create({ model: 'gpt-oss-20b', input: 'What is 2 + 2?' });
      await client.responses.create({ model: 'gpt-oss-20b', input: 'And doubled?', previous_response_id: first.id });
      const second = upstreamBodies()[1]!;
      assert.deepEqual(second.messages, [
        { role: 'user', content: 'What is 2 + 2?' },
        { role: 'assistant', content: '4' },
        { role: 'user', content: 'And doubled?' },
      ]);
    });

    it('should put reasoning before a function call, stored and shown in order', async () => {
      const toolCalls = [{ id: 'call_1', name: 'add', arguments: '{"a":2,"b":2}' }];
      fake.enqueue(COMPLETIONS, { type: 'sse', chunks: chatChunks({ reasoning: [THOUGHT], toolCalls, usage: {} }) });
      const tools = [{ type: 'function' as const, name: 'add', parameters: { type: 'object', properties: {} }, strict: false }];
      const response = await client.responses.create({ model: 'gpt-oss-20b', input: '2 + 2?', tools });
      assert.deepEqual(response.output.map((o) => o.type), ['reasoning', 'function_call']);
      assert.deepEqual(response.output[0], reasoningItem(response.output[0]!.id!));
      assert.deepEqual((await client.responses.retrieve(response.id)).output, response.output);
    });

    it('should list the reasoning among a conversation’s items, between the input and the answer', async () => {
      fake.enqueue(COMPLETIONS, thinking());
      const conversation = await client.conversations.create();
      const response = await client.responses.create({ model: 'gpt-oss-20b', input: 'What is 2 + 2?', conversation: conversation.id });
      const items = await client.conversations.items.list(conversation.id, { order: 'asc' });
      assert.deepEqual(items.data.map((i) => i.type), ['message', 'reasoning', 'message']);
      assert.deepEqual(items.data[1], response.output[0]);
    });

    it('should leave Assistants runs as they were: the message holds the answer only, the steps show no reasoning', async () => {
      fake.enqueue(COMPLETIONS, thinking());
      const assistant = await client.beta.assistants.create({ model: 'gpt-oss-20b' });
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: '2 + 2?' }] } });
      assert.equal(run.status, 'completed');
      const messages = await client.beta.threads.messages.list(run.thread_id, { order: 'asc' });
      assert.deepEqual(messages.data.map((m) => m.content), [
        [{ type: 'text', text: { value: '2 + 2?', annotations: [] } }],
        [{ type: 'text', text: { value: '4', annotations: [] } }],
      ]);
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
      assert.deepEqual(steps.data.map((s) => s.step_details.type), ['message_creation']);
      assert.doesNotMatch(JSON.stringify(steps.data), /reasoning|four/);
    });

    it('should relay reasoning_content through Chat Completions unchanged', async () => {
      fake.enqueue(COMPLETIONS, thinking());
      const stream = await client.chat.completions.create({ model: 'gpt-oss-20b', messages: [{ role: 'user', content: '2 + 2?' }], stream: true });
      let reasoning = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        if (delta && 'reasoning_content' in delta && typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
      }
      assert.equal(reasoning, THOUGHT);
    });

    it('should pass reasoning.effort to an OpenAI-compatible upstream as reasoning_effort, and nothing when left out', async () => {
      fake.enqueue(COMPLETIONS, thinking(), thinking());
      await client.responses.create({ model: 'gpt-oss-20b', input: 'Hi', reasoning: { effort: 'high' } });
      await client.responses.create({ model: 'gpt-oss-20b', input: 'Hi' });
      const [withEffort, without] = upstreamBodies();
      assert.equal(withEffort!.reasoning_effort, 'high');
      assert.equal('reasoning_effort' in without!, false);
    });

    it('should ask Anthropic for extended thinking with the effort’s budget, and for none when left out', async () => {
      await client.responses.create({ model: 'claude', input: 'Hi', reasoning: { effort: 'medium' }, temperature: 0.3 });
      await client.responses.create({ model: 'claude', input: 'Hi', temperature: 0.3 });
      const [withEffort, without] = claude.calls.filter((c) => c.path === '/v1/messages').map((c) => c.body);
      assert.deepEqual([withEffort!.thinking, withEffort!.max_tokens, withEffort!.temperature], [{ type: 'enabled', budget_tokens: 8192 }, 8192 + 4096, undefined]);
      assert.deepEqual([without!.thinking, without!.max_tokens, without!.temperature], [undefined, 4096, 0.3]);
    });

    it('should sum cached and reasoning tokens over the turns of a response, in its usage and the usage ledger', async () => {
      const other = app.client(TEST_KEYS[1]);
      const start = Math.floor(Date.now() / 86_400_000) * 86_400;
      type Page = { data: Array<{ results: Array<{ input_cached_tokens: number; input_tokens: number }> }> };
      const cachedInLedger = async () => {
        await app.server.deps.usage.flush();
        const page = await other.get<Page>('/organization/usage/completions', { query: { start_time: start } });
        return page.data.flatMap((b) => b.results).reduce((n, r) => n + r.input_cached_tokens, 0);
      };
      const before = await cachedInLedger();
      const store = await other.vectorStores.create({ name: 'notes' });
      const search = [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"notes"}' }];
      const usage = (prompt: number, cached: number, completion: number, reasoning: number) => ({
        prompt_tokens: prompt,
        completion_tokens: completion,
        prompt_tokens_details: { cached_tokens: cached },
        completion_tokens_details: { reasoning_tokens: reasoning },
      });
      fake.enqueue(
        COMPLETIONS,
        { type: 'sse', chunks: chatChunks({ reasoning: ['Search first.'], toolCalls: search, usage: usage(100, 60, 20, 12) }) },
        { type: 'sse', chunks: chatChunks({ content: 'Nothing found.', usage: usage(150, 100, 10, 5) }) },
      );
      const response = await other.responses.create({ model: 'gpt-oss-20b', input: 'Find my notes.', tools: [{ type: 'file_search', vector_store_ids: [store.id] }] });
      const expected = {
        input_tokens: 250,
        input_tokens_details: { cached_tokens: 160, cache_write_tokens: 0 },
        output_tokens: 30,
        output_tokens_details: { reasoning_tokens: 17 },
        total_tokens: 280,
      };
      assert.deepEqual(response.usage, expected);
      assert.deepEqual((await other.responses.retrieve(response.id)).usage, expected);
      assert.equal((await cachedInLedger()) - before, 160);
    });

    it('should keep an Assistants run’s usage to OpenAI’s three counts', async () => {
      fake.enqueue(COMPLETIONS, { type: 'sse', chunks: chatChunks({ content: '4', usage: { prompt_tokens: 9, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } } }) });
      const assistant = await client.beta.assistants.create({ model: 'gpt-oss-20b' });
      const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: '2 + 2?' }] } });
      assert.deepEqual(run.usage, { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
      assert.deepEqual(steps.data[0]?.usage, { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    });

    const bytes = (t: string) => [...Buffer.from(t, 'utf8')];
    const tokenLogprob = (token: string, logprob: number) => ({
      token,
      logprob,
      bytes: bytes(token),
      top_logprobs: [
        { token, logprob, bytes: bytes(token) },
        { token: 'alt1', logprob: logprob - 1, bytes: bytes('alt1') },
      ],
    });
    const withLogprobs = () => ({ type: 'sse' as const, chunks: chatChunks({ content: ['Hi', ' there'], logprobs: { top: 2 }, usage: {} }) });

    it('should ask for logprobs with include message.output_text.logprobs and put them on the output_text', async () => {
      fake.enqueue(COMPLETIONS, withLogprobs());
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', include: ['message.output_text.logprobs'], top_logprobs: 2 });
      assert.deepEqual([upstreamBodies()[0]!.logprobs, upstreamBodies()[0]!.top_logprobs], [true, 2]);
      const message = response.output[0];
      assert.ok(message?.type === 'message' && message.content[0]?.type === 'output_text');
      assert.deepEqual(message.content[0].logprobs, [tokenLogprob('Hi', -0.1), tokenLogprob(' there', -0.2)]);
      assert.deepEqual((await client.responses.retrieve(response.id)).output, response.output);
    });

    it('should stream the logprobs on output_text.delta and .done, and into finalResponse()', async () => {
      fake.enqueue(COMPLETIONS, withLogprobs());
      const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Hi', include: ['message.output_text.logprobs'], top_logprobs: 2 });
      const events: unknown[] = [];
      stream.on('response.output_text.delta', (e) => events.push(e.logprobs));
      stream.on('response.output_text.done', (e) => events.push(e.logprobs));
      const final = await stream.finalResponse();
      const eventLogprob = (token: string, logprob: number) => ({ token, logprob, top_logprobs: [{ token, logprob }, { token: 'alt1', logprob: logprob - 1 }] });
      assert.deepEqual(events, [[eventLogprob('Hi', -0.1)], [eventLogprob(' there', -0.2)], [eventLogprob('Hi', -0.1), eventLogprob(' there', -0.2)]]);
      const part = final.output[0]?.type === 'message' ? final.output[0].content[0] : undefined;
      assert.deepEqual(part?.type === 'output_text' && part.logprobs, [tokenLogprob('Hi', -0.1), tokenLogprob(' there', -0.2)]);
    });

    it('should ask for no logprobs without the include, top_logprobs alone included, and keep logprobs empty', async () => {
      fake.enqueue(COMPLETIONS, { type: 'sse', chunks: chatChunks({ content: 'Hi.', usage: {} }) });
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', top_logprobs: 3 });
      assert.deepEqual(['logprobs' in upstreamBodies()[0]!, 'top_logprobs' in upstreamBodies()[0]!], [false, false]);
      const message = response.output[0];
      assert.deepEqual(message?.type === 'message' && message.content[0]?.type === 'output_text' && message.content[0].logprobs, []);
    });

    it('should turn Anthropic thinking blocks into a reasoning item', async () => {
      claude.enqueue({ type: 'events', events: messageEvents({ blocks: [{ type: 'thinking', deltas: ['Two plus ', 'two is four.'] }, { type: 'text', deltas: ['4'] }] }) });
      const response = await client.responses.create({ model: 'claude', input: 'What is 2 + 2?' });
      assert.deepEqual(response.output.map((o) => o.type), ['reasoning', 'message']);
      assert.deepEqual(response.output[0], reasoningItem(response.output[0]!.id!));
      assert.equal(response.output_text, '4');
    });
  });
}
