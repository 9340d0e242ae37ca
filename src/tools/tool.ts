import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { ToolCall, ToolCallDelta } from 'openai/resources/beta/threads/runs/steps';
import type { ResponseOutputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { ID_PREFIXES } from '../ids.js';
import type { ModelTool } from '../providers/chat-model.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { AnnotationSource } from './text-annotator.js';

/** What a server-side tool knows about the run it works for. */
export interface ToolContext {
  tenantId: string;
  /** The API key that created the run (usage is metered under it). */
  apiKeyId?: string;
  threadId: string;
  runId: string;
  assistantId: string;
  /** The run's tool_resources merged from the assistant and the thread. */
  toolResources: Record<string, unknown> | null;
  /** The assistant tool entry being called, with its options (file_search max_num_results…). */
  tool: AssistantTool;
  /** This call's position among the run's server-tool calls (citation markers use it). */
  callIndex: number;
  abortSignal: AbortSignal;
  /** Announces what the call has done so far (code_interpreter's output as it comes). */
  emit(progress: ToolProgress): void;
}

/**
 * A call's progress before its result, in Switchboard's own terms: a piece of the call's output
 * at `output` (its place among the call's outputs): text logs, or an image file.
 */
export type ToolProgress =
  | { output: number; kind: 'logs'; logs: string }
  | { output: number; kind: 'image'; fileId: string };

/** A step delta's tool call without its index (the encoder knows where the call stands). */
export type ToolCallDeltaBody = ToolCallDelta extends infer D ? (D extends ToolCallDelta ? Omit<D, 'index'> : never) : never;

/** What the run knows before any call: enough to tell the model about the run's files. */
export type ToolRunContext = Omit<ToolContext, 'callIndex' | 'emit' | 'tool'>;

/** How a call of the tool shows in Assistants `thread.run.step.delta` events. */
export interface AssistantsToolView {
  /** The delta that announces the call. */
  start(call: { id: string; name: string }): ToolCallDeltaBody;
  /** A piece of the arguments as the model writes them, with the tool's visible input it adds (if any). */
  arguments(delta: { arguments: string; input?: string }): ToolCallDeltaBody | undefined;
  /** A piece of the call's output before its result. */
  progress?(progress: ToolProgress): ToolCallDeltaBody;
  /** How a recorded call shows in a run step object, given the request's `include[]` (without it: as recorded). */
  shown?(call: ToolCall, include: readonly string[]): ToolCall;
}

/**
 * An event on one call's output item, without its place: the Responses encoder adds `item_id`, `output_index`
 * and `sequence_number` (`response.file_search_call.searching`, `response.code_interpreter_call_code.delta`…).
 */
export type ResponsesCallEvent = ResponseStreamEvent extends infer E
  ? E extends { item_id: string; output_index: number; sequence_number: number }
    ? Omit<E, 'item_id' | 'output_index' | 'sequence_number'>
    : never
  : never;

/** A call's output item as it now stands, and the events that brought it there (in order). */
export interface ResponsesCallUpdate {
  item: ResponseOutputItem;
  events: ResponsesCallEvent[];
}

/**
 * How a call of the tool shows in the Responses API: its output item (`file_search_call`, `code_interpreter_call`)
 * and the item's own stream events. The encoder (streaming/response-stream.ts) calls these in order: `start` when
 * the model begins the call, `arguments` per piece, `called` once the model wrote it all, `done` when the call's
 * step ended (with the step's record of the call) or the response ended first (no record). A tool without this
 * view shows its calls as the model's `function_call`.
 */
export interface ResponsesToolView {
  /** The item that announces the call (status in_progress, id from `callItemId`), and the events right after it. */
  start(call: { id: string; name: string }, ctx: { containerId: string }): ResponsesCallUpdate;
  /** A piece of the arguments as the model writes them, with the tool's visible input it adds (if any). */
  arguments?(item: ResponseOutputItem, delta: { arguments: string; input?: string }): ResponsesCallUpdate;
  /** The model wrote the whole call; the server runs it next. */
  called?(item: ResponseOutputItem, call: { arguments: string }): ResponsesCallUpdate;
  /** The call ended: the step's record of it (undefined when there is none), shown as the request's `include` asks. */
  done(item: ResponseOutputItem, record: ToolCall | undefined, include: readonly string[]): ResponsesCallUpdate;
}

/**
 * The Responses item id of a call, from the call id the model gave it: one id however often the item is shown
 * (streamed, stored, listed). `call_abc` → `fc_abc` for kind `fc`; other call ids keep their spelling after the prefix.
 */
export const callItemId = (kind: 'fc' | 'fs' | 'ci', callId: string): string =>
  ID_PREFIXES[kind] + callId.replace(/^call_/, '');

/** A tool that cannot work on this server: the run fails with this message as its last_error. */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}

export interface ToolResult {
  /** What the model sees as the tool message. */
  output: string;
  /** The run step's record of the call, as OpenAI shows it (file_search results, code_interpreter outputs). */
  toolCall: ToolCall;
  /** Files the call made, by the path the model may cite (`/mnt/data/out.csv`): file_path annotations. */
  files?: Array<{ path: string; fileId: string }>;
}

/** An earlier call as the model made it: what replays into the next prompt. */
export interface ReplayedCall {
  /** The model function name; tool_choice names the call by it too. */
  name: string;
  arguments: string;
}

/**
 * A tool the model can call, and everything the engine and the encoders need of it. Tools without
 * `execute` are the client's functions: the run stops in `requires_action` and waits for
 * submit_tool_outputs. Server tools (file_search, code_interpreter) run here and return their
 * output to the model.
 */
export interface Tool {
  /** The tool type the API names it by: 'function', 'file_search', 'code_interpreter'… */
  readonly type: string;
  /** The function tool the model is offered for this assistant tool. */
  definition(tool: AssistantTool): ModelTool;
  /** The definition for one run, when it depends on the run (the files code_interpreter can read). */
  definitionFor?(tool: AssistantTool, ctx: ToolRunContext): Promise<ModelTool>;
  execute?(call: { id: string; arguments: string }, ctx: ToolContext): Promise<ToolResult>;
  /** The string field of the arguments shown as the call's input while the model writes it (code_interpreter's `code`). */
  readonly inputField?: string;
  /**
   * Its calls read and write what the store keeps of the thread (code_interpreter's session files): a run whose thread
   * is never written (a `store: false` response held in memory: services/responses-create.ts) cannot offer it.
   */
  readonly needsStoredThread?: boolean;
  /**
   * An earlier call (the step's record) and the arguments the model gave it, as the model made it.
   * Without it, the call replays under the tool's type with the arguments it was given.
   */
  replay?(call: ToolCall, args: string | undefined): ReplayedCall;
  /** Images a call left for the next message (code_interpreter's figures), as file ids. */
  images?(call: ToolCall): string[];
  /** What the tool's earlier results let the engine annotate in the model's text (citations, file paths). */
  annotations?(steps: RunStepRow[]): AnnotationSource | null;
  /** How its calls show in the Assistants stream. */
  readonly assistants: AssistantsToolView;
  /** How its calls show in the Responses API (without it: as the model's function_call). */
  readonly responses?: ResponsesToolView;
}

export interface ToolRegistry {
  get(type: string): Tool | undefined;
  /** Every tool, in the order they were registered. */
  list(): Tool[];
}
