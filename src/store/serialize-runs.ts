import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep, ToolCall } from 'openai/resources/beta/threads/runs/steps';
import { fromJson } from './json.js';
import type { RunRow } from './tables/runs.table.js';
import type { RunStepRow } from './tables/run-steps.table.js';

/** A run's last_error in the Assistants API's codes: a prompt too long for the model (a response's) is an invalid prompt. */
function toLastError(json: string | null): Run['last_error'] {
  const error = fromJson<Run.LastError | { code: 'context_length_exceeded'; message: string } | null>(json, null);
  return error?.code === 'context_length_exceeded' ? { code: 'invalid_prompt', message: error.message } : error;
}

/** Stored usage as OpenAI's Run.Usage: the three counts (the stored token details are the Responses API's). */
function countsOf(usage: string | null): Run.Usage | null {
  const u = fromJson<Run.Usage | null>(usage, null);
  return u && { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens };
}

/** row → wire Run: parsed JSON columns, explicit nulls, no internal columns (lease, attempts). */
export function toRunObject(row: RunRow): Run {
  return {
    id: row.id,
    object: 'thread.run',
    created_at: row.created_at,
    assistant_id: row.assistant_id,
    thread_id: row.thread_id,
    status: row.status,
    started_at: row.started_at,
    expires_at: row.expires_at,
    cancelled_at: row.cancelled_at,
    failed_at: row.failed_at,
    completed_at: row.completed_at,
    required_action: fromJson(row.required_action, null),
    last_error: toLastError(row.last_error),
    model: row.model,
    instructions: row.instructions,
    tools: fromJson(row.tools, []),
    metadata: fromJson(row.metadata, {}),
    temperature: row.temperature,
    top_p: row.top_p,
    max_completion_tokens: row.max_completion_tokens,
    max_prompt_tokens: row.max_prompt_tokens,
    truncation_strategy: fromJson(row.truncation_strategy, { type: 'auto', last_messages: null }),
    incomplete_details: fromJson(row.incomplete_details, null),
    usage: countsOf(row.usage),
    response_format: fromJson(row.response_format, 'auto'),
    tool_choice: fromJson(row.tool_choice, 'auto'),
    parallel_tool_calls: row.parallel_tool_calls === 1,
  };
}

/**
 * row → wire RunStep. `showCall`: how each recorded tool call shows (each tool decides what it
 * leaves out unless `include[]` asks for it); without it, calls show as recorded.
 */
export function toRunStepObject(row: RunStepRow, opts: { showCall?: (call: ToolCall) => ToolCall } = {}): RunStep {
  const recorded = fromJson<RunStep['step_details']>(row.step_details, { type: 'tool_calls', tool_calls: [] });
  const { showCall } = opts;
  const details = showCall && recorded.type === 'tool_calls' ? { ...recorded, tool_calls: recorded.tool_calls.map(showCall) } : recorded;
  return {
    id: row.id,
    object: 'thread.run.step',
    created_at: row.created_at,
    run_id: row.run_id,
    assistant_id: row.assistant_id,
    thread_id: row.thread_id,
    type: row.type,
    status: row.status,
    cancelled_at: row.cancelled_at,
    completed_at: row.completed_at,
    expired_at: row.expired_at,
    failed_at: row.failed_at,
    last_error: fromJson(row.last_error, null),
    step_details: details,
    usage: countsOf(row.usage),
    metadata: fromJson(row.metadata, null),
  };
}
