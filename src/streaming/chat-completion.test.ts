import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { buildChatCompletion } from './chat-completion.js';

const base = { id: 'chatcmpl-1', created: 1_700_000_000, model: 'm' };
const usage = { promptTokens: 7, completionTokens: 3, totalTokens: 10, cachedTokens: 2, reasoningTokens: 1 };
const citation: ChatCompletionMessage.Annotation = {
  type: 'url_citation',
  url_citation: { url: 'http://x/v1/files/file-1/content', title: 'a.txt', start_index: 0, end_index: 3 },
};

describe('buildChatCompletion', () => {
  it('should build a text answer in OpenAI shape, with refusal null and empty annotations', () => {
    const c = buildChatCompletion({ ...base, answers: [{ text: 'Hi!', finishReason: 'stop' }], usage: null });
    assert.deepEqual(c, {
      ...base,
      object: 'chat.completion',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi!', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
      ],
    });
    assert.equal('usage' in c, false);
  });

  it('should put tool calls beside null content when the model wrote no text', () => {
    const c = buildChatCompletion({
      ...base,
      answers: [{ text: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }], finishReason: 'tool_calls' }],
      usage: null,
    });
    assert.deepEqual(c.choices[0]!.message, {
      role: 'assistant',
      content: null,
      refusal: null,
      annotations: [],
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
  });

  it('should keep text written beside tool calls, and an empty text without them', () => {
    const c = buildChatCompletion({
      ...base,
      answers: [
        { text: 'Let me check.', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }], finishReason: 'tool_calls' },
        { text: '', toolCalls: [], finishReason: 'stop' },
      ],
      usage: null,
    });
    assert.equal(c.choices[0]!.message.content, 'Let me check.');
    assert.equal(c.choices[1]!.message.content, '');
    assert.equal('tool_calls' in c.choices[1]!.message, false);
  });

  it("should carry the answer's annotations", () => {
    const c = buildChatCompletion({ ...base, answers: [{ text: 'abc', annotations: [citation], finishReason: 'stop' }], usage: null });
    assert.deepEqual(c.choices[0]!.message.annotations, [citation]);
  });

  it('should number the choices in order and map finish reasons to the wire', () => {
    const c = buildChatCompletion({
      ...base,
      answers: [
        { text: 'a', finishReason: 'length' },
        { text: 'b', finishReason: 'other' },
      ],
      usage: null,
    });
    assert.deepEqual(
      c.choices.map((ch) => [ch.index, ch.message.content, ch.finish_reason]),
      [
        [0, 'a', 'length'],
        [1, 'b', 'stop'],
      ],
    );
  });

  it('should write the usage with its token details', () => {
    const c = buildChatCompletion({ ...base, answers: [{ text: 'a', finishReason: 'stop' }], usage });
    assert.deepEqual(c.usage, {
      prompt_tokens: 7,
      completion_tokens: 3,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 1, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });
});
