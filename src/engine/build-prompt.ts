import type { MessageContent } from 'openai/resources/beta/threads/messages';
import type { ToolCallsStepDetails, MessageCreationStepDetails } from 'openai/resources/beta/threads/runs/steps';
import { createToolRegistry } from '../tools/registry.js';
import type { ToolRegistry } from '../tools/tool.js';
import { replayCall } from './tool-history.js';
import type { ModelMessage, ModelTool } from '../providers/chat-model.js';
import { fromJson } from '../store/json.js';
import { contextLengthExceeded } from '../errors.js';
import { loadCounter } from '../metering/count-tokens.js';
import type { PromptFitter } from './context-window.js';
import { fitToContext, promptTokens, type PromptFit, type PromptParts } from './fit-prompt.js';
import type { ConversationItemRow } from '../store/tables/conversation-items.table.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { historyMessages, threadEntries, toModelMessage, type ImageUrls } from './thread-history.js';

export type { PromptFit } from './fit-prompt.js';
export type { ImageUrls } from './thread-history.js';

/** The file ids of the image_file parts of user messages: what the engine loads before building the prompt. */
export function imageFileIds(messages: MessageRow[]): string[] {
  const ids = new Set<string>();
  for (const m of messages) {
    if (m.role !== 'user' || !m.content.includes('image_file')) continue;
    for (const c of fromJson<MessageContent[]>(m.content, [])) if (c.type === 'image_file') ids.add(c.image_file.file_id);
  }
  return [...ids];
}

/** The current run's steps, replayed: its messages, its tool calls and what each call returned. */
function replaySteps(steps: RunStepRow[], byId: Map<string, MessageRow>, tools: ToolRegistry): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (const step of steps) {
    if (step.type === 'message_creation') {
      const details = fromJson<MessageCreationStepDetails>(step.step_details, { type: 'message_creation', message_creation: { message_id: '' } });
      const message = byId.get(details.message_creation.message_id);
      if (message) out.push(toModelMessage(message, new Map()));
      continue;
    }
    const details = fromJson<ToolCallsStepDetails>(step.step_details, { type: 'tool_calls', tool_calls: [] });
    const outputs = fromJson<Record<string, string>>(step.tool_outputs, {});
    const calls = details.tool_calls.filter((c) => outputs[c.id] !== undefined);
    if (calls.length === 0) continue;
    out.push({
      role: 'assistant',
      content: null,
      tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: replayCall(tools, c, outputs[`${c.id}:arguments`]) })),
    });
    for (const c of calls) out.push({ role: 'tool', tool_call_id: c.id, content: outputs[c.id]! });
  }
  return out;
}

interface PromptInput {
  run: RunRow;
  messages: MessageRow[];
  /** The thread's conversation items other than messages (function calls and their outputs…). */
  items?: ConversationItemRow[];
  steps: RunStepRow[];
  images?: ImageUrls;
  /** The tools that replay their earlier calls (without it, only the client's functions are known). */
  registry?: ToolRegistry;
}

/**
 * The prompt in three parts: the system message, the thread's history (its messages and items, thread-history.ts),
 * this run's own steps replayed. `last_messages` keeps the last N items of the history.
 */
function promptParts(opts: PromptInput): PromptParts & { auto: boolean } {
  const { run } = opts;
  let history = threadEntries(
    opts.messages.filter((m) => m.run_id !== run.id),
    opts.items,
  );
  const truncation = fromJson<{ type: string; last_messages?: number | null } | null>(run.truncation_strategy, null);
  if (truncation?.type === 'last_messages' && typeof truncation.last_messages === 'number')
    history = history.slice(-truncation.last_messages);
  return {
    head: run.instructions ? [{ role: 'system', content: run.instructions }] : [],
    thread: historyMessages(history, opts.images),
    tail: replaySteps(opts.steps, new Map(opts.messages.map((m) => [m.id, m])), opts.registry ?? createToolRegistry()),
    auto: (truncation?.type ?? 'auto') === 'auto',
  };
}

/**
 * What the model sees: the run's instructions as the system message, the thread's history in order
 * (cut to the last N items when truncation_strategy says so; with `auto` and a `fit`, the oldest dropped
 * until the prompt fits the model's context), then this run's own steps replayed.
 */
export function buildPrompt(opts: PromptInput & { fit?: PromptFit }): ModelMessage[] {
  const { auto, ...parts } = promptParts(opts);
  return auto && opts.fit ? fitToContext(parts, opts.fit) : [...parts.head, ...parts.thread, ...parts.tail];
}

/**
 * More tokens than the text can have: o200k_base (metering/count-tokens.ts) is a byte-level BPE, every token at least
 * one byte of the text's UTF-8.
 */
const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * buildPrompt for a run about to call its model: with truncation_strategy `auto`, the prompt is
 * counted with the project tokenizer and fitted into the budget `fitter` gives for the model. Otherwise it is
 * sent whole — or, with prompt_overflow `fail`, checked against the model's context first (tools and
 * max_completion_tokens included, no other room kept for the reply): a prompt that does not fit fails the run
 * with context_length_exceeded, nothing trimmed.
 */
export async function buildRunPrompt(
  opts: PromptInput & { fitter?: PromptFitter; maxTokens: number | null; tools?: ModelTool[] },
): Promise<ModelMessage[]> {
  const { auto, ...parts } = promptParts(opts);
  const checked = opts.run.prompt_overflow === 'fail';
  if ((!auto && !checked) || !opts.fitter) return [...parts.head, ...parts.thread, ...parts.tail];
  // Most prompts fit by far: an upper bound of their tokens that fits spares counting them (the tokenizer's BPE is
  // most of a short response's JavaScript).
  if (!auto) {
    const bound = promptTokens(parts, utf8Bytes);
    if (bound <= (await opts.fitter({ model: opts.run.model, tools: opts.tools, promptTokens: bound, maxTokens: opts.maxTokens ?? 0 })))
      return [...parts.head, ...parts.thread, ...parts.tail];
  }
  const countTokens = await loadCounter();
  const tokens = promptTokens(parts, countTokens);
  const question = { model: opts.run.model, tools: opts.tools, promptTokens: tokens };
  if (auto) return fitToContext(parts, { maxPromptTokens: await opts.fitter({ ...question, maxTokens: opts.maxTokens }), countTokens });
  if (tokens > (await opts.fitter({ ...question, maxTokens: opts.maxTokens ?? 0 }))) throw contextLengthExceeded();
  return [...parts.head, ...parts.thread, ...parts.tail];
}
