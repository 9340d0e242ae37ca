import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateChatTokens, estimateTokens } from './rate-limit-estimate.js';

describe('estimateChatTokens', () => {
  it('should count 4 characters a token over roles, names and text, plus 3 a message and 3 for the reply', () => {
    const body = {
      messages: [
        { role: 'system', content: 'Be brief.' }, // 6 + 9
        { role: 'user', name: 'ann', content: [{ type: 'text', text: 'What is the capital of France?' }, { type: 'image_url' }] }, // 4 + 3 + 30
      ],
    };
    assert.equal(estimateChatTokens(body), Math.ceil(52 / 4) + 2 * 3 + 3);
  });

  it('should count tool calls and tools as their JSON text', () => {
    const tool_calls = [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }];
    const tools = [{ type: 'function', function: { name: 'f', parameters: {} } }];
    const chars = 'assistant'.length + JSON.stringify(tool_calls).length + JSON.stringify(tools).length;
    assert.equal(estimateChatTokens({ messages: [{ role: 'assistant', content: null, tool_calls }], tools }), Math.ceil(chars / 4) + 3 + 3);
  });

  it('should give a long prompt a proportionate count, and a body without messages the reply priming only', () => {
    assert.equal(estimateChatTokens({ messages: [{ role: 'user', content: 'word '.repeat(200) }] }), Math.ceil(1004 / 4) + 6);
    assert.equal(estimateChatTokens({}), 3);
  });
});

describe('estimateTokens', () => {
  it('should count the JSON text of each part, skipping missing ones', () => {
    assert.equal(estimateTokens('hello there', undefined, ['a', 'b']), Math.ceil((13 + 9) / 4));
  });
});
