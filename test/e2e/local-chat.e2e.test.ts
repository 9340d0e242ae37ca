import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { z } from 'zod';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { tinyModelPath } from '../support/tiny-model.js';
import { until } from '../support/until.js';

// Chat Completions on an in-process GGUF model (the tiny random-weight test model: its text is
// noise, so the tests check shapes, counts, constraints and determinism, never wording).

const hi = [{ role: 'user' as const, content: 'Hi there!' }];

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', maxLength: 12 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer' },
      },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    },
  },
};
const weatherArgs = z.strictObject({ city: z.string().max(12), unit: z.enum(['celsius', 'fahrenheit']), days: z.number().int() });
const timeTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string', maxLength: 6 } } } },
};

const personFormat: OpenAI.ResponseFormatJSONSchema = {
  type: 'json_schema',
  json_schema: {
    name: 'person',
    strict: true,
    schema: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 10 },
        role: { type: 'string', enum: ['admin', 'user', 'guest'] },
        active: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 3 },
        manager: { anyOf: [{ type: 'string', maxLength: 6 }, { type: 'null' }] },
      },
      required: ['name', 'role', 'active', 'tags', 'manager'],
      additionalProperties: false,
    },
  },
};
const person = z.strictObject({
  name: z.string().min(1).max(10),
  role: z.enum(['admin', 'user', 'guest']),
  active: z.boolean(),
  tags: z.array(z.string().max(5)).max(3),
  manager: z.string().max(6).nullable(),
});

describe('chat completions on a local model', () => {
  let app: TestApp;
  let client: OpenAI;

  before(async () => {
    app = await createTestApp({
      yaml: `
local_models:
  local:
    path: ${tinyModelPath()}
    context_size: 2048
    parallel: 2
    threads: 1
    aliases: [tiny]
`,
    });
    client = app.client();
  });
  after(() => app.close());

  it('should list the local model and its alias', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    assert.ok(ids.includes('local') && ids.includes('tiny'), ids.join(','));
    assert.equal((await client.models.retrieve('local')).owned_by, 'switchboard');
  });

  it('should answer a chat.completion with exact token counts', async () => {
    const c = await client.chat.completions.create({ model: 'tiny', messages: hi, max_tokens: 7 });
    assert.match(c.id, /^chatcmpl-/);
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.model, 'local');
    const choice = c.choices[0]!;
    assert.equal(choice.message.role, 'assistant');
    assert.equal(typeof choice.message.content, 'string');
    assert.equal(choice.finish_reason, 'length');
    assert.equal(c.usage?.completion_tokens, 7);
    assert.ok((c.usage?.prompt_tokens ?? 0) > 3);
    assert.equal(c.usage?.total_tokens, (c.usage?.prompt_tokens ?? 0) + 7);
  });

  it('should count one more prompt token per added word the tokenizer keeps whole', async () => {
    const base = await client.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: 'the' }], max_tokens: 1 });
    const more = await client.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: 'the the the' }], max_tokens: 1 });
    assert.equal((more.usage?.prompt_tokens ?? 0) - (base.usage?.prompt_tokens ?? 0), 2);
  });

  it('should honour max_completion_tokens', async () => {
    const c = await client.chat.completions.create({ model: 'local', messages: hi, max_completion_tokens: 3 });
    assert.equal(c.usage?.completion_tokens, 3);
  });

  it('should stream chunks in OpenAI shapes that add up to the same answer as the same seed without streaming', async () => {
    const params = { model: 'local', messages: hi, max_tokens: 12, seed: 1234, temperature: 1 };
    const whole = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const first = chunks[0]!;
    assert.deepEqual(first.choices[0]?.delta, { role: 'assistant', content: '', refusal: null });
    assert.ok(chunks.every((c) => c.id === first.id && c.object === 'chat.completion.chunk' && c.model === 'local'));
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, whole.choices[0]?.message.content);
    const finish = chunks.at(-2)!;
    assert.equal(finish.choices[0]?.finish_reason, 'length');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage?.completion_tokens, 12);
    assert.equal(last.usage?.prompt_tokens, whole.usage?.prompt_tokens);
  });

  it('should give the same text for the same seed, and at temperature 0', async () => {
    const a = await client.chat.completions.create({ model: 'local', messages: hi, max_tokens: 10, seed: 7 });
    const b = await client.chat.completions.create({ model: 'local', messages: hi, max_tokens: 10, seed: 7 });
    assert.equal(a.choices[0]?.message.content, b.choices[0]?.message.content);
    const g1 = await client.chat.completions.create({ model: 'local', messages: hi, max_tokens: 10, temperature: 0 });
    const g2 = await client.chat.completions.create({ model: 'local', messages: hi, max_tokens: 10, temperature: 0 });
    assert.equal(g1.choices[0]?.message.content, g2.choices[0]?.message.content);
  });

  it('should stop before a stop sequence and say finish_reason stop', async () => {
    const params = { model: 'local', messages: hi, max_tokens: 30, seed: 99 };
    const full = (await client.chat.completions.create(params)).choices[0]!.message.content ?? '';
    // A stop sequence from the middle of what this seed generates: the same seed must stop right before it.
    const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 2);
    const cut = full.indexOf(stop);
    assert.ok(stop.length === 2 && cut > 0, `usable stop sequence in ${JSON.stringify(full)}`);
    const stopped = await client.chat.completions.create({ ...params, stop: [stop, '§never§'] });
    assert.equal(stopped.choices[0]?.finish_reason, 'stop');
    assert.equal(stopped.choices[0]?.message.content, full.slice(0, cut));
  });

  it('should return output that parses and matches a json_schema response format', async () => {
    for (const seed of [1, 2, 3]) {
      const c = await client.chat.completions.create({ model: 'local', messages: hi, response_format: personFormat, seed, max_tokens: 200 });
      assert.equal(c.choices[0]?.finish_reason, 'stop');
      const parsed: unknown = JSON.parse(c.choices[0]?.message.content ?? '');
      assert.deepEqual(person.parse(parsed), parsed);
    }
  });

  it('should stream json_schema output that parses too', async () => {
    const stream = await client.chat.completions.create({ model: 'local', messages: hi, response_format: personFormat, stream: true, max_tokens: 200 });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    person.parse(JSON.parse(text));
  });

  it('should start json_object output with an object', async () => {
    const c = await client.chat.completions.create({ model: 'local', messages: hi, response_format: { type: 'json_object' }, max_tokens: 20 });
    assert.match(c.choices[0]?.message.content ?? '', /^\s*\{/);
  });

  it('should make a valid call when tool_choice is required', async () => {
    for (const seed of [11, 12, 13]) {
      const c: OpenAI.ChatCompletion = await client.chat.completions.create({
        model: 'local',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [weatherTool],
        tool_choice: 'required',
        parallel_tool_calls: false,
        seed,
        max_tokens: 120,
      });
      const choice: OpenAI.ChatCompletion.Choice = c.choices[0]!;
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.content, null);
      const call = choice.message.tool_calls?.[0];
      assert.ok(call?.type === 'function');
      assert.match(call.id, /^call_/);
      assert.equal(call.function.name, 'get_weather');
      weatherArgs.parse(JSON.parse(call.function.arguments));
    }
  });

  it('should call the function a tool_choice names, among several', async () => {
    const c = await client.chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: 'What time is it?' }],
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      parallel_tool_calls: false,
      max_tokens: 60,
    });
    const call = c.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(call.function.name, 'get_time');
    z.strictObject({ zone: z.string().max(6) }).parse(JSON.parse(call.function.arguments));
  });

  it('should stream a forced call so the SDK helper assembles it', async () => {
    const runner = client.chat.completions.stream({
      model: 'local',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      max_tokens: 120,
    });
    const deltas: string[] = [];
    runner.on('chunk', (chunk) => {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) if (tc.function?.arguments) deltas.push(tc.function.arguments);
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(deltas.join(''), call.function.arguments);
    assert.ok(deltas.length > 1, 'arguments arrive in pieces');
    weatherArgs.parse(JSON.parse(call.function.arguments));
  });

  it('should take a tool round trip back into the conversation', async () => {
    const tools = [weatherTool];
    const first = await client.chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_tokens: 120,
    });
    const message = first.choices[0]!.message;
    const call = message.tool_calls![0]!;
    const second = await client.chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: 'Weather in Paris?' }, message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 22 °C' }],
      tools,
      max_tokens: 5,
    });
    // The call and its result are rendered into the prompt after the first one.
    assert.ok((second.usage?.prompt_tokens ?? 0) > (first.usage?.prompt_tokens ?? 0) + 10);
    assert.equal(second.usage?.completion_tokens, 5);
  });

  it('should give n choices, each with its own index', async () => {
    const c = await client.chat.completions.create({ model: 'local', messages: hi, n: 3, max_tokens: 4, seed: 5 });
    assert.deepEqual(c.choices.map((ch) => ch.index), [0, 1, 2]);
    assert.equal(c.usage?.completion_tokens, 12);
    const stream = await client.chat.completions.create({ model: 'local', messages: hi, n: 2, max_tokens: 3, stream: true });
    const finished = new Set<number>();
    for await (const chunk of stream) for (const ch of chunk.choices) if (ch.finish_reason) finished.add(ch.index);
    assert.deepEqual([...finished].sort(), [0, 1]);
  });

  it('should serve more concurrent requests than parallel sequences, queueing the rest', async () => {
    const all = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: `Request ${i}` }], max_tokens: 6 + i }),
      ),
    );
    assert.deepEqual(all.map((c) => c.usage?.completion_tokens), [6, 7, 8, 9, 10]);
  });

  it('should work with the 4.x SDK', async () => {
    const c = await app.clientV4().chat.completions.create({ model: 'local', messages: hi, max_tokens: 2 });
    assert.equal(c.usage?.completion_tokens, 2);
  });

  it('should answer OpenAI-shaped 400s for what the model cannot take', async () => {
    const tooLong = 'word '.repeat(2100);
    await assert.rejects(client.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: tooLong }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.code, 'context_length_exceeded');
      return true;
    });
    await assert.rejects(
      client.chat.completions.create({ model: 'local', messages: hi, tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'tool_choice',
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'local',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }],
      }),
      OpenAI.BadRequestError,
    );
  });

  it('should serve /v1/embeddings from the GGUF model, in-process', async () => {
    const res = await client.embeddings.create({ model: 'local', input: ['The cat sat on the mat.', 'A dog barked.', 'The cat sat on the mat.'] });
    assert.equal(res.model, 'local');
    assert.equal(res.data.length, 3);
    const vectors = res.data.map((d) => d.embedding);
    assert.equal(vectors[0]!.length, 32, 'the model\'s embedding size');
    for (const v of vectors) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-3, 'unit length');
    assert.deepEqual(vectors[0], vectors[2], 'the same text, the same vector');
    assert.notDeepEqual(vectors[0], vectors[1]);
    assert.ok(res.usage.prompt_tokens >= 12, `tokens counted by the model's tokenizer: ${res.usage.prompt_tokens}`);
    await assert.rejects(
      client.embeddings.create({ model: 'local', input: 'word '.repeat(5000) }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && err.code === 'context_length_exceeded',
    );
  });

  it('should stop generating when the client disconnects, and meter what was generated', async () => {
    const other = app.client(TEST_KEYS[1]);
    const abort = new AbortController();
    const stream = await other.chat.completions.create(
      { model: 'local', messages: hi, max_tokens: 2000, stream: true },
      { signal: abort.signal },
    );
    let chunks = 0;
    try {
      for await (const _ of stream) if (++chunks === 3) abort.abort();
    } catch {
      // The SDK may end the iteration quietly or throw on abort; either way the client is gone.
    }
    assert.ok(chunks >= 3);
    // The generation's usage is recorded once it ends; had it not stopped, it would be all 2000 tokens.
    const outputTokens = await until(
      async () => {
        await app.server.deps.usage.flush();
        const page = await other.get<{ data: Array<{ results: Array<{ output_tokens: number }> }> }>('/organization/usage/completions', {
          query: { start_time: Math.floor(Date.now() / 1000) - 3600 },
        });
        return page.data.flatMap((b) => b.results).reduce((n, r) => n + r.output_tokens, 0);
      },
      (n) => n > 0,
    );
    assert.ok(outputTokens > 0 && outputTokens < 2000, `generated ${outputTokens} tokens`);
  });
});
