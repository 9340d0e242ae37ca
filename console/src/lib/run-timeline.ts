import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep, ToolCall } from 'openai/resources/beta/threads/runs/steps';
import { formatDuration } from './format.js';

/** A tool call as the timeline shows it. */
export type ToolCallView =
  | { type: 'function'; id: string; name: string; arguments: string; output: string | null }
  | { type: 'file_search'; id: string; results: FileSearchHit[] }
  | { type: 'code_interpreter'; id: string; code: string; logs: string[]; imageFileIds: string[] };

export interface FileSearchHit {
  file_id: string;
  file_name: string;
  score: number;
  text: string;
}

/** One step of a run on the timeline. */
export interface StepView {
  id: string;
  kind: 'message_creation' | 'tool_calls';
  title: string;
  status: RunStep['status'];
  created_at: number;
  duration: string;
  usage: RunStep['usage'];
  messageId: string | null;
  toolCalls: ToolCallView[];
  lastError: RunStep['last_error'];
}

/** Runs end in one of these; the page polls a run until it reaches one. */
export const TERMINAL_RUN_STATUSES: readonly Run['status'][] = ['completed', 'failed', 'cancelled', 'expired', 'incomplete'];

export const isTerminalRun = (status: Run['status']): boolean => TERMINAL_RUN_STATUSES.includes(status);

/** JSON text pretty-printed for reading; anything that does not parse is shown as it came. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function toToolCallView(call: ToolCall): ToolCallView {
  switch (call.type) {
    case 'function':
      return { type: 'function', id: call.id, name: call.function.name, arguments: prettyJson(call.function.arguments), output: call.function.output };
    case 'file_search':
      return {
        type: 'file_search',
        id: call.id,
        results: (call.file_search.results ?? []).map((r) => ({
          file_id: r.file_id,
          file_name: r.file_name,
          score: r.score,
          text: (r.content ?? []).map((c) => c.text ?? '').join('\n'),
        })),
      };
    case 'code_interpreter':
      return {
        type: 'code_interpreter',
        id: call.id,
        code: call.code_interpreter.input,
        logs: call.code_interpreter.outputs.flatMap((o) => (o.type === 'logs' ? [o.logs] : [])),
        imageFileIds: call.code_interpreter.outputs.flatMap((o) => (o.type === 'image' ? [o.image.file_id] : [])),
      };
  }
}

/** When a step (or run) stopped: the first of its end stamps that is set. */
const endOf = (s: { completed_at: number | null; failed_at: number | null; cancelled_at: number | null; expired_at?: number | null }) =>
  s.completed_at ?? s.failed_at ?? s.cancelled_at ?? s.expired_at ?? null;

function stepTitle(step: RunStep, calls: ToolCallView[]): string {
  if (step.step_details.type === 'message_creation') return 'Model turn';
  const names = calls.map((c) => (c.type === 'function' ? `${c.name}()` : c.type));
  return `Tool calls: ${names.join(', ')}`;
}

/**
 * A run's steps → the timeline, oldest first. Steps of the same second keep the API's order (list them with
 * order=asc): their ids are random, so only the server knows which came first.
 */
export function toTimeline(steps: readonly RunStep[]): StepView[] {
  return [...steps]
    .sort((a, b) => a.created_at - b.created_at)
    .map((step) => {
      const calls = step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.map(toToolCallView) : [];
      return {
        id: step.id,
        kind: step.type,
        title: stepTitle(step, calls),
        status: step.status,
        created_at: step.created_at,
        duration: formatDuration(step.created_at, endOf(step)),
        usage: step.usage,
        messageId: step.step_details.type === 'message_creation' ? step.step_details.message_creation.message_id : null,
        toolCalls: calls,
        lastError: step.last_error,
      };
    });
}

/** How long a run took (or has taken so far, given `now` in unix seconds). */
export function runDuration(run: Run, now: number): string {
  return formatDuration(run.started_at ?? run.created_at, endOf(run) ?? (isTerminalRun(run.status) ? null : now));
}
