import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type {
  Response,
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
import { createToolRegistry } from '../tools/registry.js';
import type { Tool } from '../tools/tool.js';
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

function encodeAll(events: EngineEvent[], opts: { tools?: Tool[]; include?: string[] } = {}): { out: ResponseWireEvent[]; encoder: ResponseStreamEncoder } {
  const encoder = new ResponseStreamEncoder({
    snapshot,
    tools: createToolRegistry(opts.tools ?? [functionTool]),
    fileName: (id) => ({ 'file-a': 'a.txt' })[id],
    include: opts.include,
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

/** The SDK's final response without what its parser adds (`parsed`, `parsed_arguments`, `output_parsed`, `output_text`). */
function unparsed(final: Response): unknown {
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
  });

  it('should close the message before a call of the same turn, and give each its own output index', async () => {
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
        [9, 'response.output_item.added', 2],
        [10, 'response.function_call_arguments.delta', 2],
        [11, 'response.function_call_arguments.done', 1],
        [12, 'response.output_item.done', 1],
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

  it('should number an error event in turn and frame every event with an event line naming its type', () => {
    const encoder = new ResponseStreamEncoder({ snapshot, tools: createToolRegistry([]) });
    const first = encoder.encode({ type: 'run.created', run: run('in_progress') });
    const error = encoder.error({ code: 'server_error', message: 'Upstream broke.', param: null });
    assert.deepEqual(error, { type: 'error', code: 'server_error', message: 'Upstream broke.', param: null, sequence_number: 2 } satisfies ResponseStreamEvent);
    assert.equal(
      toSseFrames([error]),
      'event: error\ndata: {"type":"error","code":"server_error","message":"Upstream broke.","param":null,"sequence_number":2}\n\n',
    );
    assert.deepEqual(first.map((e) => e.type), ['response.created', 'response.in_progress']);
  });
});
