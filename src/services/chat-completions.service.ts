import type { CompletionUsage } from 'openai/resources/completions';
import type { Deps } from '../deps.js';
import { badGateway } from '../errors.js';
import { completionText, estimateUsage } from '../metering/count-tokens.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { UpstreamResponse } from '../providers/openai-compatible/client.js';
import type { UsageEvent } from '../metering/usage-event.js';
import { brokenAnswer, providerFailure, upstreamFailure } from './upstream-errors.js';
import { relayChatStream, type ChatStreamSummary } from '../streaming/chat-relay.js';
import { completeWithModel } from './model-chat-completions.service.js';
import type { ChatCallContext, ChatCompletionRequest, ChatCompletionResult } from './chat-completion-result.js';
import { errorTypeOf } from '../telemetry/error-type.js';
import { startModelCall, type ModelCall } from '../telemetry/model-call.js';
import { usageFromTail } from '../providers/openai-compatible/usage-from-tail.js';

/** The body as it goes upstream: every field the client sent, with the provider's model name. */
function upstreamBody(body: ChatCompletionRequest, route: ResolvedModel): string {
  const out: Record<string, unknown> = { ...body, model: route.upstreamModel };
  if (body.stream === true) out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
  return JSON.stringify(out);
}


function usageEvent(ctx: ChatCallContext, route: ResolvedModel, at: number, usage: CompletionUsage): UsageEvent {
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

/**
 * What a call's completion is read from when the upstream sent no usage and it is counted instead: a stream's
 * payloads, an answer's text, or its parsed choices. Data, not a closure: a request makes no function (under tsx,
 * `npm start`, each closure a call makes is also named with an Object.defineProperty).
 */
type Completion = { payloads: string[] } | { text: string } | { choices: unknown };

function completionOf(c: Completion): string {
  if ('payloads' in c) return c.payloads.map((p) => completionText(safeParse(p)?.choices)).join('');
  if ('text' in c) return completionText(safeParse(c.text)?.choices);
  return completionText(c.choices);
}

/** Meters a call: the upstream's own usage when it sent one, else a tokenizer count of prompt and completion. */
function meter(opts: {
  deps: Deps;
  ctx: ChatCallContext;
  route: ResolvedModel;
  usage: CompletionUsage | null | undefined;
  body: ChatCompletionRequest;
  completion: Completion;
}): void {
  const { deps, ctx, route } = opts;
  const at = deps.clock.now();
  if (opts.usage) deps.usage.record(usageEvent(ctx, route, at, opts.usage));
  else
    deps.usage.recordLater(
      estimateUsage({ requestBody: opts.body, completion: completionOf(opts.completion) }).then((u) => usageEvent(ctx, route, at, u)),
    );
}

interface StreamCall {
  deps: Deps;
  ctx: ChatCallContext;
  route: ResolvedModel;
  body: ChatCompletionRequest;
  res: UpstreamResponse;
  call: ModelCall | undefined;
}

function streamFrames(opts: StreamCall): AsyncGenerator<string> {
  const summary: ChatStreamSummary = { usage: null, payloads: [], sawDone: false, error: null };
  const frames = relayChatStream({
    source: opts.res.body,
    includeUsage: opts.body.stream_options?.include_usage === true,
    summary,
  });
  return metered(opts, frames, summary);
}

/** The relayed frames, with the call measured and metered however the stream ends. */
async function* metered(opts: StreamCall, frames: AsyncGenerator<string>, summary: ChatStreamSummary): AsyncGenerator<string> {
  const { deps, ctx, route, body, res, call } = opts;
  try {
    const first = await frames.next();
    call?.firstToken();
    if (!first.done) yield first.value;
    yield* frames;
  } finally {
    // A stream cut because its client left (its upstream call aborted) did not break: its call was cancelled.
    const left = summary.error !== null && ctx.gone?.aborted === true;
    call?.end({ error: summary.error === null ? undefined : left ? 'cancelled' : 'stream', usage: tokensOf(summary.usage) });
    // Only a stream cut short (the client left) still has a body to abort; after [DONE] the
    // relay drains it so the connection goes back to the pool.
    if (!summary.sawDone && !res.body.readableEnded) res.body.destroy();
    if (summary.usage || summary.payloads.length > 0)
      meter({ deps, ctx, route, usage: summary.usage, body, completion: { payloads: summary.payloads } });
    // Nor is it worth a warning: its request's line says 499.
    if (summary.error && !left) deps.log.warn({ reqId: ctx.requestId, provider: route.provider.name }, summary.error);
  }
}

/** An answer its upstream declared JSON (`application/json`, or any `+json` type). */
function isJson(res: UpstreamResponse): boolean {
  const type = res.headers['content-type'];
  return typeof type === 'string' && type.includes('json');
}

const tokensOf = (u: CompletionUsage | null | undefined) => (u ? { input: u.prompt_tokens ?? 0, output: u.completion_tokens ?? 0 } : null);

function safeParse(text: string): { choices?: unknown; usage?: CompletionUsage } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function createChatCompletion(
  deps: Deps,
  ctx: ChatCallContext,
  body: ChatCompletionRequest,
): Promise<ChatCompletionResult> {
  const target = deps.providers.route(body.model);
  // Only OpenAI-compatible upstreams take the byte relay; every other route answers through its ChatModel.
  if (target.kind !== 'upstream') return completeWithModel(deps, ctx, body, target);
  const route: ResolvedModel = target;
  const call = startModelCall({ provider: route.provider.name, model: route.upstreamModel, requestId: ctx.requestId });
  let res: UpstreamResponse;
  try {
    res = await route.provider.request({
      path: '/chat/completions',
      body: upstreamBody(body, route),
      signal: ctx.gone ?? ctx.signal,
      requestId: ctx.requestId,
    });
  } catch (err) {
    call?.end({ error: errorTypeOf(err) });
    throw providerFailure(err);
  }
  if (res.statusCode >= 300) call?.end({ error: String(res.statusCode) });
  if (res.statusCode >= 300) return { type: 'json', ...(await upstreamFailure(res, route.provider.name)) };
  if (body.stream === true) return { type: 'stream', frames: streamFrames({ deps, ctx, route, body, res, call }) };

  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    call?.end({ error: errorTypeOf(err) });
    throw brokenAnswer(route.provider.name, err);
  }
  // Most answers carry `usage` at their end: read there, the answer goes out as it came without a whole parse.
  const tail = isJson(res) ? usageFromTail(text) : undefined;
  if (tail?.found && tail.usage) {
    const usage = tail.usage;
    call?.end({ usage: tokensOf(usage) });
    meter({ deps, ctx, route, usage, body, completion: { text } });
    return { type: 'json', status: 200, body: text };
  }
  const parsed = safeParse(text);
  call?.end({ error: parsed ? undefined : 'invalid_json', usage: tokensOf(parsed?.usage) });
  if (!parsed) throw badGateway(`The upstream '${route.provider.name}' answered with a body that is not JSON.`);
  meter({ deps, ctx, route, usage: parsed.usage, body, completion: { choices: parsed.choices } });
  return { type: 'json', status: 200, body: text };
}

