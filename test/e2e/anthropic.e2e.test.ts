import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { messageEvents, startFakeAnthropic, type FakeAnthropic } from '../fakes/fake-anthropic.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

// Claude models through a `type: anthropic` provider, against a scripted fake Messages API.

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

const yaml = (url: string) => `
providers:
  anthropic:
    type: anthropic
    base_url: ${url}
    api_key: sk-ant-test-key
    max_retries: 0
models:
  claude:
    provider: anthropic
    model: claude-sonnet-4-5
`;

for (const dialect of testDialects()) {
  describe(`anthropic provider (${dialect})`, () => {
    let fake: FakeAnthropic;
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      fake = await startFakeAnthropic();
      app = await createTestApp({ dialect, yaml: yaml(fake.url) });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => {
      fake.calls.length = 0;
    });

    it('should answer a chat completion and send Anthropic the system prompt, headers and max_tokens', async () => {
      const c = await client.chat.completions.create({
        model: 'claude',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        max_completion_tokens: 100,
        temperature: 0.5,
        stop: ['END'],
      });
      assert.equal(c.object, 'chat.completion');
      assert.equal(c.model, 'claude');
      assert.equal(c.choices[0]?.message.content, 'Hello from Claude');
      assert.equal(c.choices[0]?.finish_reason, 'stop');
      assert.deepEqual([c.usage?.prompt_tokens, c.usage?.completion_tokens, c.usage?.total_tokens], [12, 7, 19]);

      const call = fake.calls[0]!;
      assert.deepEqual([call.method, call.path], ['POST', '/v1/messages']);
      assert.equal(call.headers['x-api-key'], 'sk-ant-test-key');
      assert.equal(call.headers['anthropic-version'], '2023-06-01');
      assert.match(String(call.headers['content-type']), /^application\/json/);
      assert.equal(call.headers.authorization, undefined);
      assert.deepEqual(call.body, {
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        stream: true,
        stop_sequences: ['END'],
        temperature: 0.5,
      });
    });

    it('should route an anthropic/ prefix and default max_tokens when the client gives none', async () => {
      await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] });
      assert.deepEqual([fake.calls[0]!.body.model, fake.calls[0]!.body.max_tokens], ['claude-haiku-4-5', 4096]);
    });

    it('should stream text and a tool call built from input_json_delta, with cache tokens in usage', async () => {
      fake.enqueue({
        type: 'events',
        events: messageEvents({
          blocks: [
            { type: 'text', deltas: ['Let me ', 'check.'] },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', jsonDeltas: ['{"ci', 'ty": "Paris"}'] },
          ],
          stopReason: 'tool_use',
          usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
          outputTokens: 9,
        }),
      });
      const stream = await client.chat.completions.create({
        model: 'claude',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let args = '';
      const finish: Array<string | null> = [];
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        text += choice?.delta.content ?? '';
        for (const tc of choice?.delta.tool_calls ?? []) {
          if (tc.id) assert.deepEqual([tc.id, tc.function?.name], ['toolu_01', 'get_weather']);
          args += tc.function?.arguments ?? '';
        }
        if (choice?.finish_reason) finish.push(choice.finish_reason);
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(text, 'Let me check.');
      assert.deepEqual(JSON.parse(args), { city: 'Paris' });
      assert.deepEqual(finish, ['tool_calls']);
      assert.equal(usage?.prompt_tokens, 125);
      assert.equal(usage?.completion_tokens, 9);
      assert.equal(usage?.prompt_tokens_details?.cached_tokens, 100);

      const body = fake.calls[0]!.body;
      assert.deepEqual(body.tools, [{ name: 'get_weather', description: 'The weather in a city', input_schema: weatherTool.function.parameters }]);
      assert.deepEqual(body.tool_choice, { type: 'tool', name: 'get_weather' });
    });

    it('should send images as base64 and URL image blocks', async () => {
      await client.chat.completions.create({
        model: 'claude',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            ],
          },
        ],
      });
      assert.deepEqual((fake.calls[0]!.body.messages as Array<{ content: unknown }>)[0]!.content, [
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      ]);
    });

    it('should run an assistant with a function tool through requires_action to its answer', async () => {
      fake.enqueue(
        { type: 'events', events: messageEvents({ blocks: [{ type: 'tool_use', id: 'toolu_w1', name: 'get_weather', jsonDeltas: ['{"city":"Oslo"}'] }], stopReason: 'tool_use' }) },
        { type: 'events', events: messageEvents({ blocks: [{ type: 'text', deltas: ['Rainy in Oslo.'] }] }) },
      );
      const assistant = await client.beta.assistants.create({ model: 'claude', instructions: 'You are terse.', tools: [weatherTool] });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Oslo?' }] });
      const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(waiting.status, 'requires_action');
      assert.deepEqual(waiting.required_action?.submit_tool_outputs.tool_calls, [
        { id: 'toolu_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ]);
      const done = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: 'toolu_w1', output: 'rain, 8C' }],
      });
      assert.equal(done.status, 'completed');
      const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
      const last = messages.data.at(-1)!.content[0];
      assert.equal(last?.type === 'text' && last.text.value, 'Rainy in Oslo.');

      const second = fake.calls[1]!.body;
      assert.match(String(second.system), /You are terse\./);
      assert.deepEqual(second.messages, [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_w1', name: 'get_weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_w1', content: 'rain, 8C' }] },
      ]);
    });

    it('should run parallel tool calls and send their results back in one user turn', async () => {
      fake.enqueue(
        {
          type: 'events',
          events: messageEvents({
            blocks: [
              { type: 'tool_use', id: 'toolu_a', name: 'get_weather', jsonDeltas: ['{"city":"Rome"}'] },
              { type: 'tool_use', id: 'toolu_b', name: 'get_weather', jsonDeltas: ['{"city":"Bern"}'] },
            ],
            stopReason: 'tool_use',
          }),
        },
        { type: 'events', events: messageEvents({ blocks: [{ type: 'text', deltas: ['Both sunny.'] }] }) },
      );
      const assistant = await client.beta.assistants.create({ model: 'anthropic/claude-haiku-4-5', tools: [weatherTool] });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Rome and Bern?' }] });
      const waiting = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.deepEqual(waiting.required_action?.submit_tool_outputs.tool_calls.map((c) => c.id), ['toolu_a', 'toolu_b']);
      const done = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [
          { tool_call_id: 'toolu_a', output: 'sun' },
          { tool_call_id: 'toolu_b', output: 'sun too' },
        ],
      });
      assert.equal(done.status, 'completed');
      const turns = fake.calls[1]!.body.messages as Array<{ role: string; content: unknown }>;
      assert.deepEqual(turns.at(-1), {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_a', content: 'sun' },
          { type: 'tool_result', tool_use_id: 'toolu_b', content: 'sun too' },
        ],
      });
    });

    it('should fail a run with rate_limit_exceeded when Anthropic answers 429', async () => {
      fake.enqueue({ type: 'error', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } } });
      const assistant = await client.beta.assistants.create({ model: 'claude' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'failed');
      assert.equal(run.last_error?.code, 'rate_limit_exceeded');
    });

    it('should answer the one-call assistant chat (model "asst_…") from Claude', async () => {
      const assistant = await client.beta.assistants.create({ model: 'claude', instructions: 'Be kind.' });
      const c = await client.chat.completions.create({ model: assistant.id, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(c.choices[0]?.message.content, 'Hello from Claude');
      assert.match(String(fake.calls[0]!.body.system), /Be kind\./);
    });

    it('should end a stream with an error frame when Anthropic sends an error event midway', async () => {
      const events = messageEvents({ blocks: [{ type: 'text', deltas: ['Hel'] }] }).slice(0, 4);
      fake.enqueue({ type: 'events', events: [...events, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }] });
      const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      let text = '';
      const err = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().catch((e: unknown) => e);
      assert.equal(text, 'Hel');
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.match(err.message, /Overloaded/);
    });

    it('should list the models Anthropic lists (its only provider is the default: no prefix), with Anthropic headers', async () => {
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.ok(ids.includes('claude-fake-1'), ids.join());
      assert.ok(ids.includes('claude'));
      const call = fake.calls.find((c) => c.path === '/v1/models');
      assert.equal(call?.headers['x-api-key'], 'sk-ant-test-key');
    });

    it('should run the built-in file_search on Claude, with a file citation', async () => {
      const fact = 'The Zorbulon reactor on Kepler station runs on 42 tonnes of liquid argon.';
      const store = await client.vectorStores.create({ name: 'kepler' });
      const file = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(fact), 'kepler.txt'));
      const assistant = await client.beta.assistants.create({
        model: 'claude',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
      fake.enqueue(
        { type: 'events', events: messageEvents({ blocks: [{ type: 'tool_use', id: 'toolu_fs', name: 'file_search', jsonDeltas: ['{"query":"reactor fuel"}'] }], stopReason: 'tool_use' }) },
        { type: 'events', events: messageEvents({ blocks: [{ type: 'text', deltas: ['Liquid argon ', '【0:0†kepler.txt】.'] }] }) },
      );
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What does the reactor run on?' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      const messageCalls = fake.calls.filter((c) => c.path === '/v1/messages');
      assert.equal((messageCalls[0]!.body.tools as Array<{ name: string }>)[0]!.name, 'file_search');
      const turns = messageCalls[1]!.body.messages as Array<{ role: string; content: Array<{ type: string; content?: string }> }>;
      const result = turns.at(-1)!.content[0]!;
      assert.equal(result.type, 'tool_result');
      assert.ok(result.content?.includes('42 tonnes of liquid argon'), result.content);
      const [answer] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      const part = answer!.content[0]!;
      const citation = part.type === 'text' ? part.text.annotations[0] : undefined;
      assert.equal(citation?.type === 'file_citation' && citation.file_citation.file_id, file.id);
    });

    it('should answer 503 when Anthropic is overloaded (529)', async () => {
      fake.enqueue({ type: 'error', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
      const err = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.InternalServerError, String(err));
      assert.equal(err.status, 503);
      assert.equal((err.error as { type?: string }).type, 'server_error');
      assert.equal(err.code, 'overloaded');
      assert.match(err.message, /Overloaded/);
    });

    it('should pass a 429 through as rate_limit_exceeded', async () => {
      fake.enqueue({ type: 'error', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } } });
      const err = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.match(err.message, /Slow down/);
    });

    it('should answer a 400 from Anthropic as a 400 with its message', async () => {
      fake.enqueue({ type: 'error', status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } } });
      const err = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.match(err.message, /messages: bad/);
    });
  });
}
