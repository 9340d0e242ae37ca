import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../engine/engine-events.js';
import { toMessageObject } from '../store/serialize.js';
import { toRunObject, toRunStepObject } from '../store/serialize-runs.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { codeInterpreterView } from '../tools/code-interpreter.js';
import { fileSearchView } from '../tools/file-search.js';
import { createToolRegistry } from '../tools/registry.js';
import type { AssistantsToolView, Tool } from '../tools/tool.js';
import { encodeAssistantEvent } from './assistant-stream.js';

const viewOnly = (type: string, assistants: AssistantsToolView): Tool => ({
  type,
  definition: () => ({ type: 'function', function: { name: type } }),
  assistants,
});
const tools = createToolRegistry([viewOnly('code_interpreter', codeInterpreterView), viewOnly('file_search', fileSearchView)]);
const encode = (e: EngineEvent) => encodeAssistantEvent(e, tools);
const names = (e: EngineEvent) => encode(e).map((a) => a.event);

const run = (status: RunRow['status']) => ({ id: 'run_1', status, tools: '[]', metadata: '{}' }) as RunRow;
const step = (status: RunStepRow['status']) =>
  ({ id: 'step_1', type: 'tool_calls', status, step_details: '{"type":"tool_calls","tool_calls":[]}' }) as RunStepRow;
const message = (status: MessageRow['status']) => ({ id: 'msg_1', status, content: '[]', attachments: '[]', metadata: '{}' }) as MessageRow;
const stepDelta = (call: object) => ({
  event: 'thread.run.step.delta',
  data: { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } },
});

describe('encodeAssistantEvent', () => {
  it('should announce a new run as thread.run.created then thread.run.queued, both with the run object', () => {
    const e: EngineEvent = { type: 'run.created', run: run('queued') };
    assert.deepEqual(encode(e), [
      { event: 'thread.run.created', data: toRunObject(run('queued')) },
      { event: 'thread.run.queued', data: toRunObject(run('queued')) },
    ]);
  });

  it('should name a status change after the status the run moved to', () => {
    for (const status of ['in_progress', 'requires_action', 'cancelling', 'cancelled', 'failed', 'completed', 'incomplete', 'expired'] as const)
      assert.deepEqual(names({ type: 'run.status', run: run(status) }), [`thread.run.${status}`]);
  });

  it('should announce a started step as created then in_progress, and a done step by its status', () => {
    assert.deepEqual(names({ type: 'step.started', step: step('in_progress') }), ['thread.run.step.created', 'thread.run.step.in_progress']);
    assert.deepEqual(encode({ type: 'step.done', step: step('failed') }), [{ event: 'thread.run.step.failed', data: toRunStepObject(step('failed')) }]);
    assert.deepEqual(names({ type: 'step.done', step: step('in_progress') }), []);
  });

  it("should show a search call's results without their content, as OpenAI does unless include[] asks", () => {
    const call = { id: 'call_1', type: 'file_search', file_search: { results: [{ file_id: 'file-a', file_name: 'a.txt', score: 1, content: [{ type: 'text', text: 'x' }] }] } };
    const row = { ...step('completed'), step_details: JSON.stringify({ type: 'tool_calls', tool_calls: [call] }) };
    const [e] = encode({ type: 'step.done', step: row });
    assert.deepEqual(e?.data, {
      ...toRunStepObject(row),
      step_details: { type: 'tool_calls', tool_calls: [{ id: 'call_1', type: 'file_search', file_search: { results: [{ file_id: 'file-a', file_name: 'a.txt', score: 1 }] } }] },
    });
  });

  it('should end a message as completed or incomplete', () => {
    assert.deepEqual(names({ type: 'message.started', message: message('in_progress') }), ['thread.message.created', 'thread.message.in_progress']);
    assert.deepEqual(encode({ type: 'message.done', message: message('incomplete') }), [
      { event: 'thread.message.incomplete', data: toMessageObject(message('incomplete')) },
    ]);
    assert.deepEqual(names({ type: 'message.done', message: message('completed') }), ['thread.message.completed']);
  });

  it('should send text at its content index with its annotations as Assistants annotation deltas', () => {
    const e: EngineEvent = {
      type: 'message.text',
      messageId: 'msg_1',
      part: 1,
      text: 'see 【0:0†a.txt】',
      annotations: [{ kind: 'file_citation', index: 0, text: '【0:0†a.txt】', start: 4, end: 15, fileId: 'file-a' }],
    };
    assert.deepEqual(encode(e), [
      {
        event: 'thread.message.delta',
        data: {
          id: 'msg_1',
          object: 'thread.message.delta',
          delta: {
            content: [
              {
                index: 1,
                type: 'text',
                text: {
                  value: 'see 【0:0†a.txt】',
                  annotations: [{ index: 0, type: 'file_citation', text: '【0:0†a.txt】', start_index: 4, end_index: 15, file_citation: { file_id: 'file-a' } }],
                },
              },
            ],
          },
        },
      },
    ]);
  });

  it('should open a message with its images as image_file parts', () => {
    const [e] = encode({ type: 'message.images', messageId: 'msg_1', fileIds: ['file-1', 'file-2'] });
    assert.deepEqual(e?.data, {
      id: 'msg_1',
      object: 'thread.message.delta',
      delta: {
        content: [
          { index: 0, type: 'image_file', image_file: { file_id: 'file-1' } },
          { index: 1, type: 'image_file', image_file: { file_id: 'file-2' } },
        ],
      },
    });
  });

  it("should show a function call's name, then its arguments as they come", () => {
    const ref = { stepId: 'step_1', index: 2, tool: 'function' };
    assert.deepEqual(encode({ type: 'tool.call.started', ...ref, callId: 'call_1', name: 'f' }), [
      stepDelta({ index: 2, id: 'call_1', type: 'function', function: { name: 'f', arguments: '', output: null } }),
    ]);
    assert.deepEqual(encode({ type: 'tool.call.arguments', ...ref, delta: '{"a":' }), [
      stepDelta({ index: 2, type: 'function', function: { arguments: '{"a":' } }),
    ]);
  });

  it("should show a code tool's input and its output as it comes, not its raw arguments", () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'code_interpreter' };
    assert.deepEqual(encode({ type: 'tool.call.started', ...ref, callId: 'call_1', name: 'code_interpreter' }), [
      stepDelta({ index: 0, id: 'call_1', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
    ]);
    assert.deepEqual(encode({ type: 'tool.call.arguments', ...ref, delta: '{"code": "' }), []);
    assert.deepEqual(encode({ type: 'tool.call.arguments', ...ref, delta: 'print(1)', input: 'print(1)' }), [
      stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { input: 'print(1)' } }),
    ]);
    assert.deepEqual(encode({ type: 'tool.progress', ...ref, callId: 'call_1', progress: { output: 0, kind: 'logs', logs: '1\n' } }), [
      stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 0, type: 'logs', logs: '1\n' }] } }),
    ]);
    assert.deepEqual(encode({ type: 'tool.progress', ...ref, callId: 'call_1', progress: { output: 1, kind: 'image', fileId: 'file-9' } }), [
      stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 1, type: 'image', image: { file_id: 'file-9' } }] } }),
    ]);
  });

  it('should announce a search call with empty details and never show its query', () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'file_search' };
    assert.deepEqual(encode({ type: 'tool.call.started', ...ref, callId: 'call_1', name: 'file_search' }), [
      stepDelta({ index: 0, id: 'call_1', type: 'file_search', file_search: {} }),
    ]);
    assert.deepEqual(encode({ type: 'tool.call.arguments', ...ref, delta: '{"query":"x"}' }), []);
  });

  it('should send nothing for what the run and step objects already show (call done, tool output, usage)', () => {
    const ref = { stepId: 'step_1', index: 0, tool: 'function' };
    assert.deepEqual(encode({ type: 'tool.call.done', ...ref, callId: 'c', name: 'f', arguments: '{}' }), []);
    assert.deepEqual(encode({ type: 'tool.output', ...ref, callId: 'c', output: 'ok' }), []);
    assert.deepEqual(encode({ type: 'turn.usage', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } }), []);
  });
});
