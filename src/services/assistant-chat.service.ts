import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import type { MessageDeltaEvent } from 'openai/resources/beta/threads/messages';
import type { Caller, Deps } from '../deps.js';
import { ApiError, toErrorBody } from '../errors.js';
import { RunEventQueue } from '../engine/run-event-queue.js';
import type { RunEvent } from '../engine/run-events.js';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import { sseData } from '../streaming/sse.js';
import { getAssistant } from './assistants.service.js';
import { createThreadAndRun, cancelRun } from './runs.service.js';
import { deleteThread } from './threads.service.js';
import type { ChatCompletionResult } from './chat-completions.service.js';
import { splitConversation, writePriorSteps } from './assistant-chat-messages.js';
import { toUrlCitation } from './assistant-chat-annotations.js';

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
  finishReason: ChatCompletion.Choice['finish_reason'];
  usage: ChatCompletion['usage'];
  model: string;
}

/** Folds one run event into the answer; returns the text it adds, if any. */
function apply(answer: Answer, e: RunEvent): string {
  if (e.event === 'thread.message.delta') {
    const data = e.data as MessageDeltaEvent;
    if (answer.message?.id !== data.id) answer.message = { id: data.id, offset: answer.content.length };
    const offset = answer.message.offset;
    let text = '';
    for (const part of data.delta.content ?? []) {
      if (part.type !== 'text') continue;
      text += part.text?.value ?? '';
      for (const a of part.text?.annotations ?? []) {
        const citation = toUrlCitation(a, { offset, apiBaseUrl: answer.apiBaseUrl });
        if (citation) answer.annotations.push(citation);
      }
    }
    answer.content += text;
    return text;
  }
  if (!e.event.startsWith('thread.run.') || e.event.startsWith('thread.run.step')) return '';
  const run = e.data as Run;
  answer.model = run.model;
  if (run.usage)
    answer.usage = { prompt_tokens: run.usage.prompt_tokens, completion_tokens: run.usage.completion_tokens, total_tokens: run.usage.total_tokens };
  if (run.status === 'failed' || run.status === 'expired' || run.status === 'cancelled')
    throw new ApiError({
      status: 502,
      type: 'server_error',
      code: run.last_error?.code ?? 'server_error',
      message: run.last_error?.message ?? `The assistant's run ended ${run.status}.`,
    });
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
  body: { messages?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } | null },
): Promise<ChatCompletionResult> {
  const { system, thread, prior } = splitConversation(body.messages);
  const assistant = await getAssistant(deps.store.db, ctx.caller.tenantId, ctx.assistantId);
  const instructions = [assistant.instructions ?? '', ...system].filter(Boolean).join('\n\n');
  const queue = new RunEventQueue(deps.events);
  const { run } = await createThreadAndRun(
    deps,
    ctx.caller,
    { assistant_id: assistant.id, instructions, thread: { messages: thread } },
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
      const completion: ChatCompletion = {
        id,
        object: 'chat.completion',
        created,
        model: a.model || run.model,
        choices: [{ index: 0, finish_reason: a.finishReason, logprobs: null, message: toMessage(a) }],
        ...(a.usage ? { usage: a.usage } : {}),
      };
      return { type: 'json', status: 200, body: JSON.stringify(completion) };
    } finally {
      await cleanup();
    }
  }
  const includeUsage = body.stream_options?.include_usage === true;
  return { type: 'stream', frames: chatChunks({ queue, id, created, model: run.model, includeUsage, cleanup, apiBaseUrl: ctx.apiBaseUrl }) };
}

function toMessage(a: Answer): ChatCompletionMessage {
  const content = a.toolCalls ? a.content || null : a.content;
  return { role: 'assistant', content, refusal: null, annotations: a.annotations, ...(a.toolCalls ? { tool_calls: a.toolCalls } : {}) };
}

/** A chunk's delta; OpenAI sends a message's annotations (not in the spec's delta) in one delta after its text. */
type Delta = ChatCompletionChunk.Choice['delta'] & { annotations?: ChatCompletionMessage.Annotation[] };

/** The run as chat.completion.chunk frames: text as it streams, then the finish, usage and [DONE]. */
async function* chatChunks(opts: {
  queue: RunEventQueue;
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  cleanup: () => Promise<void>;
  apiBaseUrl: string;
}): AsyncGenerator<string> {
  const frame = (choices: ChatCompletionChunk['choices'], usage?: ChatCompletionChunk['usage']): string =>
    sseData(
      JSON.stringify({ id: opts.id, object: 'chat.completion.chunk', created: opts.created, model: opts.model, choices, ...(usage ? { usage } : {}) } satisfies ChatCompletionChunk),
    );
  const chunk = (delta: Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null) =>
    frame([{ index: 0, delta, finish_reason: finish, logprobs: null }]);
  try {
    yield chunk({ role: 'assistant', content: '' });
    const a = newAnswer(opts.apiBaseUrl);
    for await (const e of opts.queue) {
      const text = apply(a, e);
      if (text) yield chunk({ content: text });
    }
    if (a.annotations.length) yield chunk({ annotations: a.annotations });
    if (a.toolCalls) yield chunk({ tool_calls: a.toolCalls.map((c, index) => ({ index, ...c })) });
    yield chunk({}, a.finishReason);
    if (opts.includeUsage && a.usage) yield frame([], a.usage);
    yield 'data: [DONE]\n\n';
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError({ status: 500, type: 'server_error', message: 'The run failed.' });
    yield sseData(JSON.stringify(toErrorBody(e)));
  } finally {
    opts.queue.close();
    await opts.cleanup();
  }
}
