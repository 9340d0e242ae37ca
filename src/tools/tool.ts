import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { ModelTool } from '../providers/chat-model.js';

/** What a server-side tool knows about the run it works for. */
export interface ToolContext {
  tenantId: string;
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
}

export interface ToolResult {
  /** What the model sees as the tool message. */
  output: string;
  /** The run step's record of the call, as OpenAI shows it (file_search results, code_interpreter outputs). */
  toolCall: ToolCall;
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
  execute?(call: { id: string; arguments: string }, ctx: ToolContext): Promise<ToolResult>;
}

export interface ToolRegistry {
  get(type: string): Tool | undefined;
}
