import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toInputItems, type InputItemIdPrefix, type RequestInput } from './response-input-items.js';

/** Ids `msg_1`, `fc_2`…: one counter, so the test sees which item asked for which prefix, in order. */
function ids() {
  let n = 0;
  return (prefix: InputItemIdPrefix) => `${prefix}_${++n}`;
}

describe('toInputItems', () => {
  it('should make a string input one completed user message with one input_text', () => {
    assert.deepEqual(toInputItems('Hello', ids()), [
      { id: 'msg_1', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'Hello' }] },
    ]);
  });

  it('should give messages ids and status, string content one text part, and images their detail', () => {
    const input: RequestInput = [
      { role: 'system', content: 'Be brief.' },
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Cite.' }] },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is this?' },
          { type: 'input_image', image_url: 'https://example.com/a.png' },
        ],
      },
    ];
    assert.deepEqual(toInputItems(input, ids()), [
      { id: 'msg_1', type: 'message', role: 'system', status: 'completed', content: [{ type: 'input_text', text: 'Be brief.' }] },
      { id: 'msg_2', type: 'message', role: 'developer', status: 'completed', content: [{ type: 'input_text', text: 'Cite.' }] },
      {
        id: 'msg_3',
        type: 'message',
        role: 'user',
        status: 'completed',
        content: [
          { type: 'input_text', text: 'What is this?' },
          { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' },
        ],
      },
    ]);
  });

  it('should list an assistant turn as an output message, keeping the id and phase it came with', () => {
    const input: RequestInput = [
      { role: 'assistant', content: 'Hi!' },
      {
        id: 'msg_abc',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        phase: 'final_answer',
        content: [{ type: 'output_text', text: 'Hello', annotations: [] }, { type: 'refusal', refusal: 'No.' }],
      },
    ];
    assert.deepEqual(toInputItems(input, ids()), [
      { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi!', annotations: [] }] },
      {
        id: 'msg_abc',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        phase: 'final_answer',
        content: [{ type: 'output_text', text: 'Hello', annotations: [] }, { type: 'refusal', refusal: 'No.' }],
      },
    ]);
  });

  it('should give function calls and their outputs ids and a status, keeping the ones they came with', () => {
    const input: RequestInput = [
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', id: 'fc_given', call_id: 'call_2', name: 'f', arguments: '{}', status: 'incomplete' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
      { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'ok' }] },
    ];
    assert.deepEqual(toInputItems(input, ids()), [
      { type: 'function_call', id: 'fc_1', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', id: 'fc_given', call_id: 'call_2', name: 'f', arguments: '{}', status: 'incomplete' },
      { type: 'function_call_output', id: 'fc_2', status: 'completed', call_id: 'call_1', output: '{"temp":21}' },
      { type: 'function_call_output', id: 'fc_3', status: 'completed', call_id: 'call_2', output: [{ type: 'input_text', text: 'ok' }] },
    ]);
  });

  it('should leave item references for the service to resolve, and earlier output items as they came', () => {
    const input: RequestInput = [
      { type: 'item_reference', id: 'msg_stored' },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAA' },
      { type: 'file_search_call', id: 'fs_1', queries: ['dragons'], status: 'completed' },
    ];
    assert.deepEqual(toInputItems(structuredClone(input), ids()), input);
  });

  it('should type an item reference sent without type', () => {
    assert.deepEqual(toInputItems([{ id: 'msg_stored' }, { type: null, id: 'fc_stored' }], ids()), [
      { type: 'item_reference', id: 'msg_stored' },
      { type: 'item_reference', id: 'fc_stored' },
    ]);
  });
});
