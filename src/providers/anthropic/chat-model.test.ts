import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { messageEvents, startFakeAnthropic, type FakeAnthropic } from '../../../test/fakes/fake-anthropic.js';
import type { ProviderConfig } from '../../config.js';
import type { ChatCallOptions, StreamPart } from '../chat-model.js';
import type { OpenAICompatibleClient } from '../openai-compatible/client.js';
import { ProviderError } from '../provider-error.js';
import { createAnthropicChatModel } from './chat-model.js';
import { createAnthropicClient } from './provider.js';

const hello: ChatCallOptions = { messages: [{ role: 'user', content: 'Hi' }] };

function config(baseURL: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    name: 'claude',
    type: 'anthropic',
    base_url: baseURL,
    api_key: 'sk-ant',
    headers: {},
    timeout_ms: 5_000,
    idle_timeout_ms: 5_000,
    connect_timeout_ms: 1_000,
    max_retries: 0,
    connections: 4,
    models: [],
    ...extra,
  };
}

async function readAll(stream: ReadableStream<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('createAnthropicChatModel', () => {
  let fake: FakeAnthropic;
  let client: OpenAICompatibleClient;
  before(async () => {
    fake = await startFakeAnthropic();
    client = createAnthropicClient(config(fake.url, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } }));
  });
  after(async () => {
    await client.close();
    await fake.close();
  });

  it('should send configured headers beside x-api-key and anthropic-version', async () => {
    await createAnthropicChatModel({ client, modelId: 'claude-x' }).generate(hello);
    const h = fake.calls.at(-1)!.headers;
    assert.deepEqual([h['x-api-key'], h['anthropic-version'], h['anthropic-beta']], ['sk-ant', '2023-06-01', 'prompt-caching-2024-07-31']);
  });

  it('should report usage once through onUsage when the message ends', async () => {
    const seen: number[] = [];
    await createAnthropicChatModel({ client, modelId: 'claude-x' }).generate({ ...hello, onUsage: (u) => seen.push(u.totalTokens) });
    assert.deepEqual(seen, [19]);
  });

  it('should end with a stream error when the body ends before message_stop', async () => {
    fake.enqueue({ type: 'events', events: messageEvents({}).slice(0, 4) });
    const { stream } = await createAnthropicChatModel({ client, modelId: 'claude-x' }).stream(hello);
    const parts = await readAll(stream);
    const last = parts.at(-1);
    assert.ok(last?.type === 'error' && last.error instanceof ProviderError && last.error.kind === 'stream');
    assert.match(last.error.message, /before message_stop/);
  });

  it('should reject stream() with a ProviderError carrying Anthropic status and message', async () => {
    fake.enqueue({ type: 'error', status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } });
    await assert.rejects(createAnthropicChatModel({ client, modelId: 'claude-x' }).stream(hello), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.statusCode, 401);
      assert.match(err.message, /invalid x-api-key/);
      return true;
    });
  });

  it('should reject stream() with a connect ProviderError when nothing listens', async () => {
    const down = createAnthropicClient(config('http://127.0.0.1:1'));
    try {
      await assert.rejects(
        createAnthropicChatModel({ client: down, modelId: 'm' }).stream(hello),
        (err: unknown) => err instanceof ProviderError && err.kind === 'connect',
      );
    } finally {
      await down.close();
    }
  });
});
