import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ResponseFunctionToolCall,
  ResponseOutputMessage,
  ResponseOutputText,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import type { EngineEvent, TextAnnotation } from '../engine/engine-events.js';
import { createToolRegistry } from '../tools/registry.js';
import { ResponseStreamEncoder, toSseFrames } from './response-stream.js';
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

describe('ResponseStreamEncoder', () => {
  it('should stream a text answer: item, part, deltas without citation markers, the annotation where its marker stood, then done, numbered from 0', async () => {
    const cite: TextAnnotation = { kind: 'file_citation', index: 0, text: '【0:0†a.txt】', start: 6, end: 17, fileId: 'file-a' };
    const { out, encoder } = encodeAll([
      ...started,
      { type: 'step.started', step: step('step_1', 'message_creation', 'in_progress') },
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Hello ', annotations: [] },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: '【0:0†a.txt】 world', annotations: [cite] },
      { type: 'message.done', message: message('completed') },
      { type: 'step.done', step: step('step_1', 'message_creation', 'completed') },
      { type: 'turn.usage', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } },
      { type: 'run.status', run: run('completed') },
    ]);
    const place = { item_id: 'msg_1', output_index: 0, content_index: 0 };
    const annotation: ResponseOutputText.FileCitation = { type: 'file_citation', file_id: 'file-a', filename: 'a.txt', index: 6 };
    const text = 'Hello  world';
    const part: ResponseOutputText = { type: 'output_text', text, annotations: [annotation], logprobs: [] };
    const item: ResponseOutputMessage = { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [part] };
    const middle = [
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] }, sequence_number: 2 },
      { type: 'response.content_part.added', ...place, part: { type: 'output_text', text: '', annotations: [], logprobs: [] }, sequence_number: 3 },
      { type: 'response.output_text.delta', ...place, delta: 'Hello ', logprobs: [], sequence_number: 4 },
      { type: 'response.output_text.delta', ...place, delta: ' world', logprobs: [], sequence_number: 5 },
      { type: 'response.output_text.annotation.added', ...place, annotation_index: 0, annotation, sequence_number: 6 },
      { type: 'response.output_text.done', ...place, text, logprobs: [], sequence_number: 7 },
      { type: 'response.content_part.done', ...place, part, sequence_number: 8 },
      { type: 'response.output_item.done', output_index: 0, item, sequence_number: 9 },
    ] satisfies ResponseStreamEvent[];
    assert.deepEqual(out, [
      lifecycle('response.created', 'in_progress', [], 0),
      lifecycle('response.in_progress', 'in_progress', [], 1),
      ...middle,
      lifecycle('response.completed', 'completed', [item], 10),
    ]);
    assert.deepEqual(encoder.output, [item]);
    assert.deepEqual(accumulatedOutput(out), [item]);
    const { final, events } = await throughSdk(out);
    assert.deepEqual(unparsed(final), snapshot(run('completed'), [item]));
    assert.equal(final.output_text, text);
    assert.deepEqual(events, out.map((e) => e.type));
    const finalV4 = await throughSdkV4(out);
    assert.deepEqual(unparsed(finalV4), snapshot(run('completed'), [item]));
  });

  it('should stream a function call: the item, its argument deltas, done with the arguments, and complete the response', async () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'function' };
    const { out } = encodeAll([
      ...started,
      { type: 'step.started', step: step('step_1', 'tool_calls', 'in_progress') },
      { type: 'tool.call.started', ...ref, callId: 'call_abc', name: 'get_weather' },
      { type: 'tool.call.arguments', ...ref, delta: '{"city":' },
      { type: 'tool.call.arguments', ...ref, delta: '"Paris"}' },
      { type: 'tool.call.done', ...ref, callId: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'run.status', run: run('requires_action') },
    ]);
    const call: ResponseFunctionToolCall = { id: 'fc_abc', type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' };
    const place = { item_id: 'fc_abc', output_index: 0 };
    assert.deepEqual(out.slice(2, -1), [
      { type: 'response.output_item.added', output_index: 0, item: { ...call, arguments: '', status: 'in_progress' }, sequence_number: 2 },
      { type: 'response.function_call_arguments.delta', ...place, delta: '{"city":', sequence_number: 3 },
      { type: 'response.function_call_arguments.delta', ...place, delta: '"Paris"}', sequence_number: 4 },
      { type: 'response.function_call_arguments.done', ...place, name: 'get_weather', arguments: '{"city":"Paris"}', sequence_number: 5 },
      { type: 'response.output_item.done', output_index: 0, item: call, sequence_number: 6 },
    ] satisfies ResponseStreamEvent[]);
    assert.deepEqual(out.at(-1), lifecycle('response.completed', 'requires_action', [call], 7));
    assert.deepEqual(accumulatedOutput(out), [call]);
    assert.deepEqual(unparsed((await throughSdk(out)).final), snapshot(run('requires_action'), [call]));
    assert.deepEqual(unparsed(await throughSdkV4(out)), snapshot(run('requires_action'), [call]));
  });

  it("should name a client's function call as its step names the item (client_calls end), the whole call shown when the step ends", async () => {
    const ref = (index: number) => ({ stepId: 'step_1', index, tool: 'function' });
    const records = [
      { id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":1}', output: null } },
      { id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}', output: null } },
    ];
    const done = {
      ...step('step_1', 'tool_calls', 'completed', records),
      tool_outputs: JSON.stringify({ 'call_a:item': 'fc_stored_a', 'call_b:item': 'fc_stored_b' }),
    };
    const { out, encoder } = encodeAll([
      ...started,
      { type: 'step.started', step: step('step_1', 'tool_calls', 'in_progress') },
      { type: 'tool.call.started', ...ref(0), callId: 'call_a', name: 'a' },
      { type: 'tool.call.arguments', ...ref(0), delta: '{"x":' },
      { type: 'tool.call.started', ...ref(1), callId: 'call_b', name: 'b' },
      { type: 'tool.call.arguments', ...ref(0), delta: '1}' },
      { type: 'tool.call.done', ...ref(0), callId: 'call_a', name: 'a', arguments: '{"x":1}' },
      { type: 'tool.call.done', ...ref(1), callId: 'call_b', name: 'b', arguments: '{}' },
      { type: 'step.done', step: done },
      { type: 'run.status', run: run('completed') },
    ]);
    const a: ResponseFunctionToolCall = { id: 'fc_stored_a', type: 'function_call', call_id: 'call_a', name: 'a', arguments: '{"x":1}', status: 'completed' };
    const b: ResponseFunctionToolCall = { id: 'fc_stored_b', type: 'function_call', call_id: 'call_b', name: 'b', arguments: '{}', status: 'completed' };
    const at = (item: ResponseFunctionToolCall, index: number) => ({ item_id: item.id ?? '', output_index: index });
    assert.deepEqual(out.slice(2), [
      { type: 'response.output_item.added', output_index: 0, item: { ...a, arguments: '', status: 'in_progress' }, sequence_number: 2 },
      { type: 'response.function_call_arguments.delta', ...at(a, 0), delta: '{"x":', sequence_number: 3 },
      { type: 'response.function_call_arguments.delta', ...at(a, 0), delta: '1}', sequence_number: 4 },
      { type: 'response.function_call_arguments.done', ...at(a, 0), name: 'a', arguments: '{"x":1}', sequence_number: 5 },
      { type: 'response.output_item.done', output_index: 0, item: a, sequence_number: 6 },
      { type: 'response.output_item.added', output_index: 1, item: { ...b, arguments: '', status: 'in_progress' }, sequence_number: 7 },
      { type: 'response.function_call_arguments.done', ...at(b, 1), name: 'b', arguments: '{}', sequence_number: 8 },
      { type: 'response.output_item.done', output_index: 1, item: b, sequence_number: 9 },
      lifecycle('response.completed', 'completed', [a, b], 10),
    ]);
    assert.deepEqual(encoder.output, [a, b]);
    assert.deepEqual(accumulatedOutput(out), [a, b]);
  });

  it('should end a call whose step was cut short (an incomplete turn) as incomplete, without its arguments done', () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'function' };
    const { out } = encodeAll([
      ...started,
      { type: 'step.started', step: step('step_1', 'tool_calls', 'in_progress') },
      { type: 'tool.call.started', ...ref, callId: 'call_a', name: 'a' },
      { type: 'tool.call.arguments', ...ref, delta: '{"x":' },
      { type: 'tool.call.done', ...ref, callId: 'call_a', name: 'a', arguments: '{"x":' },
      { type: 'step.done', step: step('step_1', 'tool_calls', 'cancelled') },
      { type: 'run.status', run: run('incomplete') },
    ]);
    const cut: ResponseFunctionToolCall = { id: 'fc_a', type: 'function_call', call_id: 'call_a', name: 'a', arguments: '{"x":', status: 'incomplete' };
    assert.deepEqual(out.slice(2), [
      { type: 'response.output_item.added', output_index: 0, item: { ...cut, arguments: '', status: 'in_progress' }, sequence_number: 2 },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_a', output_index: 0, delta: '{"x":', sequence_number: 3 },
      { type: 'response.output_item.done', output_index: 0, item: cut, sequence_number: 4 },
      lifecycle('response.incomplete', 'incomplete', [cut], 5),
    ]);
  });

  it('should close the message before the calls of the same turn, and show each call whole in turn with its own output index', async () => {
    const ref = (index: number) => ({ stepId: 'step_2', index, tool: 'function' });
    const { out, encoder } = encodeAll([
      ...started,
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Let me check.', annotations: [] },
      { type: 'message.done', message: message('completed') },
      { type: 'tool.call.started', ...ref(0), callId: 'call_1', name: 'a' },
      { type: 'tool.call.started', ...ref(1), callId: 'call_2', name: 'b' },
      { type: 'tool.call.arguments', ...ref(1), delta: '{}' },
      { type: 'tool.call.done', ...ref(0), callId: 'call_1', name: 'a', arguments: '' },
      { type: 'tool.call.done', ...ref(1), callId: 'call_2', name: 'b', arguments: '{}' },
      { type: 'run.status', run: run('requires_action') },
    ]);
    assert.deepEqual(
      out.map((e) => [e.sequence_number, e.type, 'output_index' in e ? e.output_index : null]),
      [
        [0, 'response.created', null],
        [1, 'response.in_progress', null],
        [2, 'response.output_item.added', 0],
        [3, 'response.content_part.added', 0],
        [4, 'response.output_text.delta', 0],
        [5, 'response.output_text.done', 0],
        [6, 'response.content_part.done', 0],
        [7, 'response.output_item.done', 0],
        [8, 'response.output_item.added', 1],
        [9, 'response.function_call_arguments.done', 1],
        [10, 'response.output_item.done', 1],
        [11, 'response.output_item.added', 2],
        [12, 'response.function_call_arguments.delta', 2],
        [13, 'response.function_call_arguments.done', 2],
        [14, 'response.output_item.done', 2],
        [15, 'response.completed', null],
      ],
    );
    assert.deepEqual(
      encoder.output.map((i) => [i.type, i.id, 'status' in i ? i.status : null]),
      [
        ['message', 'msg_1', 'completed'],
        ['function_call', 'fc_1', 'completed'],
        ['function_call', 'fc_2', 'completed'],
      ],
    );
    assert.deepEqual(accumulatedOutput(out), encoder.output);
    assert.equal((await throughSdk(out)).final.output_text, 'Let me check.');
  });

  it('should end a failed run with response.failed, closing what was open as incomplete', async () => {
    const { out } = encodeAll([
      ...started,
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Half', annotations: [] },
      { type: 'run.status', run: run('failed') },
      { type: 'run.status', run: run('failed') },
    ]);
    const item: ResponseOutputMessage = { id: 'msg_1', type: 'message', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'Half', annotations: [], logprobs: [] }] };
    assert.deepEqual(
      out.slice(5).map((e) => e.type),
      ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.failed'],
    );
    assert.deepEqual(out.at(-1), lifecycle('response.failed', 'failed', [item], 8));
    const { final } = await throughSdk(out);
    assert.equal(final.status, 'failed');
    assert.deepEqual(final.error, { code: 'server_error', message: 'The model failed.' });
  });

  it('should end an incomplete run with response.incomplete, the message done as incomplete', async () => {
    const { out } = encodeAll([
      ...started,
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Cut', annotations: [] },
      { type: 'message.done', message: message('incomplete') },
      { type: 'run.status', run: run('incomplete') },
    ]);
    const item: ResponseOutputMessage = { id: 'msg_1', type: 'message', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'Cut', annotations: [], logprobs: [] }] };
    assert.deepEqual(out.at(-2), { type: 'response.output_item.done', output_index: 0, item, sequence_number: 7 });
    assert.deepEqual(out.at(-1), lifecycle('response.incomplete', 'incomplete', [item], 8));
    const { final } = await throughSdk(out);
    assert.deepEqual([final.status, final.incomplete_details, final.output_text], ['incomplete', { reason: 'max_output_tokens' }, 'Cut']);
  });

  it('should announce a queued background response as created then queued, and in progress once it runs', async () => {
    const events: EngineEvent[] = [...started, { type: 'run.status', run: run('completed') }];
    const background = encodeAll(events, { background: true }).out;
    assert.deepEqual(background.slice(0, 3), [
      lifecycle('response.created', 'queued', [], 0),
      lifecycle('response.queued', 'queued', [], 1),
      lifecycle('response.in_progress', 'in_progress', [], 2),
    ]);
    assert.deepEqual(
      encodeAll(events).out.map((e) => e.type),
      ['response.created', 'response.in_progress', 'response.completed'],
    );
    assert.equal((await throughSdk(background)).final.status, 'completed');
  });

  it("should announce a response that is not in the background as created in progress, as OpenAI's stream does", () => {
    const events: EngineEvent[] = [...started, { type: 'run.status', run: run('completed') }];
    assert.deepEqual(encodeAll(events).out.slice(0, 2), [
      lifecycle('response.created', 'in_progress', [], 0),
      lifecycle('response.in_progress', 'in_progress', [], 1),
    ]);
  });

  it('should send nothing after the terminal event', () => {
    const { out } = encodeAll([
      ...started,
      { type: 'run.status', run: run('completed') },
      { type: 'message.started', message: message('in_progress') },
      { type: 'run.status', run: run('completed') },
    ]);
    assert.deepEqual(out.map((e) => e.type), ['response.created', 'response.in_progress', 'response.completed']);
  });

  it('should number an error event in turn and frame every event with an event line naming its type', async () => {
    const encoder = new ResponseStreamEncoder({ snapshot, tools: createToolRegistry([]) });
    const first = encoder.encode({ type: 'run.created', run: run('in_progress') });
    const error = encoder.error({ code: 'server_error', message: 'Upstream broke.', param: null });
    assert.deepEqual(error, { type: 'error', code: 'server_error', message: 'Upstream broke.', param: null, sequence_number: 2 } satisfies ResponseStreamEvent);
    assert.equal(
      toSseFrames([error]),
      'event: error\ndata: {"type":"error","code":"server_error","message":"Upstream broke.","param":null,"sequence_number":2}\n\n',
    );
    assert.deepEqual(first.map((e) => e.type), ['response.created', 'response.in_progress']);
    // The SDK's stream helper fails with it: finalResponse() rejects with the error's code and message.
    await assert.rejects(throughSdk([...first, error]), { code: 'server_error', message: 'Upstream broke.' });
  });
});
