import type { MessageCreationStepDetails, ToolCall, ToolCallsStepDetails } from 'openai/resources/beta/threads/runs/steps';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type {
  ResponseError,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseStatus,
} from 'openai/resources/responses/responses';
import { notFound } from '../errors.js';
import type { Db } from '../store/database.js';
import { fromJson } from '../store/json.js';
import { findFileNames, findTenantItem, listRunReasoningItems } from '../store/repos/conversation-items.repo.js';
import { findResponse } from '../store/repos/responses.repo.js';
import { listAllRunSteps } from '../store/repos/run-steps.repo.js';
import { findRunById } from '../store/repos/runs.repo.js';
import { citedFileIds, toMessageItem } from '../store/serialize-items.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import type { RunRow, RunStatus } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { ToolRegistry } from '../tools/tool.js';
import { stepLogprobs, stepReasoningId, type StepUsage } from '../engine/run-writer.js';
import type { TokenLogprob } from '../providers/chat-model.js';
import { toOutputLogprob } from '../streaming/response-message-item.js';
import { functionCallItemId, functionCallView } from '../streaming/response-function-call.js';
import { toResponseObject, toResponseUsage, type ResponseObject, type ResponseRequest } from '../streaming/response-object.js';

/** The tenant's response, or 404 "No response found with id '…'." */
export async function getResponseRow(db: Db, tenantId: string, id: string): Promise<ResponseRow> {
  const row = await findResponse(db, tenantId, id);
  // A `store: false` response is kept only while it runs, and never shown — but a background one, which is polled
  // (retrieved, streamed, cancelled) until it lapses after its end (responses-lapse.ts), as OpenAI keeps it.
  if (!row || (row.store === 0 && row.background !== 1)) throw notFound('response', id);
  return row;
}

const STATUS: Record<RunStatus, ResponseStatus> = {
  queued: 'queued',
  in_progress: 'in_progress',
  // A response whose model called the client's functions ends with them (runs with client_calls 'end' complete).
  requires_action: 'completed',
  cancelling: 'cancelled',
  cancelled: 'cancelled',
  failed: 'failed',
  expired: 'failed',
  completed: 'completed',
  incomplete: 'incomplete',
};

/** The Response object of a stored response: the run's state and output under the request's echo. */
export async function buildResponseObject(db: Db, row: ResponseRow, opts: OutputOptions): Promise<ResponseObject> {
  const run = await findRunById(db, row.run_id);
  if (!run) throw notFound('response', row.id);
  return responseSnapshot(row, run, await outputItems(db, run, await listAllRunSteps(db, run.id), opts));
}

/** The response as its run now stands, with the output given (pure: the stream's snapshots use it too). */
export function responseSnapshot(
  row: ResponseRow,
  run: RunRow,
  output: ResponseOutputItem[],
  request: ResponseRequest = fromJson<ResponseRequest>(row.request, {}),
): ResponseObject {
  return toResponseObject(request, {
    id: row.id,
    created_at: Number(row.created_at),
    status: STATUS[run.status],
    model: run.model,
    output,
    usage: responseUsage(run),
    error: responseError(run),
    incomplete_details: run.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    completed_at: run.completed_at,
  });
}

/** The run's tokens, summed over its turns, with the cached and reasoning tokens the upstream reported. */
function responseUsage(run: RunRow): ResponseObject['usage'] {
  const usage = fromJson<StepUsage | null>(run.usage, null);
  if (!usage) return null;
  return toResponseUsage({
    input_tokens: usage.prompt_tokens,
    output_tokens: usage.completion_tokens,
    cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  });
}

function responseError(run: RunRow): ResponseError | null {
  if (run.status !== 'failed' && run.status !== 'expired') return null;
  const last = fromJson<Run.LastError | null>(run.last_error, null);
  if (run.status === 'expired' || !last) return { code: 'server_error', message: last?.message ?? 'The response expired before it ran.' };
  return { code: last.code, message: last.message };
}

/** How tool calls show: each tool's Responses view (as the stream shows them), and what the request's `include` asks for. */
export interface OutputOptions {
  tools: ToolRegistry;
  include: readonly string[];
}

/**
 * The run's steps as output items: the reasoning before each, its messages, the function calls it made, its server
 * tools' calls; then the reasoning of a last turn that only reasoned (no step names it).
 */
async function outputItems(db: Db, run: RunRow, steps: RunStepRow[], opts: OutputOptions): Promise<ResponseOutputItem[]> {
  const out: ResponseOutputItem[] = [];
  const reasoning = new Map((await listRunReasoningItems(db, run)).map((r) => [r.id, r]));
  const takeReasoning = (id: string | undefined) => {
    const row = id === undefined ? undefined : reasoning.get(id);
    if (!row) return;
    reasoning.delete(row.id);
    out.push(fromJson<ResponseReasoningItem>(row.item, { id: row.id, type: 'reasoning', summary: [] }));
  };
  for (const step of steps) {
    takeReasoning(stepReasoningId(step));
    if (step.type === 'message_creation') {
      const details = fromJson<MessageCreationStepDetails>(step.step_details, { type: 'message_creation', message_creation: { message_id: '' } });
      const found = await findTenantItem(db, run.tenant_id, details.message_creation.message_id);
      if (found && 'message' in found) out.push(await toOutputMessage(db, run.tenant_id, found.message, stepLogprobs(step)));
      continue;
    }
    const details = fromJson<ToolCallsStepDetails>(step.step_details, { type: 'tool_calls', tool_calls: [] });
    const outputs = fromJson<Record<string, string>>(step.tool_outputs, {});
    for (const call of details.tool_calls) {
      if (call.type === 'function') out.push(toFunctionCall(functionCallItemId(step, call.id), call.id, call.function));
      else out.push(serverToolCall(call, { threadId: run.thread_id, arguments: outputs[`${call.id}:arguments`] }, opts));
    }
  }
  for (const id of [...reasoning.keys()]) takeReasoning(id);
  return out;
}

/** A stored assistant message as an output `message` item, naming the files its citations point at (with its tokens' logprobs, when asked for). */
async function toOutputMessage(db: Db, tenantId: string, row: MessageRow, logprobs?: TokenLogprob[]): Promise<ResponseOutputMessage> {
  const fileNames = await findFileNames(db, tenantId, [...new Set(citedFileIds(row))]);
  const item = toMessageItem(row, { fileNames, include: new Set() });
  const content = item.content.flatMap((p): ResponseOutputMessage['content'] =>
    p.type === 'output_text' ? [logprobs ? { ...p, logprobs: logprobs.map(toOutputLogprob) } : p] : p.type === 'refusal' ? [p] : [],
  );
  const status = row.status === 'in_progress' || row.status === 'incomplete' ? row.status : 'completed';
  return { id: row.id, type: 'message', role: 'assistant', status, content };
}

/**
 * A server tool's call as its tool's Responses view shows it when the call has ended (the stream's last shape):
 * started, called with the arguments the model gave (file_search's queries), done with its record.
 */
function serverToolCall(call: ToolCall, ctx: { threadId: string; arguments?: string }, opts: OutputOptions): ResponseOutputItem {
  const view = opts.tools.get(call.type)?.responses ?? functionCallView;
  const started = view.start({ id: call.id, name: call.type }, { containerId: ctx.threadId }).item;
  const called = ctx.arguments !== undefined && view.called ? view.called(started, { arguments: ctx.arguments }).item : started;
  return view.done(called, call, opts.include).item;
}

/** A client's function call as its item: the id the engine gave the stored item, as the stream shows it. */
const toFunctionCall = (id: string, callId: string, fn: { name: string; arguments: string }): ResponseFunctionToolCall => ({
  type: 'function_call',
  id,
  call_id: callId,
  name: fn.name,
  arguments: fn.arguments,
  status: 'completed',
});
