/**
 * The Responses stream over the engine's events (pure): one `ResponseStreamEncoder` per streamed response turns
 * each EngineEvent into the `response.*` events OpenAI sends for it, in OpenAI's order, numbered from 0 by
 * `sequence_number`. The HTTP side writes `toSseFrames(events)`.
 *
 * Stable API (the Responses service builds on it):
 * - `new ResponseStreamEncoder({ snapshot, tools, fileName?, include? })`
 *   - `snapshot(run, output)`: the response object for the run as it now stands; `output` is every item the
 *     events have built so far (done items in their final shape). Called for `response.created`,
 *     `response.in_progress` and the terminal event.
 *   - `tools`: the registry; a tool's `responses` view shapes its calls' items (tools/tool.ts), a call without
 *     one shows as the model's `function_call`.
 *   - `fileName(fileId)`: a cited file's name for the annotations (else '' — or, for a file the code wrote, the
 *     name in its path).
 *   - `include`: the request's `include` (`file_search_call.results`, `code_interpreter_call.outputs`).
 * - `encode(event)` → the events for it (none, one or several); nothing after the terminal event.
 * - `error({ code, message, param })` → the `error` event for a failure mid-stream, numbered in turn.
 * - `output`: the items built so far. `ended`: the terminal event was sent.
 *
 * Events are typed `ResponseWireEvent` (response-events.ts): the SDK's ResponseStreamEvent with our ResponseObject.
 *
 * Lifecycle: `run.created` (or the first run status seen) → `response.created`; the run in progress →
 * `response.in_progress`; completed or requires_action (the client's function calls end a response) →
 * `response.completed`; incomplete → `response.incomplete`; failed, cancelled, expired → `response.failed`.
 */
import type { ToolCall, ToolCallsStepDetails } from 'openai/resources/beta/threads/runs/steps';
import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import type { EngineEvent } from '../engine/engine-events.js';
import type { RunRow, RunStatus } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { ResponsesCallEvent, ResponsesToolView, ToolRegistry } from '../tools/tool.js';
import type { ResponseObject } from './response-object.js';
import type { Lifecycle, ResponseWireEvent, UnnumberedEvent } from './response-events.js';
import { functionCallView } from './response-function-call.js';
import { MessageItem } from './response-message-item.js';
import { sseEvent } from './sse.js';

export interface ResponseStreamOptions {
  snapshot(run: RunRow, output: ResponseOutputItem[]): ResponseObject;
  tools: ToolRegistry;
  fileName?(fileId: string): string | undefined;
  include?: readonly string[];
}

/** How a run's terminal status ends the stream. */
const TERMINAL: Partial<Record<RunStatus, Exclude<Lifecycle, 'response.created' | 'response.in_progress'>>> = {
  completed: 'response.completed',
  requires_action: 'response.completed',
  incomplete: 'response.incomplete',
  failed: 'response.failed',
  cancelled: 'response.failed',
  expired: 'response.failed',
};

/** A call being shown: its item's place, the view that shapes it, and whether it ends with its step. */
interface OpenCall {
  outputIndex: number;
  callId: string;
  view: ResponsesToolView;
  item: ResponseOutputItem;
  /** A server tool's call ends with its step (its record); a client function's as soon as the model wrote it. */
  endsWithStep: boolean;
}

export class ResponseStreamEncoder {
  readonly #opts: ResponseStreamOptions;
  readonly #output: ResponseOutputItem[] = [];
  readonly #messages = new Map<string, MessageItem>();
  /** Open calls by `stepId:index`. */
  readonly #calls = new Map<string, OpenCall>();
  #seq = 0;
  #created = false;
  #inProgress = false;
  #ended = false;
  #threadId = '';

  constructor(opts: ResponseStreamOptions) {
    this.#opts = opts;
  }

  get output(): ResponseOutputItem[] {
    return [...this.#output];
  }

  get ended(): boolean {
    return this.#ended;
  }

  encode(event: EngineEvent): ResponseWireEvent[] {
    if (this.#ended) return [];
    const out: UnnumberedEvent[] = [];
    this.#encode(event, out);
    return out.map((e) => this.#number(e));
  }

  /** A failure mid-stream, as OpenAI sends one. */
  error(e: { code: string | null; message: string; param: string | null }): ResponseWireEvent {
    return this.#number({ type: 'error', code: e.code, message: e.message, param: e.param });
  }

  #number(e: UnnumberedEvent): ResponseWireEvent {
    return { ...e, sequence_number: this.#seq++ } as ResponseWireEvent;
  }

  #encode(event: EngineEvent, out: UnnumberedEvent[]): void {
    switch (event.type) {
      case 'run.created':
      case 'run.status':
        return this.#runEvent(event.run, out);
      case 'message.started':
        return this.#startMessage(event.message.id, event.message.thread_id, out);
      case 'message.text':
        this.#messages.get(event.messageId)?.text(event.text, event.annotations, out);
        return;
      case 'message.done': {
        const message = this.#messages.get(event.message.id);
        if (!message) return;
        this.#messages.delete(event.message.id);
        this.#output[message.outputIndex] = message.done(event.message.status === 'incomplete' ? 'incomplete' : 'completed', out);
        return;
      }
      case 'tool.call.started':
        return this.#startCall(event, out);
      case 'tool.call.arguments': {
        const call = this.#calls.get(callKey(event));
        if (call?.view.arguments) this.#apply(call, call.view.arguments(call.item, { arguments: event.delta, input: event.input }), out);
        return;
      }
      case 'tool.call.done':
        return this.#called(event, out);
      case 'step.done':
        return this.#stepDone(event.step, out);
      case 'thread.created':
      case 'step.started':
      case 'message.images':
      case 'tool.progress':
      case 'tool.output':
      case 'turn.usage':
        // The response shows these through its items (a call's record at its step's end) and the final snapshot.
        return;
    }
  }

  #runEvent(run: RunRow, out: UnnumberedEvent[]): void {
    this.#threadId = run.thread_id;
    if (!this.#created) {
      this.#created = true;
      out.push({ type: 'response.created', response: this.#opts.snapshot(run, this.output) });
    }
    if (run.status === 'in_progress' && !this.#inProgress) {
      this.#inProgress = true;
      out.push({ type: 'response.in_progress', response: this.#opts.snapshot(run, this.output) });
    }
    const terminal = TERMINAL[run.status];
    if (!terminal) return;
    this.#closeAll(out);
    this.#ended = true;
    out.push({ type: terminal, response: this.#opts.snapshot(run, this.output) });
  }

  #startMessage(id: string, threadId: string, out: UnnumberedEvent[]): void {
    const message = new MessageItem(id, this.#output.length, {
      containerId: threadId || this.#threadId,
      fileName: (fileId) => this.#opts.fileName?.(fileId),
    });
    this.#messages.set(id, message);
    this.#output.push(message.start(out));
  }

  #startCall(event: Extract<EngineEvent, { type: 'tool.call.started' }>, out: UnnumberedEvent[]): void {
    const tool = this.#opts.tools.get(event.tool);
    const view = tool?.responses ?? functionCallView;
    const started = view.start({ id: event.callId, name: event.name }, { containerId: this.#threadId });
    const call: OpenCall = {
      outputIndex: this.#output.length,
      callId: event.callId,
      view,
      item: started.item,
      endsWithStep: Boolean(tool?.execute && tool.responses),
    };
    this.#calls.set(callKey(event), call);
    this.#output.push(started.item);
    out.push({ type: 'response.output_item.added', output_index: call.outputIndex, item: started.item });
    this.#apply(call, { item: started.item, events: started.events }, out);
  }

  #called(event: Extract<EngineEvent, { type: 'tool.call.done' }>, out: UnnumberedEvent[]): void {
    const key = callKey(event);
    const call = this.#calls.get(key);
    if (!call) return;
    if (call.view.called) this.#apply(call, call.view.called(call.item, { arguments: event.arguments }), out);
    if (!call.endsWithStep) this.#finish(key, call, undefined, out);
  }

  /** A tool step ended: each of its calls still open ends with the step's record of it. */
  #stepDone(step: RunStepRow, out: UnnumberedEvent[]): void {
    const records = step.type === 'tool_calls' ? recordsOf(step) : [];
    for (const [key, call] of this.#calls)
      if (key.startsWith(`${step.id}:`)) this.#finish(key, call, records.find((r) => r.id === call.callId), out);
  }

  /** Before the terminal event: whatever is still open ends as it stands. */
  #closeAll(out: UnnumberedEvent[]): void {
    for (const [id, message] of this.#messages) {
      this.#messages.delete(id);
      this.#output[message.outputIndex] = message.done('incomplete', out);
    }
    for (const [key, call] of this.#calls) this.#finish(key, call, undefined, out);
  }

  #finish(key: string, call: OpenCall, record: ToolCall | undefined, out: UnnumberedEvent[]): void {
    this.#calls.delete(key);
    this.#apply(call, call.view.done(call.item, record, this.#opts.include ?? []), out);
    out.push({ type: 'response.output_item.done', output_index: call.outputIndex, item: call.item });
  }

  /** The view's update: the call's item as it now stands, and its events placed on the item. */
  #apply(call: OpenCall, update: { item: ResponseOutputItem; events: ResponsesCallEvent[] }, out: UnnumberedEvent[]): void {
    call.item = update.item;
    this.#output[call.outputIndex] = update.item;
    const itemId = update.item.id ?? '';
    for (const e of update.events) out.push({ ...e, item_id: itemId, output_index: call.outputIndex } as UnnumberedEvent);
  }
}

/** Each event framed for SSE, its `event:` line naming its type. */
export function toSseFrames(events: readonly ResponseWireEvent[]): string {
  return events.map((e) => sseEvent(e.type, JSON.stringify(e))).join('');
}

const callKey = (ref: { stepId: string; index: number }): string => `${ref.stepId}:${ref.index}`;

function recordsOf(step: RunStepRow): ToolCall[] {
  try {
    const details = JSON.parse(step.step_details) as Partial<ToolCallsStepDetails>;
    return Array.isArray(details.tool_calls) ? details.tool_calls : [];
  } catch {
    return [];
  }
}
export type { ResponseWireEvent, UnnumberedEvent } from './response-events.js';
