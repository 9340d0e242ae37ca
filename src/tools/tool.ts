import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { ToolCall, ToolCallDelta } from 'openai/resources/beta/threads/runs/steps';
import type { ModelTool } from '../providers/chat-model.js';

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
  /** Streams a change of this call (code_interpreter's output as it comes) as a `thread.run.step.delta`. */
  emit(delta: ToolCallDeltaBody): void;
}

/** A step delta's tool call without its index (the engine knows where the call stands). */
export type ToolCallDeltaBody = ToolCallDelta extends infer D ? (D extends ToolCallDelta ? Omit<D, 'index'> : never) : never;

/** What the run knows before any call: enough to tell the model about the run's files. */
export type ToolRunContext = Omit<ToolContext, 'callIndex' | 'emit' | 'tool'>;

/** How a call shows in step deltas while the model is still writing its arguments. */
export interface ToolCallStream {
  /** The delta that announces the call. */
  start(id: string): ToolCallDeltaBody;
  /** The delta for a piece of the arguments, if the call shows it (code_interpreter's `input`). */
  arguments(delta: string): ToolCallDeltaBody | undefined;
}

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

/**
 * A tool the model can call. Tools without `execute` are the client's functions: the run stops in
 * `requires_action` and waits for submit_tool_outputs. Server tools (file_search, code_interpreter)
 * run here and return their output to the model.
 */
export interface Tool {
  /** The assistant tool type this implements: 'function', 'file_search', 'code_interpreter'. */
  readonly type: AssistantTool['type'];
  /** The function tool the model is offered for this assistant tool. */
  definition(tool: AssistantTool): ModelTool;
  /** The definition for one run, when it depends on the run (the files code_interpreter can read). */
  definitionFor?(tool: AssistantTool, ctx: ToolRunContext): Promise<ModelTool>;
  /** How the call streams; without it, as a function call. */
  streamCall?(): ToolCallStream;
  execute?(call: { id: string; arguments: string }, ctx: ToolContext): Promise<ToolResult>;
}

export interface ToolRegistry {
  get(type: string): Tool | undefined;
}
