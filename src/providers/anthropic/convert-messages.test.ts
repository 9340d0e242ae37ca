import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelTool } from '../chat-model.js';
import { DEFAULT_MAX_TOKENS, convertMessages, convertToolChoice, requestBody } from './convert-messages.js';

const weather: ModelTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'The weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('anthropic convertMessages', () => {
  it('should lift system messages into the top-level system prompt', () => {
    const out = convertMessages([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Answer in French.' },
    ]);
    assert.equal(out.system, 'Be brief.\n\nAnswer in French.');
    assert.deepEqual(out.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  });

  it('should turn a base64 data URL and an http URL into image blocks', () => {
    const out = convertMessages([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
    assert.deepEqual(out.messages[0]?.content, [
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('should replay tool calls as tool_use blocks and merge consecutive tool results into one user turn', () => {
    const out = convertMessages([
      { role: 'user', content: 'Weather in Paris and Oslo?' },
      {
        role: 'assistant',
        content: 'Let me look.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: 'not json' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: 'rain' },
      { role: 'user', content: 'Thanks' },
    ]);
    assert.deepEqual(out.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'rain' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('should leave out empty text, which Anthropic refuses, and a turn left empty', () => {
    const out = convertMessages([
      { role: 'user', content: '' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'b' }] },
    ]);
    assert.deepEqual(out.messages, [
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
    ]);
  });

  it('should drop an empty assistant turn', () => {
    const out = convertMessages([{ role: 'user', content: 'a' }, { role: 'assistant', content: null }, { role: 'user', content: 'b' }]);
    assert.deepEqual(out.messages, [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });
});

describe('anthropic convertToolChoice', () => {
  it('should map auto, required, none and a named function', () => {
    assert.deepEqual(convertToolChoice('auto', undefined), { type: 'auto' });
    assert.deepEqual(convertToolChoice('required', undefined), { type: 'any' });
    assert.deepEqual(convertToolChoice('none', undefined), { type: 'none' });
    assert.deepEqual(convertToolChoice({ type: 'function', function: { name: 'f' } }, undefined), { type: 'tool', name: 'f' });
    assert.equal(convertToolChoice(undefined, undefined), undefined);
  });

  it('should turn parallel_tool_calls false into disable_parallel_tool_use', () => {
    assert.deepEqual(convertToolChoice(undefined, false), { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(convertToolChoice('required', false), { type: 'any', disable_parallel_tool_use: true });
  });
});

describe('anthropic requestBody', () => {
  it('should default max_tokens and send tools with input_schema, stop sequences and sampling', () => {
    const body = requestBody('claude-x', {
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [weather],
      toolChoice: 'required',
      stop: ['END'],
      temperature: 0.2,
      topP: 0.9,
    });
    assert.deepEqual(body, {
      model: 'claude-x',
      max_tokens: DEFAULT_MAX_TOKENS,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
      tools: [{ name: 'get_weather', description: 'The weather', input_schema: weather.function.parameters }],
      tool_choice: { type: 'any' },
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.9,
    });
  });

  it('should send the client max_tokens', () => {
    assert.equal(requestBody('m', { messages: [{ role: 'user', content: 'x' }], maxTokens: 77 }).max_tokens, 77);
  });
});
