import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow, RunStatus } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { ThreadRow } from '../store/tables/threads.table.js';
import type { ToolProgress } from '../tools/tool.js';
import type { TokenLogprob } from '../providers/chat-model.js';

/**
 * What the run engine (and the services that start and resume runs) announce, in Switchboard's
 * own terms: no API's wire shape. Each change is committed before it is announced; rows are
 * carried as committed. Every API encodes these its own way (streaming/assistant-stream.ts for
 * the Assistants `thread.*` events).
 */
export type EngineEvent =
  /** A thread was made for the run (create thread and run). */
  | { type: 'thread.created'; thread: ThreadRow }
  /** A new run, queued. */
  | { type: 'run.created'; run: RunRow }
  /** The run moved to `run.status`. */
  | { type: 'run.status'; run: RunRow }
  /** A step began: the message the model writes, or the tool calls it makes. */
  | { type: 'step.started'; step: RunStepRow }
  /** A step ended: `step.status` says how. */
  | { type: 'step.done'; step: RunStepRow }
  | { type: 'message.started'; message: MessageRow }
  /** Images that open the message (what the run's tools drew), by file id. */
  | { type: 'message.images'; messageId: string; fileIds: string[] }
  /**
   * Text of the message; `part` is its place in the message's content (after its images). `logprobs`: the tokens
   * that came with it, when the run asked for them (on the step when the message ends: run-writer.ts stepLogprobs).
   */
  | { type: 'message.text'; messageId: string; part: number; text: string; annotations: TextAnnotation[]; logprobs?: TokenLogprob[] }
  /** The message ended, completed or incomplete (`message.status`). */
  | { type: 'message.done'; message: MessageRow }
  /**
   * A piece of the model's reasoning in this turn, before its text and calls: `reasoningId` names the thread's
   * reasoning item it is recorded as when it ends. Not committed (as message text is not).
   */
  | { type: 'reasoning.text'; reasoningId: string; text: string }
  /** The turn's reasoning ended (its answer began, or the turn ended) and was recorded as the item `reasoningId`. */
  | { type: 'reasoning.done'; reasoningId: string; status: 'completed' | 'incomplete' }
  /** The model began a call: `name` is the function it called, `tool` the tool type behind it. */
  | ({ type: 'tool.call.started'; callId: string; name: string } & CallRef)
  /** A piece of the call's arguments, with the tool's visible input it adds (the code a code tool runs). */
  | ({ type: 'tool.call.arguments'; delta: string; input?: string } & CallRef)
  | ({ type: 'tool.call.done'; callId: string; name: string; arguments: string } & CallRef)
  /** What a running server tool has done so far. */
  | ({ type: 'tool.progress'; callId: string; progress: ToolProgress } & CallRef)
  /** A server tool's result, as the model reads it (recorded on the step first). */
  | ({ type: 'tool.output'; callId: string; output: string } & CallRef)
  /** Tokens one model turn used. */
  | { type: 'turn.usage'; usage: TurnUsage };

/** Where a tool call stands: its step, its index among the step's calls, and the tool type. */
export interface CallRef {
  stepId: string;
  index: number;
  tool: string;
}

/** A mark in a message's text that points at a file: a cited source, or a file a tool wrote. */
export interface TextAnnotation {
  kind: 'file_citation' | 'file_path';
  /** Its place among the message's annotations. */
  index: number;
  /** The annotated text, and where it stands in the message's text. */
  text: string;
  start: number;
  end: number;
  fileId: string;
}

export interface TurnUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Statuses after which a run's stream ends: it finished, or waits on the client. */
const ENDING = new Set<RunStatus>(['completed', 'failed', 'cancelled', 'expired', 'incomplete', 'requires_action']);

/** After this event a run's stream ends. */
export function endsStream(event: EngineEvent): boolean {
  return event.type === 'run.status' && ENDING.has(event.run.status);
}
