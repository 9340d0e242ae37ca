import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponseOutputMessage, ResponseReasoningItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import {
  accumulatedOutput,
  encodeAll,
  lifecycle,
  message,
  run,
  snapshot,
  started,
  step,
  throughSdk,
  throughSdkV4,
  unparsed,
} from '../../test/support/response-stream-fixtures.js';

const reasoningPlace = { item_id: 'rs_1', output_index: 0, content_index: 0 };
const reasoningItem: ResponseReasoningItem = {
  id: 'rs_1',
  type: 'reasoning',
  summary: [],
  content: [{ type: 'reasoning_text', text: 'Two plus two is four.' }],
  status: 'completed',
};

describe('ResponseStreamEncoder: reasoning', () => {
  it('should stream the reasoning item before the message: added, part, deltas, done, numbered in turn', async () => {
    const { out, encoder } = encodeAll([
      ...started,
      { type: 'reasoning.text', reasoningId: 'rs_1', text: 'Two plus two ' },
      { type: 'reasoning.text', reasoningId: 'rs_1', text: 'is four.' },
      { type: 'reasoning.done', reasoningId: 'rs_1', status: 'completed' },
      { type: 'step.started', step: step('step_1', 'message_creation', 'in_progress') },
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: '4', annotations: [] },
      { type: 'message.done', message: message('completed') },
      { type: 'step.done', step: step('step_1', 'message_creation', 'completed') },
      { type: 'run.status', run: run('completed') },
    ]);
    const part = { type: 'output_text' as const, text: '4', annotations: [], logprobs: [] };
    const messageItem: ResponseOutputMessage = { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [part] };
    const reasoning = [
      { type: 'response.output_item.added', output_index: 0, item: { ...reasoningItem, status: 'in_progress', content: [] }, sequence_number: 2 },
      { type: 'response.content_part.added', ...reasoningPlace, part: { type: 'reasoning_text', text: '' }, sequence_number: 3 },
      { type: 'response.reasoning_text.delta', ...reasoningPlace, delta: 'Two plus two ', sequence_number: 4 },
      { type: 'response.reasoning_text.delta', ...reasoningPlace, delta: 'is four.', sequence_number: 5 },
      { type: 'response.reasoning_text.done', ...reasoningPlace, text: 'Two plus two is four.', sequence_number: 6 },
      { type: 'response.content_part.done', ...reasoningPlace, part: { type: 'reasoning_text', text: 'Two plus two is four.' }, sequence_number: 7 },
      { type: 'response.output_item.done', output_index: 0, item: reasoningItem, sequence_number: 8 },
    ] satisfies ResponseStreamEvent[];
    assert.deepEqual(out.slice(0, 9), [lifecycle('response.created', 'in_progress', [], 0), lifecycle('response.in_progress', 'in_progress', [], 1), ...reasoning]);
    assert.deepEqual(
      out.slice(9).map((e) => [e.type, 'output_index' in e ? e.output_index : null]),
      [
        ['response.output_item.added', 1],
        ['response.content_part.added', 1],
        ['response.output_text.delta', 1],
        ['response.output_text.done', 1],
        ['response.content_part.done', 1],
        ['response.output_item.done', 1],
        ['response.completed', null],
      ],
    );
    assert.deepEqual(out.at(-1), lifecycle('response.completed', 'completed', [reasoningItem, messageItem], 15));
    assert.deepEqual(encoder.output, [reasoningItem, messageItem]);
    assert.deepEqual(accumulatedOutput(out), [reasoningItem, messageItem]);
    const { final } = await throughSdk(out);
    assert.deepEqual(unparsed(final), snapshot(run('completed'), [reasoningItem, messageItem]));
    assert.equal(final.output_text, '4');
    assert.deepEqual(unparsed(await throughSdkV4(out)), snapshot(run('completed'), [reasoningItem, messageItem]));
  });

  it('should end reasoning still open at the terminal event as incomplete', () => {
    const { out } = encodeAll([
      ...started,
      { type: 'reasoning.text', reasoningId: 'rs_1', text: 'Hmm' },
      { type: 'run.status', run: run('incomplete') },
    ]);
    const item: ResponseReasoningItem = { id: 'rs_1', type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'Hmm' }], status: 'incomplete' };
    assert.deepEqual(
      out.slice(5).map((e) => e.type),
      ['response.reasoning_text.done', 'response.content_part.done', 'response.output_item.done', 'response.incomplete'],
    );
    assert.deepEqual(out.at(-1), lifecycle('response.incomplete', 'incomplete', [item], 8));
  });
});

describe('ResponseStreamEncoder: logprobs', () => {
  it('should carry the tokens on output_text.delta and .done (no bytes) and on the part (with bytes)', () => {
    const hi = { token: 'Hi', logprob: -0.5, bytes: [72, 105], top: [{ token: 'Yo', logprob: -1.5, bytes: null }] };
    const { out, encoder } = encodeAll([
      ...started,
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Hi', annotations: [], logprobs: [hi] },
      { type: 'message.done', message: message('completed') },
      { type: 'run.status', run: run('completed') },
    ]);
    const onEvent = [{ token: 'Hi', logprob: -0.5, top_logprobs: [{ token: 'Yo', logprob: -1.5 }] }];
    const byType = (type: string) => out.find((e) => e.type === type);
    assert.deepEqual(byType('response.output_text.delta'), { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', logprobs: onEvent, sequence_number: 4 });
    assert.deepEqual(byType('response.output_text.done'), { type: 'response.output_text.done', item_id: 'msg_1', output_index: 0, content_index: 0, text: 'Hi', logprobs: onEvent, sequence_number: 5 });
    const part = { type: 'output_text', text: 'Hi', annotations: [], logprobs: [{ token: 'Hi', bytes: [72, 105], logprob: -0.5, top_logprobs: [{ token: 'Yo', bytes: [], logprob: -1.5 }] }] };
    assert.deepEqual(encoder.output, [{ id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [part] }]);
  });
});
