import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ResponseCodeInterpreterToolCall,
  ResponseFileSearchToolCall,
  ResponseOutputText,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import type { EngineEvent, TextAnnotation } from '../engine/engine-events.js';
import {
  accumulatedOutput,
  encodeAll,
  message,
  run,
  snapshot,
  started,
  step,
  throughSdk,
  unparsed,
} from '../../test/support/response-stream-fixtures.js';

describe('ResponseStreamEncoder: the built-in tools', () => {
  it('should stream a file_search call (in_progress, searching, completed, done with its query and included results), then the cited answer', async () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'file_search' };
    const record = {
      id: 'call_fs',
      type: 'file_search',
      file_search: { results: [{ file_id: 'file-a', file_name: 'a.txt', score: 0.9, content: [{ type: 'text', text: 'Tea is green.' }] }] },
    };
    const cite: TextAnnotation = { kind: 'file_citation', index: 0, text: '【0:0†a.txt】', start: 5, end: 16, fileId: 'file-a' };
    const events: EngineEvent[] = [
      ...started,
      { type: 'step.started', step: step('step_1', 'tool_calls', 'in_progress') },
      { type: 'tool.call.started', ...ref, callId: 'call_fs', name: 'file_search' },
      { type: 'tool.call.arguments', ...ref, delta: '{"query":"tea"}' },
      { type: 'tool.call.done', ...ref, callId: 'call_fs', name: 'file_search', arguments: '{"query":"tea"}' },
      { type: 'tool.output', ...ref, callId: 'call_fs', output: 'Results for "tea"' },
      { type: 'step.done', step: step('step_1', 'tool_calls', 'completed', [record]) },
      { type: 'step.started', step: step('step_2', 'message_creation', 'in_progress') },
      { type: 'message.started', message: message('in_progress') },
      { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Green【0:0†a.txt】', annotations: [cite] },
      { type: 'message.done', message: message('completed') },
      { type: 'run.status', run: run('completed') },
    ];
    const { out, encoder } = encodeAll(events, { include: ['file_search_call.results'] });
    const searched: ResponseFileSearchToolCall = {
      id: 'fs_fs',
      type: 'file_search_call',
      queries: ['tea'],
      status: 'completed',
      results: [{ file_id: 'file-a', filename: 'a.txt', score: 0.9, text: 'Tea is green.', attributes: {} }],
    };
    const place = { item_id: 'fs_fs', output_index: 0 };
    assert.deepEqual(out.slice(2, 7), [
      { type: 'response.output_item.added', output_index: 0, item: { ...searched, queries: [], status: 'in_progress', results: null }, sequence_number: 2 },
      { type: 'response.file_search_call.in_progress', ...place, sequence_number: 3 },
      { type: 'response.file_search_call.searching', ...place, sequence_number: 4 },
      { type: 'response.file_search_call.completed', ...place, sequence_number: 5 },
      { type: 'response.output_item.done', output_index: 0, item: searched, sequence_number: 6 },
    ] satisfies ResponseStreamEvent[]);
    assert.deepEqual(
      out.slice(7).map((e) => [e.sequence_number, e.type, 'output_index' in e ? e.output_index : null]),
      [
        [7, 'response.output_item.added', 1],
        [8, 'response.content_part.added', 1],
        [9, 'response.output_text.delta', 1],
        [10, 'response.output_text.annotation.added', 1],
        [11, 'response.output_text.done', 1],
        [12, 'response.content_part.done', 1],
        [13, 'response.output_item.done', 1],
        [14, 'response.completed', null],
      ],
    );
    assert.deepEqual(out[10], {
      type: 'response.output_text.annotation.added',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      annotation_index: 0,
      annotation: { type: 'file_citation', file_id: 'file-a', filename: 'a.txt', index: 5 },
      sequence_number: 10,
    });
    assert.deepEqual(encoder.output[0], searched);
    assert.deepEqual(accumulatedOutput(out), encoder.output);
    const { final } = await throughSdk(out);
    assert.deepEqual(unparsed(final), snapshot(run('completed'), encoder.output));
    // Without include, the results are left out, as OpenAI does.
    assert.deepEqual(encodeAll(events).encoder.output[0], { ...searched, results: null });
  });

  it("should name a cited file from the response's own file_search results when no fileName lookup knows it", () => {
    const record = { id: 'call_fs', type: 'file_search', file_search: { results: [{ file_id: 'file-b', file_name: 'b.txt', score: 0.9 }] } };
    const cite: TextAnnotation = { kind: 'file_citation', index: 0, text: '【0:0†b.txt】', start: 5, end: 16, fileId: 'file-b' };
    const { out } = encodeAll(
      [
        ...started,
        { type: 'step.started', step: step('step_1', 'tool_calls', 'in_progress') },
        { type: 'tool.call.started', stepId: 'step_1', index: 0, tool: 'file_search', callId: 'call_fs', name: 'file_search' },
        { type: 'tool.call.done', stepId: 'step_1', index: 0, tool: 'file_search', callId: 'call_fs', name: 'file_search', arguments: '{"query":"tea"}' },
        { type: 'step.done', step: step('step_1', 'tool_calls', 'completed', [record]) },
        { type: 'message.started', message: message('in_progress') },
        { type: 'message.text', messageId: 'msg_1', part: 0, text: 'Green【0:0†b.txt】', annotations: [cite] },
      ],
      { fileNames: {} },
    );
    const added = out.find((e) => e.type === 'response.output_text.annotation.added');
    assert.deepEqual(added?.type === 'response.output_text.annotation.added' && added.annotation, { type: 'file_citation', file_id: 'file-b', filename: 'b.txt', index: 5 });
  });

  it('should stream a code_interpreter call: the code as written, done, interpreting, completed, with outputs when included', async () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'code_interpreter' };
    const record = {
      id: 'call_ci',
      type: 'code_interpreter',
      code_interpreter: { input: 'print(1)', outputs: [{ type: 'logs', logs: '1\n' }, { type: 'image', image: { file_id: 'file-img' } }] },
    };
    const wrote: TextAnnotation = { kind: 'file_path', index: 0, text: 'sandbox:/mnt/data/out.csv', start: 4, end: 29, fileId: 'file-out' };
    const { out, encoder } = encodeAll(
      [
        ...started,
        { type: 'step.started', step: step('step_1', 'tool_calls', 'in_progress') },
        { type: 'tool.call.started', ...ref, callId: 'call_ci', name: 'code_interpreter' },
        { type: 'tool.call.arguments', ...ref, delta: '{"code":"print(', input: 'print(' },
        { type: 'tool.call.arguments', ...ref, delta: '1)"}', input: '1)' },
        { type: 'tool.call.done', ...ref, callId: 'call_ci', name: 'code_interpreter', arguments: '{"code":"print(1)"}' },
        { type: 'tool.progress', ...ref, callId: 'call_ci', progress: { output: 0, kind: 'logs', logs: '1\n' } },
        { type: 'tool.output', ...ref, callId: 'call_ci', output: '1' },
        { type: 'step.done', step: step('step_1', 'tool_calls', 'completed', [record]) },
        { type: 'message.started', message: message('in_progress') },
        { type: 'message.text', messageId: 'msg_1', part: 1, text: 'See sandbox:/mnt/data/out.csv', annotations: [wrote] },
        { type: 'message.done', message: message('completed') },
        { type: 'run.status', run: run('completed') },
      ],
      { include: ['code_interpreter_call.outputs'] },
    );
    const ran: ResponseCodeInterpreterToolCall = {
      id: 'ci_ci',
      type: 'code_interpreter_call',
      code: 'print(1)',
      container_id: 'thread_1',
      outputs: [{ type: 'logs', logs: '1\n' }, { type: 'image', url: '/v1/files/file-img/content' }],
      status: 'completed',
    };
    const place = { item_id: 'ci_ci', output_index: 0 };
    assert.deepEqual(out.slice(2, 10), [
      { type: 'response.output_item.added', output_index: 0, item: { ...ran, code: '', outputs: null, status: 'in_progress' }, sequence_number: 2 },
      { type: 'response.code_interpreter_call.in_progress', ...place, sequence_number: 3 },
      { type: 'response.code_interpreter_call_code.delta', ...place, delta: 'print(', sequence_number: 4 },
      { type: 'response.code_interpreter_call_code.delta', ...place, delta: '1)', sequence_number: 5 },
      { type: 'response.code_interpreter_call_code.done', ...place, code: 'print(1)', sequence_number: 6 },
      { type: 'response.code_interpreter_call.interpreting', ...place, sequence_number: 7 },
      { type: 'response.code_interpreter_call.completed', ...place, sequence_number: 8 },
      { type: 'response.output_item.done', output_index: 0, item: ran, sequence_number: 9 },
    ] satisfies ResponseStreamEvent[]);
    const annotation: ResponseOutputText.ContainerFileCitation = {
      type: 'container_file_citation',
      container_id: 'thread_1',
      file_id: 'file-out',
      filename: 'out.csv',
      start_index: 4,
      end_index: 29,
    };
    assert.deepEqual(out[13], {
      type: 'response.output_text.annotation.added',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      annotation_index: 0,
      annotation,
      sequence_number: 13,
    });
    assert.deepEqual(accumulatedOutput(out), encoder.output);
    const { final } = await throughSdk(out);
    assert.deepEqual(unparsed(final), snapshot(run('completed'), encoder.output));
    assert.deepEqual(final.output[0], ran);
  });

  it('should end a server call the response outlived as incomplete, without its completed event', () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'code_interpreter' };
    const { out } = encodeAll([
      ...started,
      { type: 'tool.call.started', ...ref, callId: 'call_ci', name: 'code_interpreter' },
      { type: 'tool.call.done', ...ref, callId: 'call_ci', name: 'code_interpreter', arguments: '{"code":"x"}' },
      { type: 'run.status', run: run('cancelled') },
    ]);
    assert.deepEqual(
      out.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.code_interpreter_call.in_progress',
        'response.code_interpreter_call_code.done',
        'response.code_interpreter_call.interpreting',
        'response.output_item.done',
        'response.failed',
      ],
    );
    assert.deepEqual(out[6], {
      type: 'response.output_item.done',
      output_index: 0,
      item: { id: 'ci_ci', type: 'code_interpreter_call', code: 'x', container_id: 'thread_1', outputs: null, status: 'incomplete' },
      sequence_number: 6,
    });
  });
});
