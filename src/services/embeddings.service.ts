import type { CreateEmbeddingResponse, Embedding } from 'openai/resources/embeddings';
import type { Caller, Deps } from '../deps.js';
import { badGateway, invalidRequest, type ApiError } from '../errors.js';
import type { Embedder } from '../embeddings/embedder.js';
import { normalize } from '../providers/normalize.js';
import {
  findTokenLimitBreach,
  loadTokenCounter,
  MAX_INPUT_TOKENS,
  MAX_REQUEST_TOKENS,
  type TokenLimitBreach,
} from '../embeddings/tokens.js';
import type { UsageEvent } from '../metering/usage-event.js';
import type { UpstreamResponse } from '../providers/openai-compatible/client.js';
import { brokenAnswer, providerFailure, upstreamFailure } from './upstream-errors.js';

/**
 * POST /v1/embeddings. The local encoder's names are embedded in-process; every other model goes to its upstream
 * the way chat completions do: the body as sent (model renamed to the upstream's name), the upstream's key, its 4xx
 * answers passed through, 5xx and transport failures as 502/504, and usage metered from its `usage.prompt_tokens`.
 */
export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64' | null;
  dimensions?: number | null;
  [field: string]: unknown;
}

export interface EmbeddingsResult {
  status: number;
  /** JSON text. */
  body: string;
}

interface CallContext {
  caller: Caller;
  requestId: string;
  signal: AbortSignal;
}

/** `embedding` is a base64 string when `encoding_format` is 'base64'. */
type WireEmbedding = Omit<Embedding, 'embedding'> & { embedding: number[] | string };
type WireResponse = Omit<CreateEmbeddingResponse, 'data'> & { data: WireEmbedding[] };

function usageEvent(ctx: CallContext, at: number, model: string, upstreamModel: string, tokens: number): UsageEvent {
  const { tenantId, apiKeyId } = ctx.caller;
  return { tenantId, apiKeyId, model, upstreamModel, at, inputTokens: tokens, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0, kind: 'embeddings' };
}

// ---------------------------------------------------------------------------------------------------------------
// The local encoder.

/** The texts of a request an in-process model can embed; 400 for what it cannot. */
function localTexts(input: EmbeddingsRequest['input']): string[] {
  const texts = typeof input === 'string' ? [input] : input;
  if (texts.some((t) => typeof t !== 'string'))
    throw invalidRequest('Invalid input: token inputs are not supported by this model; send strings.', 'input', 'invalid_value');
  const empty = (texts as string[]).findIndex((t) => t === '');
  if (empty >= 0)
    throw invalidRequest(
      `Invalid 'input${typeof input === 'string' ? '' : `[${empty}]`}': empty string. Expected a string with minimum length 1.`,
      'input',
      'empty_string',
    );
  return texts as string[];
}

/** OpenAI's answers to an input over 8,192 tokens and to a request over 300,000. */
function tokenLimitError(breach: TokenLimitBreach): ApiError {
  const n = breach.tokens;
  if (breach.input === undefined)
    return invalidRequest(`Requested ${n} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`, 'input', 'max_tokens_per_request');
  return invalidRequest(
    `This model's maximum context length is ${MAX_INPUT_TOKENS} tokens, however you requested ${n} tokens (${n} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
    'input',
  );
}

/** A shorter embedding is the first `dimensions` floats, scaled back to unit length (as OpenAI's shortening does). */
function shorten(v: Float32Array, dimensions: number): Float32Array {
  return dimensions >= v.length ? v : normalize(v.slice(0, dimensions));
}

/** Little-endian float32 bytes in base64: what the SDKs decode (and ask for by default since openai v4.57). */
function toBase64(v: Float32Array): string {
  const bytes = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i]!, i * 4);
  return bytes.toString('base64');
}

/** Floats with the 9 significant digits that identify a float32, not the 17 of its double. */
const toFloats = (v: Float32Array): number[] => Array.from(v, (x) => Number(x.toPrecision(9)));

async function embedLocally(opts: { deps: Deps; ctx: CallContext; body: EmbeddingsRequest; embedder: Embedder }): Promise<EmbeddingsResult> {
  const { deps, ctx, body, embedder } = opts;
  const texts = localTexts(body.input);
  // Refused before they reach the model, which every caller shares.
  const breach = await findTokenLimitBreach(texts);
  if (breach) throw tokenLimitError(breach);
  // A local GGUF model's size is known once it is loaded (0 before): then the check follows the embedding.
  const tooMany = (size: number) =>
    invalidRequest(`Invalid 'dimensions': the model '${body.model}' makes ${size}-d embeddings; ask for at most ${size}.`, 'dimensions', 'integer_above_max_value');
  if (embedder.dimensions > 0 && (body.dimensions ?? 0) > embedder.dimensions) throw tooMany(embedder.dimensions);
  const { vectors, promptTokens } = await embedder.embed(texts, { signal: ctx.signal, caller: ctx.caller.tenantId });
  const size = vectors[0]?.length ?? embedder.dimensions;
  if ((body.dimensions ?? 0) > size) throw tooMany(size);
  const dimensions = body.dimensions ?? size;
  const encode = body.encoding_format === 'base64' ? toBase64 : toFloats;
  const response: WireResponse = {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: encode(shorten(v, dimensions)) })),
    model: body.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
  deps.usage.record(usageEvent(ctx, deps.clock.now(), body.model, embedder.model, promptTokens));
  return { status: 200, body: JSON.stringify(response) };
}

// ---------------------------------------------------------------------------------------------------------------
// An upstream.

/** Tokens of the inputs, for an upstream that reports no usage (token arrays count their length). */
async function countInputTokens(input: EmbeddingsRequest['input']): Promise<number> {
  const count = await loadTokenCounter();
  const items: unknown[] = typeof input === 'string' ? [input] : input;
  if (items.every((x) => typeof x === 'number')) return items.length;
  return items.reduce<number>((n, x) => n + (typeof x === 'string' ? count(x) : Array.isArray(x) ? x.length : 0), 0);
}

async function embedUpstream(deps: Deps, ctx: CallContext, body: EmbeddingsRequest): Promise<EmbeddingsResult> {
  const route = deps.providers.resolve(body.model);
  let res: UpstreamResponse;
  try {
    res = await route.provider.request({
      path: '/embeddings',
      body: JSON.stringify({ ...body, model: route.upstreamModel }),
      signal: ctx.signal,
      requestId: ctx.requestId,
    });
  } catch (err) {
    throw providerFailure(err);
  }
  if (res.statusCode >= 300) return upstreamFailure(res, route.provider.name);
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw brokenAnswer(route.provider.name, err);
  }
  let parsed: { usage?: { prompt_tokens?: unknown } | null };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badGateway(`The upstream '${route.provider.name}' answered with a body that is not JSON.`);
  }
  const at = deps.clock.now();
  const reported = parsed?.usage?.prompt_tokens;
  if (typeof reported === 'number') deps.usage.record(usageEvent(ctx, at, route.model, route.upstreamModel, reported));
  else deps.usage.recordLater(countInputTokens(body.input).then((n) => usageEvent(ctx, at, route.model, route.upstreamModel, n)));
  return { status: 200, body: text };
}

export async function createEmbedding(deps: Deps, ctx: CallContext, body: EmbeddingsRequest): Promise<EmbeddingsResult> {
  const local = deps.embeddings.local(body.model);
  return local ? embedLocally({ deps, ctx, body, embedder: local }) : embedUpstream(deps, ctx, body);
}
