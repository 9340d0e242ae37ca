import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response, ResponseOutputItem, ResponseStatus, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { EngineEvent } from '../../src/engine/engine-events.js';
import type { MessageRow } from '../../src/store/tables/messages.table.js';
import type { RunRow } from '../../src/store/tables/runs.table.js';
import type { RunStepRow } from '../../src/store/tables/run-steps.table.js';
import { toResponseObject, type ResponseObject } from '../../src/streaming/response-object.js';
import { ResponseStreamEncoder, toSseFrames, type ResponseWireEvent } from '../../src/streaming/response-stream.js';
import { codeInterpreterResponsesView, codeInterpreterView } from '../../src/tools/code-interpreter.js';
import { fileSearchResponsesView, fileSearchView } from '../../src/tools/file-search.js';
import { createToolRegistry } from '../../src/tools/registry.js';
import type { AssistantsToolView, ResponsesToolView, Tool } from '../../src/tools/tool.js';

/**
 * Scripted engine events for the Responses stream encoder's tests (src/streaming/response-stream*.test.ts): rows as
 * the events carry them, the service's snapshot, the built-in tools' views, and the official SDKs (latest and 4.x)
 * reading the encoder's frames.
 */

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
export const snapshot = (run: RunRow, output: ResponseOutputItem[]): ResponseObject =>
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

export const run = (status: RunRow['status']) => ({ id: 'resp_1', thread_id: 'thread_1', status }) as RunRow;
export const message = (status: MessageRow['status']) => ({ id: 'msg_1', thread_id: 'thread_1', status }) as MessageRow;
export const step = (id: string, type: RunStepRow['type'], status: RunStepRow['status'], toolCalls: unknown[] = []) =>
  ({ id, type, status, step_details: JSON.stringify(type === 'tool_calls' ? { type, tool_calls: toolCalls } : { type }) }) as RunStepRow;

export const functionTool: Tool = {
  type: 'function',
  definition: () => ({ type: 'function', function: { name: 'f' } }),
  assistants: { start: ({ id }) => ({ id, type: 'function' }), arguments: () => undefined },
};

/** A server tool as the encoder sees it: its views, and that it runs here (it is never run by these tests). */
export const serverTool = (type: string, assistants: AssistantsToolView, responses: ResponsesToolView): Tool => ({
  type,
  definition: () => ({ type: 'function', function: { name: type } }),
  execute: () => Promise.reject(new Error('not run by the encoder')),
  assistants,
  responses,
});
export const builtIns = [
  functionTool,
  serverTool('file_search', fileSearchView, fileSearchResponsesView),
  serverTool('code_interpreter', codeInterpreterView, codeInterpreterResponsesView),
];

export function encodeAll(
  events: EngineEvent[],
  opts: { tools?: Tool[]; include?: string[]; background?: boolean; fileNames?: Record<string, string> } = {},
): { out: ResponseWireEvent[]; encoder: ResponseStreamEncoder } {
  const fileNames = opts.fileNames ?? { 'file-a': 'a.txt' };
  const encoder = new ResponseStreamEncoder({
    snapshot,
    tools: createToolRegistry(opts.tools ?? builtIns),
    fileName: (id) => fileNames[id],
    include: opts.include,
    background: opts.background,
  });
  return { out: events.flatMap((e) => encoder.encode(e)), encoder };
}

/** What the official SDK's stream helper makes of the frames: its final response, and each event it read. */
export async function throughSdk(out: ResponseWireEvent[]): Promise<{ final: Response; events: string[] }> {
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
export async function throughSdkV4(out: ResponseWireEvent[]): Promise<unknown> {
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
export function unparsed(final: unknown): unknown {
  const added = new Set(['parsed', 'parsed_arguments', 'output_parsed', 'output_text']);
  return JSON.parse(JSON.stringify(final, (key, value: unknown) => (added.has(key) ? undefined : value)));
}

/** The SDK's accumulator over every event before the terminal one: the output the events built. */
export function accumulatedOutput(out: ResponseWireEvent[]): ResponseOutputItem[] {
  let acc: Response | undefined;
  // Lifecycle events carry the wire object; the accumulator reads the same fields.
  for (const e of out.slice(0, -1)) acc = accumulateResponse(e as ResponseStreamEvent, acc);
  return acc?.output ?? [];
}

export const lifecycle = (type: ResponseWireEvent['type'], status: RunRow['status'], output: ResponseOutputItem[], seq: number) => ({
  type,
  response: snapshot(run(status), output),
  sequence_number: seq,
});

export const started: EngineEvent[] = [
  { type: 'run.created', run: run('queued') },
  { type: 'run.status', run: run('in_progress') },
];
