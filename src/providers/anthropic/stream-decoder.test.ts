import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamPart } from '../chat-model.js';
import { ProviderError } from '../provider-error.js';
import { createEventDecoder } from './stream-decoder.js';

function decode(events: unknown[]): StreamPart[] {
  const d = createEventDecoder('claude');
  for (const e of events) d.event(JSON.stringify(e));
  return d.state.parts;
}

const start = (usage: object = { input_tokens: 10, output_tokens: 1 }) => ({
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-x', usage },
});

describe('anthropic stream decoder', () => {
  it('should turn text deltas into text parts and end_turn into stop with usage', () => {
    const parts = decode([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } },
      { type: 'message_stop' },
    ]);
    assert.deepEqual(parts, [
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: 'lo' },
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it('should count cache reads and writes into the prompt and cache reads as cached tokens', () => {
    const parts = decode([
      start({ input_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 1 }),
      { type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 4 } },
      { type: 'message_stop' },
    ]);
    assert.deepEqual(parts.at(-1), {
      type: 'finish',
      finishReason: 'length',
      usage: { promptTokens: 123, completionTokens: 4, totalTokens: 127, cachedTokens: 100, reasoningTokens: 0 },
    });
  });

  it('should stream tool_use blocks as tool calls numbered in order, with their input_json_delta', () => {
    const parts = decode([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'Checking.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ]);
    assert.deepEqual(parts.slice(0, -1), [
      { type: 'text-delta', delta: 'Checking.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, id: 'toolu_1', argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, id: 'toolu_1', argumentsDelta: '"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_2', name: 'get_time' },
      { type: 'tool-call', index: 0, id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', index: 1, id: 'toolu_2', name: 'get_time', arguments: '{}' },
    ]);
    assert.equal((parts.at(-1) as { finishReason: string }).finishReason, 'tool_calls');
  });

  it('should end with an error part carrying the status of an error event', () => {
    const parts = decode([
      start(),
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'late' } },
    ]);
    assert.equal(parts.length, 1);
    const last = parts[0];
    assert.ok(last?.type === 'error' && last.error instanceof ProviderError);
    assert.equal(last.error.statusCode, 529);
    assert.match(last.error.message, /Overloaded/);
  });

  it('should stream thinking blocks as reasoning parts, skipping signatures, redacted thinking and unknown events', () => {
    const parts = decode([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm, ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'yes' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'xyz' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Yes.' } },
      { type: 'something_new' },
      { type: 'message_delta', delta: { stop_reason: 'stop_sequence' }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ]);
    assert.deepEqual(parts.slice(0, -1), [
      { type: 'reasoning-delta', delta: 'hmm, ' },
      { type: 'reasoning-delta', delta: 'yes' },
      { type: 'text-delta', delta: 'Yes.' },
    ]);
    assert.equal((parts.at(-1) as { finishReason: string }).finishReason, 'stop');
  });
});
