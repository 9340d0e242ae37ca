import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamPart } from '../providers/chat-model.js';
import { ChatChunkEncoder, toWireFinishReason } from './chat-chunks.js';

const usage = { promptTokens: 7, completionTokens: 3, totalTokens: 10, cachedTokens: 2, reasoningTokens: 0 };

describe('ChatChunkEncoder', () => {
  const encoder = new ChatChunkEncoder({ id: 'chatcmpl-1', created: 100, model: 'local', includeUsage: false });

  it('should open a choice with the assistant role and stream content deltas', () => {
    assert.deepEqual(encoder.start(0), {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 100,
      model: 'local',
      choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
    });
    assert.deepEqual(encoder.part(1, { type: 'text-delta', delta: 'Hi' })?.choices, [
      { index: 1, delta: { content: 'Hi' }, logprobs: null, finish_reason: null },
    ]);
    assert.equal(encoder.part(0, { type: 'text-delta', delta: '' }), null);
  });

  it("should send a choice's annotations in one delta of their own", () => {
    const annotations = [{ type: 'url_citation' as const, url_citation: { start_index: 0, end_index: 2, title: 'a.txt', url: 'http://h/v1/files/f/content' } }];
    assert.deepEqual(encoder.annotations(0, annotations).choices, [{ index: 0, delta: { annotations }, logprobs: null, finish_reason: null }]);
  });

  it('should stream a tool call as its id, type and name first, then argument pieces', () => {
    const parts: StreamPart[] = [
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', argumentsDelta: '{"a":' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', argumentsDelta: '1}' },
      { type: 'tool-call', index: 0, id: 'call_1', name: 'f', arguments: '{"a":1}' },
      { type: 'finish', finishReason: 'tool_calls', usage },
    ];
    const deltas = parts.map((p) => encoder.part(0, p)?.choices[0]);
    assert.deepEqual(deltas[0]?.delta, { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] });
    assert.deepEqual(deltas[1]?.delta, { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] });
    assert.equal(deltas[3], undefined, 'the complete call was already streamed');
    assert.deepEqual(deltas[4], { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' });
  });

  it('should put usage: null on every chunk and end with a usage chunk when include_usage is set', () => {
    const withUsage = new ChatChunkEncoder({ id: 'chatcmpl-2', created: 1, model: 'm', includeUsage: true });
    assert.equal(withUsage.start(0).usage, null);
    assert.equal('usage' in encoder.start(0), false);
    const last = withUsage.usage(usage);
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 7,
      completion_tokens: 3,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it("should open a choice on its first part: the role chunk before text, and no second one after start()", () => {
    const lazy = new ChatChunkEncoder({ id: 'chatcmpl-3', created: 1, model: 'm', includeUsage: false });
    assert.deepEqual(lazy.chunks(0, { type: 'text-delta', delta: '' }), [], 'an empty delta opens nothing');
    assert.deepEqual(
      lazy.chunks(0, { type: 'text-delta', delta: 'Hi' }).map((c) => c.choices[0]?.delta),
      [{ role: 'assistant', content: '', refusal: null }, { content: 'Hi' }],
    );
    assert.deepEqual(lazy.chunks(0, { type: 'text-delta', delta: '!' }).map((c) => c.choices[0]?.delta), [{ content: '!' }]);
    lazy.start(1);
    assert.deepEqual(lazy.chunks(1, { type: 'finish', finishReason: 'stop', usage }).map((c) => c.choices[0]?.finish_reason), ['stop']);
  });

  it('should put the role in the first tool-call delta with content null, as OpenAI does', () => {
    const lazy = new ChatChunkEncoder({ id: 'chatcmpl-4', created: 1, model: 'm', includeUsage: false });
    const chunks = lazy.chunks(0, { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' });
    assert.deepEqual(chunks.map((c) => c.choices[0]?.delta), [
      { role: 'assistant', content: null, refusal: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] },
    ]);
  });

  it('should map finish reasons OpenAI does not have to stop', () => {
    assert.equal(toWireFinishReason('length'), 'length');
    assert.equal(toWireFinishReason('other'), 'stop');
    assert.equal(toWireFinishReason('error'), 'stop');
  });
});
