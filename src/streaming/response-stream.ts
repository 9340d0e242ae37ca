/**
 * The Responses stream over the engine's events (pure): one `ResponseStreamEncoder` per streamed response turns
 * each EngineEvent into the `response.*` events OpenAI sends for it, in OpenAI's order, numbered from 0 by
 * `sequence_number`. The HTTP side writes `toSseFrames(events)`.
 *
 * Stable API (the Responses service builds on it):
 * - `new ResponseStreamEncoder({ snapshot, tools, fileName?, include?, background? })`
 *   - `snapshot(run, output)`: the response object for the run as it now stands; `output` is every item the
 *     events have built so far (done items in their final shape). Called for `response.created`,
 *     `response.in_progress` and the terminal event.
 *   - `tools`: the registry; a tool's `responses` view shapes its calls' items (tools/tool.ts), a call without
 *     one shows as the model's `function_call`.
 *   - `fileName(fileId)`: a cited file's name for the annotations (else '' — or, for a file the code wrote, the
 *     name in its path).
 *   - `include`: the request's `include` (`file_search_call.results`, `code_interpreter_call.outputs`).
 *   - `background`: a background response, announced `response.queued` after `response.created` while queued.
 * - `encode(event)` → the events for it (none, one or several); nothing after the terminal event.
 * - `error({ code, message, param })` → the `error` event for a failure mid-stream, numbered in turn.
 * - `output`: the items built so far. `ended`: the terminal event was sent.
 *
 * Events are typed `ResponseWireEvent` (response-events.ts): the SDK's ResponseStreamEvent with our ResponseObject.
 *
 * Lifecycle: `run.created` (or the first run status seen) → `response.created` (then `response.queued` for a
 * queued background response); the run in progress → `response.in_progress`; completed or requires_action (the
 * client's function calls end a response) → `response.completed`; incomplete → `response.incomplete`; failed,
 * cancelled, expired → `response.failed` (the spec has no event for a cancelled response; its snapshot says so).
 *
 * Reasoning (`reasoning.text` … `reasoning.done`) is a `reasoning` item named as the engine names the thread's
 * reasoning item (`rs_…`), with its text as one `reasoning_text` part (response-reasoning-item.ts).
 *
 * Item ids: a message item is its message (`msg_…`). A client's function call is held until its step ends and then
 * shown whole (added, argument deltas, done), named as the engine named its function_call item (the step's
 * tool_outputs `<call id>:item`, runs with client_calls `end`) so the stream shows the id the stored item keeps;
 * without a name (its step left open, the run waiting on the client) it is shown before the terminal event as
 * `callItemId('fc', callId)`. Server calls show as the model writes them, as `callItemId('fs' | 'ci', callId)`
 * (tools/tool.ts: the prefix + the call id without `call_`). A read of the response names a function call's item
 * with `functionCallItemId(step, callId)` (response-function-call.ts), as the stream does.
 * A server call ends with its step's record (`step.done`); one still open at the terminal event (its step was left
 * in progress beside a client function call, or the run stopped) ends there, without a record, as incomplete.
 */
import type { ToolCall, ToolCallsStepDetails } from 'openai/resources/beta/threads/runs/steps';
import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import type { EngineEvent } from '../engine/engine-events.js';
import type { RunRow, RunStatus } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { ResponsesCallEvent, ResponsesToolView, ToolRegistry } from '../tools/tool.js';
import type { ResponseObject } from './response-object.js';
import type { ResponseWireEvent, UnnumberedEvent } from './response-events.js';
import { functionCallItemId, functionCallView } from './response-function-call.js';
import { MessageItem } from './response-message-item.js';
import { ReasoningItem } from './response-reasoning-item.js';
import type { ResponseEventJson } from './response-json.js';
import { sseJsonEvent } from './sse.js';

export interface ResponseStreamOptions {
  snapshot(run: RunRow, output: ResponseOutputItem[]): ResponseObject;
  tools: ToolRegistry;
  fileName?(fileId: string): string | undefined;
  include?: readonly string[];
  background?: boolean;
}

/** How a run's terminal status ends the stream. */
const TERMINAL: Partial<Record<RunStatus, 'response.completed' | 'response.incomplete' | 'response.failed'>> = {
  completed: 'response.completed',
  requires_action: 'response.completed',
  incomplete: 'response.incomplete',
  failed: 'response.failed',
  cancelled: 'response.failed',
  expired: 'response.failed',
};

/** A call being shown: its item's place, and the view that shapes it. */
interface OpenCall {
  outputIndex: number;
  callId: string;
  view: ResponsesToolView;
  item: ResponseOutputItem;
}

/**
 * A client's function call held until its step ends: the engine names its function_call item then (the step's
 * tool_outputs `<call id>:item`), and the stream shows the id the item keeps.
 */
interface HeldCall {
  stepId: string;
  callId: string;
  name: string;
  view: ResponsesToolView;
  deltas: Array<{ arguments: string; input?: string }>;
  /** The whole arguments, once the model finished the call. */
  arguments?: string;
}

export class ResponseStreamEncoder {
  readonly #opts: ResponseStreamOptions;
  readonly #output: ResponseOutputItem[] = [];
  readonly #messages = new Map<string, MessageItem>();
  /** Reasoning items being streamed, by id (the thread's reasoning item the engine records). */
  readonly #reasoning = new Map<string, ReasoningItem>();
  /** Open calls by `stepId:index`. */
  readonly #calls = new Map<string, OpenCall>();
  /** Client calls not shown yet, by `stepId:index`. */
  readonly #held = new Map<string, HeldCall>();
  /** The names of the files this response's file_search calls found, for the citations that follow. */
  readonly #foundNames = new Map<string, string>();
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

  /** Numbered in place: the event was made for this stream, and a copy of each cost more than its numbering. */
  #number(e: UnnumberedEvent): ResponseWireEvent {
    const numbered: UnnumberedEvent & { sequence_number?: number } = e;
    numbered.sequence_number = this.#seq++;
    return numbered as ResponseWireEvent;
  }

  #encode(event: EngineEvent, out: UnnumberedEvent[]): void {
    switch (event.type) {
      case 'run.created':
      case 'run.status':
        return this.#runEvent(event.run, out);
      case 'message.started':
        return this.#startMessage(event.message.id, event.message.thread_id, out);
      case 'message.text':
        this.#messages.get(event.messageId)?.text(event.text, event.annotations, out, event.logprobs);
        return;
      case 'message.done': {
        const message = this.#messages.get(event.message.id);
        if (!message) return;
        this.#messages.delete(event.message.id);
        this.#output[message.outputIndex] = message.done(event.message.status === 'incomplete' ? 'incomplete' : 'completed', out);
        return;
      }
      case 'reasoning.text':
        return this.#reason(event.reasoningId, event.text, out);
      case 'reasoning.done': {
        const reasoning = this.#reasoning.get(event.reasoningId);
        if (!reasoning) return;
        this.#reasoning.delete(event.reasoningId);
        this.#output[reasoning.outputIndex] = reasoning.done(event.status, out);
        return;
      }
      case 'tool.call.started':
        return this.#startCall(event, out);
      case 'tool.call.arguments':
        return this.#arguments(event, out);
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
      // A response that is not in the background runs at once: OpenAI's stream shows it created `in_progress`
      // (its run is still `queued` for the instant before the driver takes it).
      const shown = !this.#opts.background && run.status === 'queued' ? { ...run, status: 'in_progress' as const } : run;
      out.push({ type: 'response.created', response: this.#opts.snapshot(shown, this.output) });
      if (this.#opts.background && run.status === 'queued') out.push({ type: 'response.queued', response: this.#opts.snapshot(run, this.output) });
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
      fileName: (fileId) => this.#opts.fileName?.(fileId) ?? this.#foundNames.get(fileId),
    });
    this.#messages.set(id, message);
    this.#output.push(message.start(out));
  }

  /** A piece of reasoning; its first piece adds the reasoning item (before the message or calls it leads to). */
  #reason(id: string, text: string, out: UnnumberedEvent[]): void {
    let reasoning = this.#reasoning.get(id);
    if (!reasoning) {
      this.#reasoning.set(id, (reasoning = new ReasoningItem(id, this.#output.length)));
      this.#output.push(reasoning.start(out));
    }
    reasoning.text(text, out);
  }

  #startCall(event: Extract<EngineEvent, { type: 'tool.call.started' }>, out: UnnumberedEvent[]): void {
    const tool = this.#opts.tools.get(event.tool);
    const call = { stepId: event.stepId, callId: event.callId, name: event.name, deltas: [] };
    // A server tool's call shows as the model writes it; a client's function call once its item is named.
    if (tool?.execute && tool.responses) this.#open(callKey(event), tool.responses, call, undefined, out);
    else this.#held.set(callKey(event), { ...call, view: tool?.responses ?? functionCallView });
  }

  /** A call's item added (named `itemId` when the step named it), and the events right after it. */
  #open(key: string, view: ResponsesToolView, call: { callId: string; name: string }, itemId: string | undefined, out: UnnumberedEvent[]) {
    const started = view.start({ id: call.callId, name: call.name }, { containerId: this.#threadId });
    const item = itemId ? { ...started.item, id: itemId } : started.item;
    const open: OpenCall = { outputIndex: this.#output.length, callId: call.callId, view, item };
    this.#calls.set(key, open);
    this.#output.push(item);
    out.push({ type: 'response.output_item.added', output_index: open.outputIndex, item });
    this.#apply(open, { item, events: started.events }, out);
    return open;
  }

  #arguments(event: Extract<EngineEvent, { type: 'tool.call.arguments' }>, out: UnnumberedEvent[]): void {
    const delta = { arguments: event.delta, input: event.input };
    const held = this.#held.get(callKey(event));
    const call = this.#calls.get(callKey(event));
    if (held) held.deltas.push(delta);
    else if (call?.view.arguments) this.#apply(call, call.view.arguments(call.item, delta), out);
  }

  #called(event: Extract<EngineEvent, { type: 'tool.call.done' }>, out: UnnumberedEvent[]): void {
    const held = this.#held.get(callKey(event));
    const call = this.#calls.get(callKey(event));
    if (held) held.arguments = event.arguments;
    else if (call?.view.called) this.#apply(call, call.view.called(call.item, { arguments: event.arguments }), out);
  }

  /** A tool step ended: its client calls show, named as the step names their items; its server calls end with their records. */
  #stepDone(step: RunStepRow, out: UnnumberedEvent[]): void {
    if (step.type !== 'tool_calls') return;
    for (const [key, held] of this.#held)
      if (held.stepId === step.id) this.#release(key, held, { itemId: functionCallItemId(step, held.callId), ended: step.status === 'completed' }, out);
    const records = recordsOf(step);
    for (const r of records) if (r.type === 'file_search') for (const hit of r.file_search.results ?? []) this.#foundNames.set(hit.file_id, hit.file_name);
    for (const [key, call] of this.#calls)
      if (key.startsWith(`${step.id}:`)) this.#finish(key, call, records.find((r) => r.id === call.callId), out);
  }

  /**
   * A held call shown whole: added, its argument pieces, done (when the model finished it and its step was not cut
   * short — else the item ends incomplete), and its item done.
   */
  #release(key: string, held: HeldCall, opts: { itemId?: string; ended: boolean }, out: UnnumberedEvent[]): void {
    this.#held.delete(key);
    const call = this.#open(key, held.view, held, opts.itemId, out);
    for (const delta of held.deltas) if (call.view.arguments) this.#apply(call, call.view.arguments(call.item, delta), out);
    if (opts.ended && held.arguments !== undefined && call.view.called)
      this.#apply(call, call.view.called(call.item, { arguments: held.arguments }), out);
    this.#finish(key, call, undefined, out);
  }

  /** Before the terminal event: whatever is still open ends as it stands. */
  #closeAll(out: UnnumberedEvent[]): void {
    for (const [id, reasoning] of this.#reasoning) {
      this.#reasoning.delete(id);
      this.#output[reasoning.outputIndex] = reasoning.done('incomplete', out);
    }
    for (const [id, message] of this.#messages) {
      this.#messages.delete(id);
      this.#output[message.outputIndex] = message.done('incomplete', out);
    }
    for (const [key, held] of this.#held) this.#release(key, held, { ended: true }, out);
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
    for (const e of update.events) out.push({ ...e, item_id: itemId, output_index: call.outputIndex });
  }
}

/**
 * Each event framed for SSE, its `event:` line naming its type; `json`: the stream's serialiser, which writes its
 * response's echo once (ResponseEventJson). JSON.stringify writes no raw newline: each event is one `data:` line.
 */
export function toSseFrames(events: readonly ResponseWireEvent[], json?: ResponseEventJson): string {
  let out = '';
  for (const e of events) out += sseJsonEvent(e.type, json ? json.stringify(e) : JSON.stringify(e));
  return out;
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
export { functionCallItemId } from './response-function-call.js';
