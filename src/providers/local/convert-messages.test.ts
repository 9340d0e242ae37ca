import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import { toChatHistory } from './convert-messages.js';

const call = (id: string, name: string, args: string) => ({ id, type: 'function' as const, function: { name, arguments: args } });

describe('toChatHistory', () => {
  it('should map system and user messages and end with an empty model turn to fill', () => {
    assert.deepEqual(
      toChatHistory([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'there' }] },
      ]),
      [
        { type: 'system', text: 'Be brief.' },
        { type: 'user', text: 'Hi\nthere' },
        { type: 'model', response: [] },
      ],
    );
  });

  it('should fold tool results into the calls of their assistant turn, and continue that turn', () => {
    const history = toChatHistory([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: null, tool_calls: [call('c1', 'weather', '{"city":"Paris"}'), call('c2', 'weather', 'not json')] },
      { role: 'tool', tool_call_id: 'c2', content: 'rain' },
      { role: 'tool', tool_call_id: 'c1', content: 'sun' },
    ]);
    assert.deepEqual(history, [
      { type: 'user', text: 'Weather in Paris and Rome?' },
      {
        type: 'model',
        response: [
          { type: 'functionCall', name: 'weather', params: { city: 'Paris' }, result: 'sun', startsNewChunk: true },
          { type: 'functionCall', name: 'weather', params: 'not json', result: 'rain', startsNewChunk: false },
        ],
      },
    ]);
  });

  it('should keep the text answer after tool results in the same model turn, then start a new one', () => {
    const history = toChatHistory([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Let me look.', tool_calls: [call('c1', 'weather', '{}')] },
      { role: 'tool', tool_call_id: 'c1', content: 'sun' },
      { role: 'assistant', content: 'Sunny.' },
    ]);
    assert.equal(history.length, 3);
    const [, turn, next] = history;
    assert.deepEqual(turn, {
      type: 'model',
      response: ['Let me look.', { type: 'functionCall', name: 'weather', params: {}, result: 'sun', startsNewChunk: true }, 'Sunny.'],
    });
    assert.deepEqual(next, { type: 'model', response: [] });
  });

  it('should keep a tool result whose call is unknown as a user turn', () => {
    const history = toChatHistory([
      { role: 'user', content: 'Hi' },
      { role: 'tool', tool_call_id: 'c9', content: '42' },
    ]);
    assert.deepEqual(history[1], { type: 'user', text: 'Result of tool call c9:\n42' });
  });

  it('should refuse image inputs with a 400', () => {
    assert.throws(
      () => toChatHistory([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }]),
      (err: unknown) => err instanceof ApiError && err.status === 400 && err.param === 'messages',
    );
  });
});
