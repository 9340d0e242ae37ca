import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import type { ResponseWireEvent } from './response-events.js';
import { ResponseEventJson } from './response-json.js';
import { toResponseObject, toResponseUsage, type ResponseState } from './response-object.js';
import type { ResponseRequest } from './response-object.js';

const request: ResponseRequest = {
  model: 'gpt-4o',
  instructions: 'Be brief.\nReally "brief".',
  tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }],
  metadata: { k: 'v' },
  store: false,
};
const state: ResponseState = {
  id: 'resp_1',
  created_at: 1_700_000_000,
  status: 'queued',
  model: 'gpt-4o',
  output: [],
  usage: null,
  error: null,
  incomplete_details: null,
  completed_at: null,
};
const answer: ResponseOutputItem = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'Sunny,\n"22" °C.', annotations: [] }],
};

describe('ResponseEventJson', () => {
  it("should write every event of a stream exactly as JSON.stringify does, the response's echo serialised once", () => {
    const json = new ResponseEventJson();
    const events: ResponseWireEvent[] = [
      { type: 'response.created', response: toResponseObject(request, state), sequence_number: 0 },
      { type: 'response.in_progress', response: toResponseObject(request, { ...state, status: 'in_progress' }), sequence_number: 1 },
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Sunny', logprobs: [], sequence_number: 2 },
      {
        type: 'response.completed',
        response: toResponseObject(request, {
          ...state,
          status: 'completed',
          completed_at: 1_700_000_001,
          output: [answer],
          usage: toResponseUsage({ input_tokens: 10, output_tokens: 7 }),
        }),
        sequence_number: 3,
      },
    ];
    for (const e of events) assert.equal(json.stringify(e), JSON.stringify(e));
  });

  it('should write a snapshot of another shape (its keys in another order), or with a field left undefined, as JSON.stringify does', () => {
    const json = new ResponseEventJson();
    const created: ResponseWireEvent = { type: 'response.created', response: toResponseObject(request, state), sequence_number: 0 };
    assert.equal(json.stringify(created), JSON.stringify(created));
    const { status, ...rest } = toResponseObject(request, { ...state, status: 'in_progress' });
    const other = { type: 'response.in_progress', response: { ...rest, status }, sequence_number: 1 } satisfies ResponseWireEvent;
    assert.equal(json.stringify(other), JSON.stringify(other));
    const partial = { ...toResponseObject(request, state), error: undefined };
    const failed = { type: 'response.failed', response: { ...partial, error: null }, sequence_number: 2 } satisfies ResponseWireEvent;
    const undefinedError = { ...failed, response: { ...failed.response, completed_at: undefined as unknown as null } };
    assert.equal(json.stringify(undefinedError), JSON.stringify(undefinedError));
  });
});
