import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenAICompatibleClient, UpstreamResponse } from '../providers/openai-compatible/client.js';
import type { Route } from '../providers/registry.js';
import { loadCounter } from '../metering/count-tokens.js';
import { createPromptFitter, DEFAULT_CONTEXT_WINDOW } from './context-window.js';

/** A prompt too large to fit every model: the fitter must find the model's window. */
const LARGE = 10_000;

/** An upstream whose GET /models answers with `data`, counting the calls. */
function upstream(data: unknown[]): OpenAICompatibleClient & { calls: number } {
  const client = {
    name: 'default',
    baseURL: 'http://127.0.0.1:1/v1',
    idleTimeoutMs: 60_000,
    calls: 0,
    async request() {
      client.calls++;
      return { statusCode: 200, body: { json: async () => ({ object: 'list', data }) } } as unknown as UpstreamResponse;
    },
    async close() {},
  };
  return client;
}

const routeTo = (provider: OpenAICompatibleClient) => ({
  route: (model: string): Route => ({ kind: 'upstream', model, upstreamModel: model, provider }),
});

describe('createPromptFitter', () => {
  it("should take the window from the upstream's max_model_len, less the reply and the tools", async () => {
    const client = upstream([{ id: 'qwen', object: 'model', max_model_len: 8192 }]);
    const fit = createPromptFitter({ config: { contextWindows: {} }, providers: routeTo(client) });
    const tools = [{ type: 'function' as const, function: { name: 'lookup' } }];
    const budget = await fit({ model: 'qwen', maxTokens: 1000, tools, promptTokens: LARGE });
    assert.equal(budget, 8192 - 1000 - (await loadCounter())(JSON.stringify(tools)));
    await fit({ model: 'qwen', maxTokens: null, promptTokens: LARGE });
    assert.equal(client.calls, 1, 'the metadata is cached');
  });

  it('should not ask the upstream about a prompt that fits any model', async () => {
    const client = upstream([{ id: 'qwen', max_model_len: 8192 }]);
    const fit = createPromptFitter({ config: { contextWindows: {} }, providers: routeTo(client) });
    assert.equal(await fit({ model: 'qwen', maxTokens: null, promptTokens: 100 }), DEFAULT_CONTEXT_WINDOW - 4096);
    assert.equal(client.calls, 0);
  });

  it('should prefer the YAML context_windows', async () => {
    const fit = createPromptFitter({ config: { contextWindows: { qwen: 4096 } }, providers: routeTo(upstream([{ id: 'qwen', max_model_len: 8192 }])) });
    assert.equal(await fit({ model: 'qwen', maxTokens: null, promptTokens: LARGE }), 4096 - 1024);
  });

  it('should fall back to the default window when nothing tells', async () => {
    const fit = createPromptFitter({ config: { contextWindows: {} }, providers: routeTo(upstream([{ id: 'gpt-4o' }])) });
    assert.equal(await fit({ model: 'gpt-4o', maxTokens: null, promptTokens: LARGE }), DEFAULT_CONTEXT_WINDOW - 4096);
  });
});
