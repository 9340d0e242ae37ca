import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chatChunks } from '../../../test/fakes/chunks.js';
import { controlledStream, startFakeUpstream } from '../../../test/fakes/fake-upstream.js';
import type { FakeUpstream } from '../../../test/fakes/fake-upstream.js';
import type { ProviderConfig } from '../../config.js';
import type { ChatCallOptions, StreamPart } from '../chat-model.js';
import { createOpenAICompatibleChatModel } from './chat-model.js';
import { createOpenAICompatible } from './client.js';
import type { OpenAICompatibleClient } from './client.js';
import { convertMessages } from './convert-messages.js';
import { ProviderError } from '../provider-error.js';
import { mapFinishReason } from './map-finish-reason.js';

const CHAT = '/v1/chat/completions';
const hello: ChatCallOptions = { messages: [{ role: 'user', content: 'Hi' }] };

function providerConfig(baseURL: string): ProviderConfig {
  return {
    name: 'fake',
    type: 'openai-compatible',
    base_url: baseURL,
    headers: {},
    timeout_ms: 5_000,
    idle_timeout_ms: 5_000,
    connect_timeout_ms: 1_000,
    max_retries: 0,
    connections: 4,
    models: [],
  };
}

async function readAll(stream: ReadableStream<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return parts;
    parts.push(value);
  }
}

describe('createOpenAICompatibleChatModel', () => {
  let fake: FakeUpstream;
  let client: OpenAICompatibleClient;
  const model = () => createOpenAICompatibleChatModel({ client, modelId: 'fake-model' });
  const lastBody = () => fake.calls.at(-1)?.body as Record<string, unknown>;

  before(async () => {
    fake = await startFakeUpstream();
    client = createOpenAICompatible(providerConfig(fake.url));
  });
  after(async () => {
    await client.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('should stream text deltas and then a finish part', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Hello', ', ', 'world.'], usage: {} }) });
    const parts = await readAll((await model().stream(hello)).stream);
    assert.deepEqual(
      parts.filter((p) => p.type === 'text-delta').map((p) => p.delta),
      ['Hello', ', ', 'world.'],
    );
    const last = parts.at(-1);
    assert.equal(last?.type, 'finish');
    assert.equal(last.type === 'finish' && last.finishReason, 'stop');
  });

  it('should stream reasoning_content deltas as reasoning parts before the text', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ reasoning: ['Think', 'ing.'], content: ['Yes.'], usage: {} }) });
    const parts = await readAll((await model().stream(hello)).stream);
    assert.deepEqual(parts.slice(0, 3), [
      { type: 'reasoning-delta', delta: 'Think' },
      { type: 'reasoning-delta', delta: 'ing.' },
      { type: 'text-delta', delta: 'Yes.' },
    ]);
  });

  it('should read Ollama and OpenRouter style `reasoning` deltas as reasoning parts', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ reasoning: ['Hmm.'], reasoningField: 'reasoning', content: ['No.'], usage: {} }) });
    const parts = await readAll((await model().stream(hello)).stream);
    assert.deepEqual(parts.slice(0, 2), [
      { type: 'reasoning-delta', delta: 'Hmm.' },
      { type: 'text-delta', delta: 'No.' },
    ]);
  });

  it('should ask for logprobs (and top_logprobs) only when the call does, and carry them on the text parts', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Hi', '!'], logprobs: { top: 2 }, usage: {} }) }, { type: 'sse', chunks: chatChunks({ usage: {} }) });
    const parts = await readAll((await model().stream({ ...hello, logprobs: true, topLogprobs: 2 })).stream);
    assert.deepEqual([lastBody().logprobs, lastBody().top_logprobs], [true, 2]);
    assert.deepEqual(parts[0], {
      type: 'text-delta',
      delta: 'Hi',
      logprobs: [
        {
          token: 'Hi',
          logprob: -0.1,
          bytes: [72, 105],
          top: [
            { token: 'Hi', logprob: -0.1, bytes: [72, 105] },
            { token: 'alt1', logprob: -1.1, bytes: [97, 108, 116, 49] },
          ],
        },
      ],
    });
    await model().generate(hello);
    assert.deepEqual(['logprobs' in lastBody(), 'top_logprobs' in lastBody()], [false, false]);
  });

  it('should collect the stream in generate()', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'One two three four five.', usage: {} }) });
    const result = await model().generate(hello);
    assert.equal(result.text, 'One two three four five.');
    assert.deepEqual(result.toolCalls, []);
    assert.equal(result.finishReason, 'stop');
  });

  it('should stream two parallel tool calls and finish with tool_calls', async () => {
    const toolCalls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
      { id: 'call_2', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
    ];
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls, usage: {} }) });
    const parts = await readAll((await model().stream(hello)).stream);
    assert.deepEqual(
      parts.filter((p) => p.type === 'tool-call-start'),
      [
        { type: 'tool-call-start', index: 0, id: 'call_1', name: 'get_weather' },
        { type: 'tool-call-start', index: 1, id: 'call_2', name: 'get_time' },
      ],
    );
    const joined = (index: number) =>
      parts.map((p) => (p.type === 'tool-call-delta' && p.index === index ? p.argumentsDelta : '')).join('');
    assert.equal(joined(0), toolCalls[0]?.arguments);
    assert.equal(joined(1), toolCalls[1]?.arguments);
    assert.deepEqual(
      parts.filter((p) => p.type === 'tool-call'),
      toolCalls.map((tc, index) => ({ type: 'tool-call', index, ...tc })),
    );
    const last = parts.at(-1);
    assert.equal(last?.type === 'finish' && last.finishReason, 'tool_calls');
  });

  it('should map the usage chunk, with cached and reasoning tokens', async () => {
    const usage = {
      prompt_tokens: 12,
      completion_tokens: 5,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    };
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Hi.', usage }) });
    const result = await model().generate(hello);
    assert.deepEqual(result.usage, {
      promptTokens: 12,
      completionTokens: 5,
      totalTokens: 17,
      cachedTokens: 4,
      reasoningTokens: 2,
    });
  });

  it('should finish with usage null when the upstream sends no usage chunk', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Hi.', includeUsage: false }) });
    assert.equal((await model().generate(hello)).usage, null);
  });

  it('should send a streaming request with usage and without tool fields when there are no tools', async () => {
    await model().generate({ ...hello, tools: [], toolChoice: 'auto', parallelToolCalls: false });
    assert.deepEqual(lastBody(), {
      model: 'fake-model',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('should map the call options to OpenAI request fields', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'add', parameters: { type: 'object' } } }];
    const responseFormat = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
    await model().generate({
      ...hello,
      tools,
      toolChoice: { type: 'function', function: { name: 'add' } },
      parallelToolCalls: false,
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 64,
      responseFormat,
      reasoningEffort: 'low',
    });
    const body = lastBody();
    assert.deepEqual(body.tools, tools);
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'add' } });
    assert.equal(body.parallel_tool_calls, false);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.max_tokens, 64);
    assert.equal('max_completion_tokens' in body, false);
    assert.deepEqual(body.response_format, responseFormat);
    assert.equal(body.reasoning_effort, 'low');
  });

  it('should leave out options that are null', async () => {
    await model().generate({ ...hello, temperature: null, topP: null, maxTokens: null, reasoningEffort: null });
    const keys = Object.keys(lastBody());
    for (const k of ['temperature', 'top_p', 'max_tokens', 'reasoning_effort', 'response_format'])
      assert.equal(keys.includes(k), false, k);
  });

  it('should reject stream() with a ProviderError carrying status and body when the upstream answers 500', async () => {
    fake.enqueue(CHAT, { type: 'error', status: 500 });
    await assert.rejects(model().stream(hello), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.kind, 'response');
      assert.equal(err.statusCode, 500);
      assert.match(err.responseBody ?? '', /server_error/);
      assert.equal(err.isRetryable, true);
      return true;
    });
  });

  it('should reject stream() with a connect ProviderError when nothing listens', async () => {
    const down = createOpenAICompatible(providerConfig('http://127.0.0.1:1/v1'));
    try {
      await assert.rejects(
        createOpenAICompatibleChatModel({ client: down, modelId: 'm' }).stream(hello),
        (err: unknown) => err instanceof ProviderError && err.kind === 'connect',
      );
    } finally {
      await down.close();
    }
  });

  it('should end with an error part when the upstream connection breaks mid-stream', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['a', 'b', 'c'], usage: {} }), breakAfter: 2 });
    const parts = await readAll((await model().stream(hello)).stream);
    const last = parts.at(-1);
    assert.equal(last?.type, 'error');
    assert.ok(last.type === 'error' && last.error instanceof ProviderError && last.error.kind === 'stream');
    assert.equal(parts.some((p) => p.type === 'finish'), false);
  });

  it('should end with a timeout error naming idle_timeout_ms when the upstream goes silent mid-stream', async () => {
    const quiet = createOpenAICompatible({ ...providerConfig(fake.url), idle_timeout_ms: 200 });
    try {
      const handle = controlledStream();
      fake.enqueue(CHAT, { type: 'controlled', handle });
      handle.write(chatChunks({ content: ['Hel'] })[0]);
      const parts = await readAll((await createOpenAICompatibleChatModel({ client: quiet, modelId: 'fake-model' }).stream(hello)).stream);
      const last = parts.at(-1);
      assert.ok(last?.type === 'error' && last.error instanceof ProviderError);
      assert.equal(last.error.kind, 'timeout');
      assert.match(last.error.message, /sent nothing for 200 ms mid-stream \(idle_timeout_ms\)/);
      await handle.aborted;
    } finally {
      await quiet.close();
    }
  });

  it('should end with an error part when the body ends without [DONE]', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Hi.', usage: {} }), done: false });
    const parts = await readAll((await model().stream(hello)).stream);
    assert.equal(parts.at(-1)?.type, 'error');
  });

  it('should turn a mid-stream error event into an error part', async () => {
    const [first] = chatChunks({ content: 'Hi.' });
    const error = { error: { message: 'The model overloaded.', type: 'server_error', param: null, code: null } };
    fake.enqueue(CHAT, { type: 'sse', chunks: [first, error] });
    const parts = await readAll((await model().stream(hello)).stream);
    const last = parts.at(-1);
    assert.equal(last?.type, 'error');
    assert.match(last.type === 'error' ? last.error.message : '', /The model overloaded\./);
  });

  it('should make generate() reject with the error of an error part', async () => {
    fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Hi.' }), breakAfter: 1 });
    await assert.rejects(model().generate(hello), ProviderError);
  });

  it('should ignore fields it does not know', async () => {
    const chunks = chatChunks({ content: ['x'], usage: {} }).map((c) => ({
      ...c,
      extra: { nested: [1] },
      choices: c.choices.map((ch) => ({ ...ch, delta: { ...ch.delta, reasoning_content: 'hmm' }, stop_reason: 7 })),
    }));
    fake.enqueue(CHAT, { type: 'sse', chunks });
    assert.equal((await model().generate(hello)).text, 'x');
  });

  it('should abort the upstream call when the abort signal fires', async () => {
    const handle = controlledStream();
    fake.enqueue(CHAT, { type: 'controlled', handle });
    handle.write(chatChunks({ content: ['partial'] })[1]);
    const controller = new AbortController();
    const { stream } = await model().stream({ ...hello, abortSignal: controller.signal });
    const reader = stream.getReader();
    assert.deepEqual((await reader.read()).value, { type: 'text-delta', delta: 'partial' });
    controller.abort();
    await handle.aborted;
    const next = await reader.read();
    assert.equal(next.value?.type, 'error');
    assert.equal((await reader.read()).done, true);
  });

  it('should abort the upstream call when the reader cancels the stream', async () => {
    const handle = controlledStream();
    fake.enqueue(CHAT, { type: 'controlled', handle });
    handle.write(chatChunks({ content: ['partial'] })[1]);
    const { stream } = await model().stream(hello);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    await handle.aborted;
    assert.equal(handle.isAborted(), true);
  });
});

describe('mapFinishReason', () => {
  it('should map OpenAI finish reasons, function_call to tool_calls, and anything else to other', () => {
    assert.deepEqual(
      ['stop', 'length', 'tool_calls', 'content_filter', 'function_call', null, undefined, 'eos'].map(mapFinishReason),
      ['stop', 'length', 'tool_calls', 'content_filter', 'tool_calls', 'other', 'other', 'other'],
    );
  });
});

describe('convertMessages', () => {
  it('should pass messages through in the Chat Completions shape', () => {
    const toolCall = { id: 'call_1', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AA', detail: 'low' as const } };
    assert.deepEqual(
      convertMessages([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] },
        { role: 'assistant', content: null, tool_calls: [toolCall] },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
        { role: 'assistant', content: null },
      ]),
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] },
        { role: 'assistant', content: null, tool_calls: [toolCall] },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
        { role: 'assistant', content: '' },
      ],
    );
  });
});
