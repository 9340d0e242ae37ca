import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import type { Caller, Deps } from '../deps.js';
import { asApiError } from '../errors.js';
import { httpOfLastError } from '../failures.js';
import { RunEventQueue } from '../engine/run-event-queue.js';
import type { EngineEvent } from '../engine/engine-events.js';
import { toRunObject } from '../store/serialize-runs.js';
import { toAnnotationDelta } from '../streaming/assistant-stream.js';
import { SSE_DONE, sseError, sseJson } from '../streaming/sse.js';
import { ChatChunkEncoder } from '../streaming/chat-chunks.js';
import { buildChatCompletion, type ChatAnswer } from '../streaming/chat-completion.js';
import type { FinishReason, StreamPart, Usage } from '../providers/chat-model.js';
import { getAssistant } from './assistants.service.js';
import { createThreadAndRun, cancelRun } from './runs.service.js';
import { deleteThread } from './threads.service.js';
import type { ChatCompletionResult } from './chat-completion-result.js';
import { splitConversation, writePriorSteps } from './assistant-chat-messages.js';
import { toUrlCitation } from './assistant-chat-annotations.js';
import { runOverridesOf, type ChatRunSettings } from './chat-run-options.js';

/**
 * The one-call assistant chat: Chat Completions `messages` in, the assistant run on them (its
 * instructions, model and tools) on a thread of its own, the answer out in the Chat Completions
 * shape. The thread is deleted when the call ends.
 */
interface Answer {
  content: string;
  annotations: ChatCompletionMessage.Annotation[];
  /** The run message being read, and where its text starts in `content`. */
  message: { id: string; offset: number } | undefined;
  /** Where the API is served (`http://host/v1`), for the urls of citations. */
  apiBaseUrl: string;
  toolCalls: ChatCompletionMessageFunctionToolCall[] | undefined;
  finishReason: Extract<FinishReason, 'stop' | 'length' | 'tool_calls'>;
  usage: ChatCompletion['usage'];
  model: string;
}

/** Folds one engine event into the answer; returns the text it adds, if any. */
function apply(answer: Answer, e: EngineEvent): string {
  if (e.type === 'message.text') {
    if (answer.message?.id !== e.messageId) answer.message = { id: e.messageId, offset: answer.content.length };
    const offset = answer.message.offset;
    for (const a of e.annotations) {
      const citation = toUrlCitation(toAnnotationDelta(a), { offset, apiBaseUrl: answer.apiBaseUrl });
      if (citation) answer.annotations.push(citation);
    }
    answer.content += e.text;
    return e.text;
  }
  if (e.type !== 'run.created' && e.type !== 'run.status') return '';
  const run = toRunObject(e.run);
  answer.model = run.model;
  if (run.usage)
    answer.usage = { prompt_tokens: run.usage.prompt_tokens, completion_tokens: run.usage.completion_tokens, total_tokens: run.usage.total_tokens };
  if (run.status === 'failed' || run.status === 'expired' || run.status === 'cancelled')
    throw httpOfLastError(run.last_error, `The assistant's run ended ${run.status}.`);
  if (run.status === 'incomplete') answer.finishReason = 'length';
  if (run.status === 'requires_action') {
    answer.finishReason = 'tool_calls';
    answer.toolCalls = run.required_action?.submit_tool_outputs.tool_calls.map((c) => ({ id: c.id, type: 'function', function: c.function }));
  }
  return '';
}

const newAnswer = (apiBaseUrl: string): Answer => ({
  content: '',
  annotations: [],
  message: undefined,
  apiBaseUrl,
  toolCalls: undefined,
  finishReason: 'stop',
  usage: undefined,
  model: '',
});

export async function chatWithAssistant(
  deps: Deps,
  ctx: { caller: Caller; assistantId: string; /** `http://host/v1`, for the urls of citations. */ apiBaseUrl: string },
  body: { messages?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } | null } & ChatRunSettings,
): Promise<ChatCompletionResult> {
  const { system, thread, prior } = splitConversation(body.messages);
  const assistant = await getAssistant(deps.store.db, ctx.caller.tenantId, ctx.assistantId);
  const instructions = [assistant.instructions ?? '', ...system].filter(Boolean).join('\n\n');
  const queue = new RunEventQueue(deps.events);
  const { run } = await createThreadAndRun(
    deps,
    ctx.caller,
    { assistant_id: assistant.id, instructions, thread: { messages: thread }, ...runOverridesOf(body) },
    { subscribe: queue.subscribe, prelude: prior.length ? (trx, run) => writePriorSteps(deps, trx, run, prior) : undefined },
  );
  const id = `chatcmpl-${run.id.slice(4)}`;
  const created = run.created_at;
  const cleanup = async () => {
    const ref = { tenantId: ctx.caller.tenantId, threadId: run.thread_id, runId: run.id };
    await cancelRun(deps, ref).catch(() => undefined);
    await deleteThread(deps, ref).catch((err: unknown) => deps.log.warn({ err }, 'could not delete the chat thread'));
  };
  if (body.stream !== true) {
    try {
      const a = newAnswer(ctx.apiBaseUrl);
      for await (const e of queue) apply(a, e);
      const usage = a.usage ? usageOf(a.usage) : null;
      const completion = buildChatCompletion({ id, created, model: a.model || run.model, answers: [toChatAnswer(a)], usage });
      return { type: 'json', status: 200, body: JSON.stringify(completion) };
    } finally {
      await cleanup();
    }
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const encoder = new ChatChunkEncoder({ id, created, model: run.model, includeUsage });
  return { type: 'stream', frames: chatChunks({ queue, encoder, includeUsage, cleanup, apiBaseUrl: ctx.apiBaseUrl }) };
}

const toChatAnswer = (a: Answer): ChatAnswer => ({
  text: a.content,
  annotations: a.annotations,
  toolCalls: a.toolCalls?.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
  finishReason: a.finishReason,
});

const usageOf = (u: NonNullable<ChatCompletion['usage']>): Usage => ({
  promptTokens: u.prompt_tokens,
  completionTokens: u.completion_tokens,
  totalTokens: u.total_tokens,
  cachedTokens: 0,
  reasoningTokens: 0,
});

/** The answer's tool calls as the parts a model streams them in. */
const callParts = (calls: ChatCompletionMessageFunctionToolCall[]): StreamPart[] =>
  calls.flatMap((c, index): StreamPart[] => [
    { type: 'tool-call-start', index, id: c.id, name: c.function.name },
    { type: 'tool-call-delta', index, id: c.id, argumentsDelta: c.function.arguments },
  ]);

/** The run as chat.completion.chunk frames: text as it streams, its annotations, tool calls, the finish, usage and [DONE]. */
async function* chatChunks(opts: {
  queue: RunEventQueue;
  encoder: ChatChunkEncoder;
  includeUsage: boolean;
  cleanup: () => Promise<void>;
  apiBaseUrl: string;
}): AsyncGenerator<string> {
  const { encoder } = opts;
  const frame = (chunk: ChatCompletionChunk | null): string => (chunk ? sseJson(chunk) : '');
  try {
    yield frame(encoder.start(0));
    const a = newAnswer(opts.apiBaseUrl);
    for await (const e of opts.queue) {
      const text = apply(a, e);
      if (text) yield frame(encoder.part(0, { type: 'text-delta', delta: text }));
    }
    if (a.annotations.length) yield frame(encoder.annotations(0, a.annotations));
    for (const part of callParts(a.toolCalls ?? [])) yield frame(encoder.part(0, part));
    yield frame(encoder.part(0, { type: 'finish', finishReason: a.finishReason, usage: null }));
    if (opts.includeUsage && a.usage) yield frame(encoder.usage(usageOf(a.usage)));
    yield SSE_DONE;
  } catch (err) {
    const e = asApiError(err, 'The run failed.');
    yield sseError(e);
  } finally {
    opts.queue.close();
    await opts.cleanup();
  }
}
