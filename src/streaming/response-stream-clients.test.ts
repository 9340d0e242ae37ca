import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { jsonSchema, streamText, tool } from 'ai';
import type { EngineEvent } from '../engine/engine-events.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { codeInterpreterResponsesView, codeInterpreterView } from '../tools/code-interpreter.js';
import { fileSearchResponsesView, fileSearchView } from '../tools/file-search.js';
import { createToolRegistry } from '../tools/registry.js';
import type { AssistantsToolView, ResponsesToolView, Tool } from '../tools/tool.js';
import { toResponseObject, toResponseUsage } from './response-object.js';
import { ResponseStreamEncoder, toSseFrames } from './response-stream.js';

/**
 * The encoder's frames as a real Responses client reads them: the Vercel AI SDK's `openai.responses(…)` model, whose
 * stream parser validates every event's shape, over a fetch that answers with the frames.
 */
const serverTool = (type: string, assistants: AssistantsToolView, responses: ResponsesToolView): Tool => ({
  type,
  definition: () => ({ type: 'function', function: { name: type } }),
  execute: () => Promise.reject(new Error('not run by the encoder')),
  assistants,
  responses,
});

const run = (status: RunRow['status']) => ({ id: 'resp_1', thread_id: 'thread_1', status }) as RunRow;
const message = (status: MessageRow['status']) => ({ id: 'msg_1', thread_id: 'thread_1', status }) as MessageRow;
const fs = { stepId: 'step_1', index: 0, tool: 'file_search' };
const ci = { stepId: 'step_1', index: 1, tool: 'code_interpreter' };
const fn = { stepId: 'step_2', index: 0, tool: 'function' };
const records = [
  { id: 'call_fs', type: 'file_search', file_search: { results: [{ file_id: 'file-a', file_name: 'a.txt', score: 0.5, content: [{ type: 'text', text: 'Tea.' }] }] } },
  { id: 'call_ci', type: 'code_interpreter', code_interpreter: { input: 'print(1)', outputs: [{ type: 'logs', logs: '1\n' }] } },
];

/** A turn of every kind: a search and code run in parallel, the answer citing both, then a client function call. */
const events: EngineEvent[] = [
  { type: 'run.created', run: run('queued') },
  { type: 'run.status', run: run('in_progress') },
  { type: 'tool.call.started', ...fs, callId: 'call_fs', name: 'file_search' },
  { type: 'tool.call.started', ...ci, callId: 'call_ci', name: 'code_interpreter' },
  { type: 'tool.call.arguments', ...ci, delta: '{"code":"print(1)"}', input: 'print(1)' },
  { type: 'tool.call.done', ...fs, callId: 'call_fs', name: 'file_search', arguments: '{"query":"tea"}' },
  { type: 'tool.call.done', ...ci, callId: 'call_ci', name: 'code_interpreter', arguments: '{"code":"print(1)"}' },
  {
    type: 'step.done',
    step: { id: 'step_1', type: 'tool_calls', status: 'completed', step_details: JSON.stringify({ type: 'tool_calls', tool_calls: records }) } as RunStepRow,
  },
  { type: 'message.started', message: message('in_progress') },
  {
    type: 'message.text',
    messageId: 'msg_1',
    part: 0,
    text: 'Tea【0:0†a.txt】',
    annotations: [{ kind: 'file_citation', index: 0, text: '【0:0†a.txt】', start: 3, end: 14, fileId: 'file-a' }],
  },
  {
    type: 'message.text',
    messageId: 'msg_1',
    part: 0,
    text: ', see sandbox:/mnt/data/o.csv',
    annotations: [{ kind: 'file_path', index: 1, text: 'sandbox:/mnt/data/o.csv', start: 19, end: 42, fileId: 'file-o' }],
  },
  { type: 'message.done', message: message('completed') },
  { type: 'tool.call.started', ...fn, callId: 'call_w', name: 'get_weather' },
  { type: 'tool.call.arguments', ...fn, delta: '{"city":"Paris"}' },
  { type: 'tool.call.done', ...fn, callId: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
  {
    type: 'step.done',
    step: {
      id: 'step_2',
      type: 'tool_calls',
      status: 'completed',
      step_details: JSON.stringify({ type: 'tool_calls', tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null } }] }),
      tool_outputs: JSON.stringify({ 'call_w:item': 'fc_stored_w' }),
    } as RunStepRow,
  },
  { type: 'run.status', run: run('completed') },
];

function frames(): string {
  const encoder = new ResponseStreamEncoder({
    tools: createToolRegistry([
      serverTool('file_search', fileSearchView, fileSearchResponsesView),
      serverTool('code_interpreter', codeInterpreterView, codeInterpreterResponsesView),
    ]),
    include: ['file_search_call.results', 'code_interpreter_call.outputs'],
    fileName: (id) => ({ 'file-a': 'a.txt' })[id],
    snapshot: (r, output) =>
      toResponseObject(
        { model: 'gpt-test' },
        {
          id: 'resp_1',
          created_at: 100,
          status: r.status === 'completed' ? 'completed' : 'in_progress',
          model: 'gpt-test',
          output,
          usage: r.status === 'completed' ? toResponseUsage({ input_tokens: 5, output_tokens: 7 }) : null,
          error: null,
          incomplete_details: null,
          completed_at: null,
        },
      ),
  });
  return toSseFrames(events.flatMap((e) => encoder.encode(e)));
}

describe('the Responses stream as the Vercel AI SDK reads it', () => {
  it('should give the text, its sources, the server tools as provider-executed results and the function call by its stored item, no error', async () => {
    const body = frames();
    const openai = createOpenAI({
      apiKey: 'k',
      baseURL: 'http://sdk.test/v1',
      fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const result = streamText({
      model: openai.responses('gpt-test'),
      prompt: 'Tea?',
      tools: {
        get_weather: tool({ inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }) }),
      },
    });
    const parts = [];
    for await (const part of result.fullStream) parts.push(part);
    assert.deepEqual(parts.filter((p) => p.type === 'error' || p.type === 'tool-error'), []);
    assert.equal(await result.text, 'Tea, see sandbox:/mnt/data/o.csv', 'no citation marker in Responses text');
    assert.deepEqual(
      (await result.sources).map((s) => (s.sourceType === 'document' ? [s.filename, s.providerMetadata?.openai?.fileId] : [])),
      [
        ['a.txt', 'file-a'],
        ['o.csv', 'file-o'],
      ],
    );
    const results = parts.flatMap((p) => (p.type === 'tool-result' ? [[p.toolCallId, p.toolName, p.output]] : []));
    assert.deepEqual(results, [
      ['fs_fs', 'file_search', { queries: ['tea'], results: [{ attributes: {}, fileId: 'file-a', filename: 'a.txt', score: 0.5, text: 'Tea.' }] }],
      ['ci_ci', 'code_interpreter', { outputs: [{ type: 'logs', logs: '1\n' }] }],
    ]);
    assert.deepEqual(
      (await result.toolCalls).filter((c) => !c.providerExecuted).map((c) => [c.toolCallId, c.toolName, c.input, c.providerMetadata?.openai?.itemId]),
      // The item id the AI SDK refers back to (item_reference) is the stored function_call item's.
      [['call_w', 'get_weather', { city: 'Paris' }, 'fc_stored_w']],
    );
    assert.equal(await result.finishReason, 'tool-calls');
    assert.equal((await result.usage).outputTokens, 7);
  });
});
