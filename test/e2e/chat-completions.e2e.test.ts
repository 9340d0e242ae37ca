import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, controlledStream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks, chatCompletion, errorBody } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

const CHAT = '/v1/chat/completions';
const question = [{ role: 'user' as const, content: 'What is the capital of France?' }];

async function rawPost(app: TestApp, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test-tenant-a-0001', 'content-type': 'application/json', ...headers },
    body,
  });
  return { res, json: (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
}

describe('chat completions gateway', () => {
  let fake: FakeUpstream;
  let app: TestApp;
  let client: OpenAI;

  before(async () => {
    fake = await startFakeUpstream();
    app = await createTestApp({
      env: { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_UPSTREAM_API_KEY: 'sk-upstream-secret', SWITCHBOARD_BODY_LIMIT_MB: '0.05' },
    });
    client = app.client();
  });
  after(async () => {
    await app.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  describe('non-streaming', () => {
    it('should return the upstream completion through the SDK', async () => {
      fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: 'Paris.', model: 'gpt-4o' }) });
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: question });
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.choices[0]?.message.content, 'Paris.');
      assert.equal(completion.usage?.total_tokens, 17);
    });

    it('should replace the client key with the upstream key and forward the request id', async () => {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: question }).withResponse();
      const call = fake.calls[0]!;
      assert.equal(call.headers.authorization, 'Bearer sk-upstream-secret');
      assert.equal(call.headers['x-request-id'], response.headers.get('x-request-id'));
      assert.match(response.headers.get('x-request-id') ?? '', /^req_/);
      assert.match(response.headers.get('openai-processing-ms') ?? '', /^\d+$/);
    });

    it('should pass every field through unchanged, including unknown ones', async () => {
      const body = {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '42', name: 'f' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' } } }],
        top_k: 40,
        chat_template_kwargs: { enable_thinking: false },
        temperature: 0.2,
      };
      await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
      assert.deepEqual(fake.calls[0]!.body, body);
    });

    it('should keep a tool call round trip intact', async () => {
      fake.enqueue(
        CHAT,
        { type: 'json', body: chatCompletion({ toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' }] }) },
        { type: 'json', body: chatCompletion({ content: 'It is sunny in Paris.' }) },
      );
      const tools: OpenAI.ChatCompletionTool[] = [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      ];
      const first = await client.chat.completions.create({ model: 'gpt-4o', messages: question, tools });
      const call = first.choices[0]!.message.tool_calls![0]!;
      assert.equal(first.choices[0]!.finish_reason, 'tool_calls');
      assert.equal(call.type === 'function' && call.function.arguments, '{"city":"Paris"}');
      const second = await client.chat.completions.create({
        model: 'gpt-4o',
        tools,
        messages: [...question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
      });
      assert.equal(second.choices[0]!.message.content, 'It is sunny in Paris.');
      assert.deepEqual(fake.calls[1]!.body.messages.at(-1), { role: 'tool', tool_call_id: 'call_abc', content: 'sunny' });
    });

    it('should work with the 4.x SDK', async () => {
      const completion = await app.clientV4().chat.completions.create({ model: 'gpt-4o', messages: question });
      assert.equal(completion.choices[0]?.message.content, 'Hello from the fake upstream.');
    });
  });

  describe('streaming', () => {
    it('should relay the chunks and drop the usage chunk the client did not ask for', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: question, stream: true });
      let text = '';
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
      }
      assert.equal(text, 'Hello from the fake upstream.');
      assert.ok(chunks.every((c) => c.choices.length > 0 && !c.usage), 'no usage chunk reaches the client');
      assert.deepEqual(fake.calls[0]!.body.stream_options, { include_usage: true });
    });

    it('should end with the usage chunk when the client asks for it', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: question,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.total_tokens, 17);
    });

    it('should frame every chunk as one SSE data event and end with [DONE]', async () => {
      const res = await fetch(`${app.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test-tenant-a-0001', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: question, stream: true }),
      });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.ok(res.headers.get('x-request-id'));
      const text = await res.text();
      const events = text.split('\n\n').filter(Boolean);
      assert.ok(events.every((e) => e.startsWith('data: ') && !e.includes('\n')));
      assert.equal(events.at(-1), 'data: [DONE]');
    });

    it('should accumulate streamed tool calls for the SDK helper', async () => {
      fake.enqueue(CHAT, {
        type: 'sse',
        chunks: chatChunks({ toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"capital of France"}' }], usage: {} }),
      });
      const final = await client.chat.completions
        .stream({ model: 'gpt-4o', messages: question, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] })
        .finalChatCompletion();
      const call = final.choices[0]!.message.tool_calls![0]!;
      assert.equal(call.type === 'function' && call.function.arguments, '{"q":"capital of France"}');
    });

    it('should end a stream that breaks midway with an error, not a hang', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['a', 'b', 'c', 'd'] }), breakAfter: 2 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: question, stream: true });
      await assert.rejects(async () => {
        for await (const _ of stream) void _;
      }, OpenAI.APIError);
    });

    it('should abort the upstream request when the client disconnects', async () => {
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: 'gpt-4o', messages: question, stream: true },
        { signal: controller.signal },
      );
      handle.write(chatChunks({ content: ['Hel'] })[0]);
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      controller.abort();
      await Promise.race([
        handle.aborted,
        new Promise((_, reject) => setTimeout(() => reject(new Error('upstream was not aborted')), 5000)),
      ]);
      assert.equal(handle.isAborted(), true);
    });
  });

  describe('validation and errors', () => {
    it('should answer 400 with the param for a bad temperature', async () => {
      const err = await client.chat.completions
        .create({ model: 'gpt-4o', messages: question, temperature: 3 })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.param, 'temperature');
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(fake.calls.length, 0);
    });

    it('should answer 400 for missing messages', async () => {
      const { res, json } = await rawPost(app, '/chat/completions', JSON.stringify({ model: 'gpt-4o' }));
      assert.equal(res.status, 400);
      assert.equal(json.error.param, 'messages');
    });

    it('should answer 400 for malformed JSON', async () => {
      const { res, json } = await rawPost(app, '/chat/completions', '{"model": "gpt-4o", "messages": [');
      assert.equal(res.status, 400);
      assert.equal(json.error.type, 'invalid_request_error');
      assert.match(json.error.message, /could not parse the JSON body/);
      assert.equal(json.error.param, null);
      assert.equal(json.error.code, null);
    });

    it('should answer 413 for a body over the limit', async () => {
      const big = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(200_000) }] });
      const { res, json } = await rawPost(app, '/chat/completions', big);
      assert.equal(res.status, 413);
      assert.equal(json.error.code, 'request_too_large');
    });

    it('should answer 404 in the OpenAI shape for unknown routes', async () => {
      const { res, json } = await rawPost(app, '/nothing/here', '{}');
      assert.equal(res.status, 404);
      assert.equal(json.error.message, 'Invalid URL (POST /v1/nothing/here)');
      assert.ok(res.headers.get('x-request-id'));
    });

    it('should pass an upstream 4xx through with its error body', async () => {
      fake.enqueue(CHAT, {
        type: 'error',
        status: 400,
        body: errorBody("'messages' must contain the word 'json'", 'invalid_request_error', 'bad_messages', 'messages'),
      });
      const err = await client.chat.completions.create({ model: 'gpt-4o', messages: question }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.code, 'bad_messages');
      assert.equal(err.param, 'messages');
      assert.match(err.message, /must contain the word/);
    });

    it('should pass an upstream 429 through', async () => {
      fake.enqueue(CHAT, { type: 'error', status: 429, body: errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded') });
      await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: question }), OpenAI.RateLimitError);
    });

    it('should turn an upstream 5xx into a 502', async () => {
      fake.enqueue(CHAT, { type: 'error', status: 503 });
      const err = await client.chat.completions.create({ model: 'gpt-4o', messages: question }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.InternalServerError);
      assert.equal(err.status, 502);
      assert.equal(err.type, 'upstream_error');
    });

    it('should retry a connection error before the first byte', async () => {
      fake.enqueue(CHAT, { type: 'destroy' });
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: question });
      assert.equal(completion.choices[0]?.message.content, 'Hello from the fake upstream.');
      assert.equal(fake.calls.length, 2);
    });

    it('should give up with a 502 after bounded retries', async () => {
      fake.enqueue(CHAT, { type: 'destroy' }, { type: 'destroy' }, { type: 'destroy' }, { type: 'destroy' });
      const err = await client.chat.completions.create({ model: 'gpt-4o', messages: question }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 502);
      assert.equal(fake.calls.length, 3);
    });
  });

  describe('keys', () => {
    it('should answer 401 invalid_api_key for a wrong key', async () => {
      const err = await app.client('sk-wrong-key').chat.completions.create({ model: 'gpt-4o', messages: question }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.equal(err.code, 'invalid_api_key');
    });

    it('should answer 401 when no key is sent', async () => {
      const res = await fetch(`${app.baseURL}/models`);
      assert.equal(res.status, 401);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'invalid_api_key');
    });
  });

  describe('models', () => {
    it('should list the upstream models', async () => {
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.ok(ids.includes('fake-model'));
    });

    it('should retrieve one model and 404 an unknown one', async () => {
      assert.equal((await client.models.retrieve('fake-model')).id, 'fake-model');
      await assert.rejects(client.models.retrieve('no-such-model'), OpenAI.NotFoundError);
    });
  });

  it('should answer /health', async () => {
    const res = await fetch(`${app.url}/health`);
    assert.equal(res.status, 200);
  });
});

describe('upstream timeouts', () => {
  it('should answer 504 when the upstream does not answer in time', async () => {
    const fake = await startFakeUpstream();
    const app = await createTestApp({
      yaml: `providers:\n  slow:\n    base_url: ${fake.url}\n    timeout_ms: 300\n`,
    });
    try {
      fake.enqueue(CHAT, { type: 'hang' });
      const err = await app.client().chat.completions.create({ model: 'gpt-4o', messages: question }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 504);
    } finally {
      await app.close();
      await fake.close();
    }
  });
});

describe('routing', () => {
  it('should say how to add a model when none is configured', async () => {
    const app = await createTestApp();
    try {
      const err = await app.client().chat.completions.create({ model: 'gpt-4o', messages: question }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.NotFoundError);
      assert.equal(err.code, 'model_not_found');
      assert.match(err.message, /SWITCHBOARD_UPSTREAM_URL/);
    } finally {
      await app.close();
    }
  });

  it('should route exact names, aliases and provider/model prefixes', async () => {
    const a = await startFakeUpstream();
    const b = await startFakeUpstream();
    const app = await createTestApp({
      yaml: [
        'providers:',
        `  alpha: { base_url: "${a.url}", api_key: key-a }`,
        `  beta: { base_url: "${b.url}", api_key: key-b }`,
        'default_provider: alpha',
        'models:',
        '  big: { provider: beta, model: upstream-big }',
        'aliases:',
        '  fast: big',
      ].join('\n'),
    });
    try {
      const c = app.client();
      await c.chat.completions.create({ model: 'fast', messages: question });
      await c.chat.completions.create({ model: 'beta/other-model', messages: question });
      await c.chat.completions.create({ model: 'anything', messages: question });
      assert.deepEqual(
        b.calls.map((x) => [x.body.model, x.headers.authorization]),
        [
          ['upstream-big', 'Bearer key-b'],
          ['other-model', 'Bearer key-b'],
        ],
      );
      assert.deepEqual(a.calls.map((x) => x.body.model), ['anything']);
    } finally {
      await app.close();
      await a.close();
      await b.close();
    }
  });
});
