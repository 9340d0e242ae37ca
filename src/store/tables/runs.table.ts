import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

export type RunStatus =
  | 'queued'
  | 'in_progress'
  | 'requires_action'
  | 'cancelling'
  | 'cancelled'
  | 'failed'
  | 'completed'
  | 'incomplete'
  | 'expired';

export interface RunsTable {
  id: string;
  tenant_id: string;
  thread_id: string;
  assistant_id: string;
  /** The key that created the run: its usage is metered to it. */
  api_key_id: string;
  seq: number;
  created_at: number;
  status: RunStatus;
  model: string;
  instructions: string;
  tools: string;
  tool_resources: string | null;
  metadata: string;
  temperature: number | null;
  top_p: number | null;
  max_prompt_tokens: number | null;
  max_completion_tokens: number | null;
  truncation_strategy: string | null;
  response_format: string | null;
  tool_choice: string | null;
  parallel_tool_calls: number;
  reasoning_effort: string | null;
  required_action: string | null;
  last_error: string | null;
  incomplete_details: string | null;
  usage: string | null;
  expires_at: number | null;
  started_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  /** Worker lease: which process runs it, until when (unix ms). */
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** How many times a worker picked the run up (recoveries after a crash add one). */
  attempts: number;
  /**
   * What the run does when the model calls functions the server does not run (the client's): `wait` (default,
   * the Assistants API) requires_action and waits for submit_tool_outputs; `end` records the calls (a completed
   * tool_calls step and one function_call conversation item each) and completes the run (the Responses API).
   */
  client_calls: ColumnType<ClientCalls, ClientCalls | undefined, ClientCalls>;
  /** The most calls of the server's own tools the run executes over all its turns (further ones are ignored); null: no limit. */
  max_tool_calls: ColumnType<number | null, number | null | undefined, number | null>;
  /**
   * A prompt larger than the model's context, when truncation_strategy does not fit it: `send` it anyway (the
   * model's own error says so), or `fail` the run with context_length_exceeded before calling the model.
   */
  prompt_overflow: ColumnType<PromptOverflow, PromptOverflow | undefined, PromptOverflow>;
}
export type ClientCalls = 'wait' | 'end';
export type PromptOverflow = 'send' | 'fail';
/** Columns rows built in code (the engine's tests) may leave out: `wait`, no limit, `send`. */
type Defaulted = 'client_calls' | 'max_tool_calls' | 'prompt_overflow';
export type RunRow = Omit<Selectable<RunsTable>, Defaulted> & Partial<Pick<Selectable<RunsTable>, Defaulted>>;
export type NewRunRow = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
