import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunStep } from 'openai/resources/beta/threads/runs/steps';
import { toTimeline } from '../../console/src/lib/run-timeline.js';

const base = {
  object: 'thread.run.step' as const,
  assistant_id: 'asst_1',
  thread_id: 'thread_1',
  run_id: 'run_1',
  cancelled_at: null,
  expired_at: null,
  failed_at: null,
  last_error: null,
  metadata: null,
  status: 'completed' as const,
};

const toolStep: RunStep = {
  ...base,
  id: 'step_b',
  type: 'tool_calls',
  created_at: 100,
  completed_at: 103,
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  step_details: {
    type: 'tool_calls',
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}', output: 'rain' } },
      {
        id: 'call_2',
        type: 'file_search',
        file_search: { results: [{ file_id: 'file-1', file_name: 'a.txt', score: 0.5, content: [{ type: 'text', text: 'hello' }] }] },
      },
      {
        id: 'call_3',
        type: 'code_interpreter',
        code_interpreter: {
          input: 'print(1)',
          outputs: [
            { type: 'logs', logs: '1\n' },
            { type: 'image', image: { file_id: 'file-img' } },
          ],
        },
      },
    ],
  },
};

const messageStep: RunStep = {
  ...base,
  id: 'step_c',
  type: 'message_creation',
  created_at: 104,
  completed_at: 104,
  usage: null,
  step_details: { type: 'message_creation', message_creation: { message_id: 'msg_1' } },
};

describe('toTimeline', () => {
  it('should order steps and show each kind of tool call with its details', () => {
    const [tools, turn] = toTimeline([messageStep, toolStep]);
    assert.equal(tools!.title, 'Tool calls: get_weather(), file_search, code_interpreter');
    assert.equal(tools!.duration, '3 s');
    assert.deepEqual(tools!.toolCalls, [
      { type: 'function', id: 'call_1', name: 'get_weather', arguments: '{\n  "city": "Oslo"\n}', output: 'rain' },
      { type: 'file_search', id: 'call_2', results: [{ file_id: 'file-1', file_name: 'a.txt', score: 0.5, text: 'hello' }] },
      { type: 'code_interpreter', id: 'call_3', code: 'print(1)', logs: ['1\n'], imageFileIds: ['file-img'] },
    ]);
    assert.equal(turn!.title, 'Model turn');
    assert.equal(turn!.messageId, 'msg_1');
    assert.equal(turn!.duration, '0 s');
  });

  it('should keep the order the API gave to steps of the same second', () => {
    const sameSecond = { ...messageStep, id: 'step_a', created_at: toolStep.created_at };
    assert.deepEqual(
      toTimeline([toolStep, sameSecond]).map((s) => s.id),
      ['step_b', 'step_a'],
    );
  });
});
