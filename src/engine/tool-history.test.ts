import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { createToolRegistry } from '../tools/registry.js';
import type { Tool } from '../tools/tool.js';
import { buildPrompt } from './build-prompt.js';
import { calledTools, messageAnnotator, pendingImages, serverCallCount } from './tool-history.js';

/**
 * A tool the engine has never heard of, registered like any built-in: it runs on the server,
 * replays under its own name, leaves a picture for the next message and lets `[[n]]` cite a file.
 */
const lookup: Tool = {
  type: 'lookup',
  definition: () => ({ type: 'function', function: { name: 'lookup' } }),
  execute: async (call) => ({ output: 'found', toolCall: { id: call.id, type: 'function', function: { name: 'lookup', arguments: call.arguments, output: 'found' } } }),
  replay: (call, args) => ({ name: 'lookup', arguments: args ?? `{"id":"${call.id}"}` }),
  images: (call) => [`file-img-${call.id}`],
  annotations: () => ({
    find: (text) =>
      [...text.matchAll(/\[\[(\d)\]\]/g)].map((m) => ({
        type: 'file_citation' as const,
        text: m[0],
        start_index: m.index,
        end_index: m.index + m[0].length,
        file_citation: { file_id: `file-${m[1]}` },
      })),
    openFrom: () => -1,
  }),
  assistants: { start: ({ id }) => ({ id, type: 'function', function: { name: 'lookup', arguments: '', output: null } }), arguments: () => undefined },
};
const tools = createToolRegistry([lookup]);

let seq = 0;
const toolStep = (calls: Array<{ id: string; type: string }>, outputs: Record<string, string> = {}): RunStepRow =>
  ({
    id: `step_${++seq}`,
    type: 'tool_calls',
    step_details: JSON.stringify({ type: 'tool_calls', tool_calls: calls }),
    tool_outputs: JSON.stringify(outputs),
  }) as RunStepRow;
const messageStep = (): RunStepRow =>
  ({ id: `step_${++seq}`, type: 'message_creation', step_details: JSON.stringify({ type: 'message_creation', message_creation: { message_id: 'msg_x' } }) }) as RunStepRow;
const fn = (id: string, name: string) => ({ id, type: 'function', function: { name, arguments: '{}', output: 'ok' } });

describe('tool history (the engine asks the registry)', () => {
  it('should name earlier calls as the model made them, for tool_choice', () => {
    const steps = [toolStep([fn('call_1', 'get_weather'), { id: 'call_2', type: 'lookup' }])];
    assert.deepEqual([...calledTools(tools, steps)], ['get_weather', 'lookup']);
  });

  it('should number server calls (any tool with execute, or one no longer known) and not client functions', () => {
    const steps = [toolStep([fn('call_1', 'f'), { id: 'call_2', type: 'lookup' }]), toolStep([{ id: 'call_3', type: 'gone' }])];
    assert.equal(serverCallCount(tools, steps), 2);
  });

  it("should open the next message with the images of the calls since the run's last message", () => {
    const steps = [toolStep([{ id: 'a', type: 'lookup' }]), messageStep(), toolStep([{ id: 'b', type: 'lookup' }, fn('c', 'f')])];
    assert.deepEqual(pendingImages(tools, steps), ['file-img-b']);
  });

  it("should annotate the answer from the tools' own sources", () => {
    const annotator = messageAnnotator(tools, []);
    const delta = annotator.push('see [[4]]');
    assert.deepEqual(delta?.annotations.map((a) => [a.text, a.start_index, a.type === 'file_citation' && a.file_citation.file_id]), [['[[4]]', 4, 'file-4']]);
  });

  it("should replay a plug-in tool's call with the arguments the model gave, under the name the tool says", () => {
    const run = { id: 'run_1', instructions: '', truncation_strategy: null } as unknown as RunRow;
    const call = { id: 'call_9', type: 'lookup' } as unknown as ToolCall;
    const prompt = buildPrompt({ run, messages: [], steps: [toolStep([call], { call_9: 'found', 'call_9:arguments': '{"q":1}' })], registry: tools });
    assert.deepEqual(prompt, [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: 'found' },
    ]);
  });
});
