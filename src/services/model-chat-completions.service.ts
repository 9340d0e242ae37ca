import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { failureOf } from '../failures.js';
import { collectStream, type ChatCallOptions, type ChatModel, type GenerateResult, type StreamPart, type Usage } from '../providers/chat-model.js';
import { ChatChunkEncoder } from '../streaming/chat-chunks.js';
import { buildChatCompletion } from '../streaming/chat-completion.js';
import { SSE_DONE, sseError, sseJson } from '../streaming/sse.js';
import { toChatCallOptions } from './chat-request.js';
import type { ChatCallContext, ChatCompletionRequest, ChatCompletionResult } from './chat-completion-result.js';

/** A ChatModel's failure as the HTTP error it answers with: the one mapping (failures.ts), else a 500. */
const modelFailure = (err: unknown): ApiError =>
  failureOf(err)?.http ??
  new ApiError({ status: 500, type: 'server_error', code: 'model_error', message: (err as Error)?.message ?? String(err), cause: err });

/**
 * Chat Completions answered by a ChatModel's StreamParts (local models, native providers), in the same
 * shapes the upstream path relays: a chat.completion, or chat.completion.chunk SSE frames ending
 * with [DONE]. `n` choices run as n generations at once (more wait for a free sequence).
 */

export interface ModelRoute {
  /** The name the client used, after aliases. */
  model: string;
  upstreamModel: string;
  chatModel: ChatModel;
}


/** n choices share one prompt: its tokens count once, the completions add up. */
function totalUsage(usages: Array<Usage | null>): Usage | null {
  const first = usages.find((u): u is Usage => u !== null);
  if (!first) return null;
  const completionTokens = usages.reduce((n, u) => n + (u?.completionTokens ?? 0), 0);
  return { ...first, completionTokens, totalTokens: first.promptTokens + completionTokens };
}

function meter(deps: Deps, ctx: ChatCallContext, route: ModelRoute, usage: Usage | null): void {
  if (!usage) return;
  deps.usage.record({
    tenantId: ctx.caller.tenantId,
    apiKeyId: ctx.caller.apiKeyId,
    model: route.model,
    upstreamModel: route.upstreamModel,
    at: deps.clock.now(),
    inputTokens: usage.promptTokens,
    cachedTokens: usage.cachedTokens,
    outputTokens: usage.completionTokens,
    reasoningTokens: usage.reasoningTokens,
  });
}

/**
 * Starts n generations (seeds seed, seed+1, …); if one cannot start, the others are cancelled and
 * its error thrown. The call is metered once every generation has ended, however it ended.
 */
async function startChoices(opts: {
  deps: Deps;
  ctx: ChatCallContext;
  route: ModelRoute;
  call: ChatCallOptions;
  n: number;
}): Promise<Array<ReadableStream<StreamPart>>> {
  const { deps, ctx, route, call, n } = opts;
  const usages: Array<Usage | null> = Array.from({ length: n }, () => null);
  let ended = 0;
  const onUsage = (i: number) => (usage: Usage) => {
    usages[i] = usage;
    if (++ended === n) meter(deps, ctx, route, totalUsage(usages));
  };
  const started = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      route.chatModel.stream({ ...call, seed: call.seed != null ? call.seed + i : null, onUsage: onUsage(i) }),
    ),
  );
  const failed = started.find((s) => s.status === 'rejected');
  if (!failed) return started.map((s) => (s as PromiseFulfilledResult<{ stream: ReadableStream<StreamPart> }>).value.stream);
  for (const s of started) if (s.status === 'fulfilled') void s.value.stream.cancel().catch(() => {});
  throw modelFailure(failed.reason);
}

/** Reads several part streams at once, yielding each part with its stream's index as it arrives. */
async function* merge(streams: Array<ReadableStream<StreamPart>>): AsyncGenerator<{ index: number; part: StreamPart }> {
  const readers = streams.map((s) => s.getReader());
  const next = (index: number) => readers[index]!.read().then((r) => ({ index, r }));
  const pending = new Map(readers.map((_, i) => [i, next(i)]));
  try {
    while (pending.size > 0) {
      const { index, r } = await Promise.race(pending.values());
      if (r.done) pending.delete(index);
      else {
        pending.set(index, next(index));
        yield { index, part: r.value };
      }
    }
  } finally {
    for (const reader of readers) void reader.cancel().catch(() => {});
  }
}

async function* chunkFrames(opts: {
  deps: Deps;
  ctx: ChatCallContext;
  route: ModelRoute;
  streams: Array<ReadableStream<StreamPart>>;
  encoder: ChatChunkEncoder;
  includeUsage: boolean;
}): AsyncGenerator<string> {
  const { streams, encoder } = opts;
  const usages: Array<Usage | null> = streams.map(() => null);
  for await (const { index, part } of merge(streams)) {
    if (part.type === 'error') {
      opts.deps.log.warn({ reqId: opts.ctx.requestId, err: part.error.message }, 'model stream failed');
      yield sseError(modelFailure(part.error));
      return;
    }
    if (part.type === 'finish') usages[index] = part.usage;
    const chunks = encoder.chunks(index, part);
    if (chunks.length) yield chunks.map(sseJson).join('');
  }
  const usage = totalUsage(usages);
  yield (opts.includeUsage && usage ? sseJson(encoder.usage(usage)) : '') + SSE_DONE;
}

export async function completeWithModel(
  deps: Deps,
  ctx: ChatCallContext,
  body: ChatCompletionRequest,
  route: ModelRoute,
): Promise<ChatCompletionResult> {
  // One signal for all n choices: the client leaving, or one choice failing, stops every generation.
  const abort = new AbortController();
  const onGone = () => abort.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onGone();
  else ctx.signal.addEventListener('abort', onGone, { once: true });
  const call: ChatCallOptions = { ...toChatCallOptions(body), abortSignal: abort.signal, requestId: ctx.requestId };
  const n = typeof body.n === 'number' ? body.n : 1;
  const streams = await startChoices({ deps, ctx, route, call, n });
  const id = deps.ids('chatcmpl');
  const created = Math.floor(deps.clock.now() / 1000);

  if (body.stream === true) {
    const includeUsage = body.stream_options?.include_usage === true;
    const encoder = new ChatChunkEncoder({ id, created, model: route.model, includeUsage });
    return { type: 'stream', frames: chunkFrames({ deps, ctx, route, streams, encoder, includeUsage }) };
  }

  let results: GenerateResult[];
  try {
    results = await Promise.all(streams.map(collectStream));
  } catch (err) {
    abort.abort(err);
    throw modelFailure(err);
  } finally {
    ctx.signal.removeEventListener('abort', onGone);
  }
  const usage = totalUsage(results.map((r) => r.usage));
  const completion = buildChatCompletion({ id, created, model: route.model, answers: results, usage });
  return { type: 'json', status: 200, body: JSON.stringify(completion) };
}
