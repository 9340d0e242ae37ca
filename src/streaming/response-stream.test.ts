import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type {
  Response,
  ResponseCodeInterpreterToolCall,
  ResponseFileSearchToolCall,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputText,
  ResponseStatus,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import type { EngineEvent, TextAnnotation } from '../engine/engine-events.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { codeInterpreterResponsesView, codeInterpreterView } from '../tools/code-interpreter.js';
import { fileSearchResponsesView, fileSearchView } from '../tools/file-search.js';
import { createToolRegistry } from '../tools/registry.js';
import type { AssistantsToolView, ResponsesToolView, Tool } from '../tools/tool.js';
import { toResponseObject, type ResponseObject } from './response-object.js';
import { ResponseStreamEncoder, toSseFrames, type ResponseWireEvent } from './response-stream.js';

const RESPONSE_STATUS: Record<RunRow['status'], ResponseStatus> = {
  queued: 'queued',
  in_progress: 'in_progress',
  requires_action: 'completed',
  cancelling: 'in_progress',
  cancelled: 'cancelled',
  failed: 'failed',
  completed: 'completed',
  incomplete: 'incomplete',
  expired: 'failed',
};

/** The service's part, as a test stands in for it: the response object for the run as it stands. */
const snapshot = (run: RunRow, output: ResponseOutputItem[]): ResponseObject =>
  toResponseObject(
    { model: 'gpt-test' },
    {
      id: 'resp_1',
      created_at: 100,
      status: RESPONSE_STATUS[run.status],
      model: 'gpt-test',
      output,
      usage: null,
      error: run.status === 'failed' ? { code: 'server_error', message: 'The model failed.' } : null,
      incomplete_details: run.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      completed_at: run.status === 'completed' ? 200 : null,
    },
  );

const run = (status: RunRow['status']) => ({ id: 'resp_1', thread_id: 'thread_1', status }) as RunRow;
const message = (status: MessageRow['status']) => ({ id: 'msg_1', thread_id: 'thread_1', status }) as MessageRow;
const step = (id: string, type: RunStepRow['type'], status: RunStepRow['status'], toolCalls: unknown[] = []) =>
  ({ id, type, status, step_details: JSON.stringify(type === 'tool_calls' ? { type, tool_calls: toolCalls } : { type }) }) as RunStepRow;

const functionTool: Tool = {
  type: 'function',
  definition: () => ({ type: 'function', function: { name: 'f' } }),
  assistants: { start: ({ id }) => ({ id, type: 'function' }), arguments: () => undefined },
};

/** A server tool as the encoder sees it: its views, and that it runs here (it is never run by these tests). */
const serverTool = (type: string, assistants: AssistantsToolView, responses: ResponsesToolView): Tool => ({
  type,
  definition: () => ({ type: 'function', function: { name: type } }),
  execute: () => Promise.reject(new Error('not run by the encoder')),
  assistants,
  responses,
});
const builtIns = [
  functionTool,
  serverTool('file_search', fileSearchView, fileSearchResponsesView),
  serverTool('code_interpreter', codeInterpreterView, codeInterpreterResponsesView),
];

function encodeAll(events: EngineEvent[], opts: { tools?: Tool[]; include?: string[]; background?: boolean } = {}): { out: ResponseWireEvent[]; encoder: ResponseStreamEncoder } {
  const encoder = new ResponseStreamEncoder({
    snapshot,
    tools: createToolRegistry(opts.tools ?? builtIns),
    fileName: (id) => ({ 'file-a': 'a.txt' })[id],
    include: opts.include,
    background: opts.background,
  });
  return { out: events.flatMap((e) => encoder.encode(e)), encoder };
}

/** What the official SDK's stream helper makes of the frames: its final response, and each event it read. */
async function throughSdk(out: ResponseWireEvent[]): Promise<{ final: Response; events: string[] }> {
  const body = toSseFrames(out);
  const client = new OpenAI({
    apiKey: 'k',
    baseURL: 'http://sdk.test/v1',
    maxRetries: 0,
    fetch: async () => new globalThis.Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.responses.stream({ model: 'gpt-test', input: 'hi' });
  const events: string[] = [];
  stream.on('event', (e) => events.push(e.type));
  return { final: await stream.finalResponse(), events };
}

/** The 4.x SDK's stream helper over the same frames, served on 127.0.0.1 (its fetch is node-fetch's): its final response. */
async function throughSdkV4(out: ResponseWireEvent[]): Promise<unknown> {
  const body = toSseFrames(out);
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(body));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const client = new OpenAIv4({ apiKey: 'k', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
    return await client.responses.stream({ model: 'gpt-test', input: 'hi' }).finalResponse();
  } finally {
    server.close();
  }
}

/** The SDK's final response without what its parser adds (`parsed`, `parsed_arguments`, `output_parsed`, `output_text`). */
function unparsed(final: unknown): unknown {
  const added = new Set(['parsed', 'parsed_arguments', 'output_parsed', 'output_text']);
  return JSON.parse(JSON.stringify(final, (key, value: unknown) => (added.has(key) ? undefined : value)));
}

/** The SDK's accumulator over every event before the terminal one: the output the events built. */
function accumulatedOutput(out: ResponseWireEvent[]): ResponseOutputItem[] {
  let acc: Response | undefined;
  // Lifecycle events carry the wire object; the accumulator reads the same fields.
  for (const e of out.slice(0, -1)) acc = accumulateResponse(e as ResponseStreamEvent, acc);
  return acc?.output ?? [];
}

const lifecycle = (type: ResponseWireEvent['type'], status: RunRow['status'], output: ResponseOutputItem[], seq: number) => ({
  type,
  response: snapshot(run(status), output),
  sequence_number: seq,
});

const started: EngineEvent[] = [
  { type: 'run.created', run: run('queued') },
  { type: 'run.status', run: run('in_progress') },
];

describe('ResponseStreamEncoder', () => {
  it('should stream a text answer: item, part, deltas, the annotation as the text completes it, then done, numbered from 0', async () => {
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
    const text = 'Hello 【0:0†a.txt】 world';
    const part: ResponseOutputText = { type: 'output_text', text, annotations: [annotation], logprobs: [] };
    const item: ResponseOutputMessage = { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [part] };
    const middle = [
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] }, sequence_number: 2 },
      { type: 'response.content_part.added', ...place, part: { type: 'output_text', text: '', annotations: [], logprobs: [] }, sequence_number: 3 },
      { type: 'response.output_text.delta', ...place, delta: 'Hello ', logprobs: [], sequence_number: 4 },
      { type: 'response.output_text.delta', ...place, delta: '【0:0†a.txt】 world', logprobs: [], sequence_number: 5 },
      { type: 'response.output_text.annotation.added', ...place, annotation_index: 0, annotation, sequence_number: 6 },
      { type: 'response.output_text.done', ...place, text, logprobs: [], sequence_number: 7 },
      { type: 'response.content_part.done', ...place, part, sequence_number: 8 },
      { type: 'response.output_item.done', output_index: 0, item, sequence_number: 9 },
    ] satisfies ResponseStreamEvent[];
    assert.deepEqual(out, [
      lifecycle('response.created', 'queued', [], 0),
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
