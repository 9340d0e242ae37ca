import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCallOptions, ModelTool } from '../chat-model.js';
import { DEFAULT_MAX_TOKENS, requestBody } from './convert-messages.js';

const hi: ChatCallOptions = { messages: [{ role: 'user', content: 'Hi' }] };
const tool: ModelTool = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } };

describe('anthropic thinking from reasoningEffort', () => {
  it('should send no thinking when the call names no effort, or none', () => {
    assert.equal(requestBody('m', hi).thinking, undefined);
    assert.equal(requestBody('m', { ...hi, reasoningEffort: 'none' }).thinking, undefined);
  });

  it('should map each effort to its budget, on top of the default max_tokens, leaving sampling out', () => {
    const budgets = ['minimal', 'low', 'medium', 'high', 'xhigh'].map((effort) => {
      const body = requestBody('m', { ...hi, reasoningEffort: effort, temperature: 0.2, topP: 0.5 });
      assert.equal(body.max_tokens, (body.thinking?.budget_tokens ?? 0) + DEFAULT_MAX_TOKENS);
      assert.deepEqual([body.temperature, body.top_p], [undefined, undefined]);
      return body.thinking;
    });
    assert.deepEqual(
      budgets,
      [1024, 1024, 8192, 24576, 32768].map((budget_tokens) => ({ type: 'enabled', budget_tokens })),
    );
  });

  it('should keep the budget under the client max_tokens, and send none when the cap is under the minimum', () => {
    const capped = requestBody('m', { ...hi, reasoningEffort: 'high', maxTokens: 5000 });
    assert.deepEqual([capped.thinking, capped.max_tokens], [{ type: 'enabled', budget_tokens: 4999 }, 5000]);
    const small = requestBody('m', { ...hi, reasoningEffort: 'high', maxTokens: 1000, temperature: 0.3 });
    assert.deepEqual([small.thinking, small.max_tokens, small.temperature], [undefined, 1000, 0.3]);
  });

  it('should send no thinking with a forced tool, or when the prompt continues a tool-use turn', () => {
    assert.equal(requestBody('m', { ...hi, reasoningEffort: 'low', tools: [tool], toolChoice: 'required' }).thinking, undefined);
    const continued: ChatCallOptions = {
      reasoningEffort: 'low',
      tools: [tool],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ],
    };
    assert.equal(requestBody('m', continued).thinking, undefined);
    assert.deepEqual(requestBody('m', { ...continued, messages: [...continued.messages, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'Again' }] }).thinking, {
      type: 'enabled',
      budget_tokens: 1024,
    });
  });
});
