import type { CompletionUsage } from 'openai/resources/completions';
import type { Caller, Deps } from '../deps.js';
import { ApiError, badGateway, gatewayTimeout } from '../errors.js';
import { completionText, estimateUsage } from '../metering/count-tokens.js';
import type { ResolvedModel } from '../providers/registry.js';
import { ProviderError } from '../providers/openai-compatible/errors.js';
import type { UpstreamResponse } from '../providers/openai-compatible/client.js';
import type { UsageEvent } from '../metering/usage-event.js';
import { relayChatStream, type ChatStreamSummary } from '../streaming/chat-relay.js';

export type ChatCompletionResult =
  | { type: 'json'; status: number; body: string }
  | { type: 'stream'; frames: AsyncGenerator<string> };

/** A validated chat request; every field, known or not, goes upstream as it came. */
export interface ChatCompletionRequest {
  model: string;
  messages: unknown[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  tools?: unknown;
  [field: string]: unknown;
}

interface CallContext {
  caller: Caller;
  requestId: string;
  signal: AbortSignal;
}

/** The body as it goes upstream: every field the client sent, with the provider's model name. */
function upstreamBody(body: ChatCompletionRequest, route: ResolvedModel): string {
  const out: Record<string, unknown> = { ...body, model: route.upstreamModel };
  if (body.stream === true) out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return JSON.stringify(out);
}

/** Maps an upstream's non-2xx answer: 4xx passes through with its OpenAI error body, 5xx becomes 502. */
async function upstreamFailure(res: UpstreamResponse, route: ResolvedModel): Promise<ApiError | { status: number; body: string }> {
  const text = await res.body.text().catch(() => '');
  let parsed: { error?: { message?: unknown } } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const upstreamMessage = typeof parsed?.error?.message === 'string' ? parsed.error.message : text.slice(0, 500);
  if (res.statusCode < 500) {
    if (parsed?.error && typeof parsed.error === 'object') return { status: res.statusCode, body: text };
    return new ApiError({
      status: res.statusCode,
      type: 'invalid_request_error',
      message: upstreamMessage || `The upstream '${route.provider.name}' answered ${res.statusCode}.`,
    });
  }
  return badGateway(
    `The upstream '${route.provider.name}' failed with status ${res.statusCode}${upstreamMessage ? `: ${upstreamMessage}` : '.'}`,
  );
}

function toApiError(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  return err.kind === 'timeout' ? gatewayTimeout(err.message, err) : badGateway(err.message, err);
}

function usageEvent(ctx: CallContext, route: ResolvedModel, at: number, usage: CompletionUsage): UsageEvent {
  return {
    tenantId: ctx.caller.tenantId,
    apiKeyId: ctx.caller.apiKeyId,
    model: route.model,
    upstreamModel: route.upstreamModel,
    at,
    inputTokens: usage.prompt_tokens ?? 0,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** Meters a call: the upstream's own usage when it sent one, else a tokenizer count of prompt and completion. */
function meter(opts: {
  deps: Deps;
  ctx: CallContext;
  route: ResolvedModel;
  usage: CompletionUsage | null | undefined;
  count: () => { requestBody: ChatCompletionRequest; completion: string };
}): void {
  const { deps, ctx, route } = opts;
  const at = deps.clock.now();
  if (opts.usage) deps.usage.record(usageEvent(ctx, route, at, opts.usage));
  else deps.usage.recordLater(estimateUsage(opts.count()).then((u) => usageEvent(ctx, route, at, u)));
}

function streamFrames(opts: {
  deps: Deps;
  ctx: CallContext;
  route: ResolvedModel;
  body: ChatCompletionRequest;
  res: UpstreamResponse;
}): AsyncGenerator<string> {
  const { deps, ctx, route, body, res } = opts;
  const summary: ChatStreamSummary = { usage: null, payloads: [], sawDone: false, error: null };
  const frames = relayChatStream({
    source: res.body,
    includeUsage: body.stream_options?.include_usage === true,
    summary,
  });
  async function* metered(): AsyncGenerator<string> {
    try {
      yield* frames;
    } finally {
      // Only a stream cut short (the client left) still has a body to abort; after [DONE] the
      // relay drains it so the connection goes back to the pool.
      if (!summary.sawDone && !res.body.readableEnded) res.body.destroy();
      if (summary.usage || summary.payloads.length > 0)
        meter({
          deps,
          ctx,
          route,
          usage: summary.usage,
          count: () => ({
            requestBody: body,
            completion: summary.payloads.map((p) => completionText(safeParse(p)?.choices)).join(''),
          }),
        });
      if (summary.error) deps.log.warn({ reqId: ctx.requestId, provider: route.provider.name }, summary.error);
    }
  }
  return metered();
}

function safeParse(text: string): { choices?: unknown; usage?: CompletionUsage } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function createChatCompletion(
  deps: Deps,
  ctx: CallContext,
  body: ChatCompletionRequest,
): Promise<ChatCompletionResult> {
  const route = deps.providers.resolve(body.model);
  let res: UpstreamResponse;
  try {
    res = await route.provider.request({
      path: '/chat/completions',
      body: upstreamBody(body, route),
      signal: ctx.signal,
      requestId: ctx.requestId,
    });
  } catch (err) {
    throw toApiError(err);
  }
  if (res.statusCode >= 300) {
    const failure = await upstreamFailure(res, route);
    if (failure instanceof ApiError) throw failure;
    return { type: 'json', ...failure };
  }
  if (body.stream === true) return { type: 'stream', frames: streamFrames({ deps, ctx, route, body, res }) };

  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw badGateway(`The upstream '${route.provider.name}' broke off its answer: ${(err as Error).message}`, err);
  }
  const parsed = safeParse(text);
  if (!parsed) throw badGateway(`The upstream '${route.provider.name}' answered with a body that is not JSON.`);
  meter({ deps, ctx, route, usage: parsed.usage, count: () => ({ requestBody: body, completion: completionText(parsed.choices) }) });
  return { type: 'json', status: 200, body: text };
}

