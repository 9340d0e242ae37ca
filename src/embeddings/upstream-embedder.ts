import { z } from 'zod';
import type { ResolvedModel } from '../providers/registry.js';
import { ProviderError } from '../providers/provider-error.js';
import type { EmbedOptions, Embedder } from './embedder.js';
import { normalize } from '../providers/normalize.js';
import { loadTokenCounter } from './tokens.js';

/**
 * An Embedder over an OpenAI-compatible upstream's /embeddings (what file_search uses when
 * `embeddings.retrieval_model` names an upstream model). Texts go in batches of `batchSize` (128: 128 chunks of 800
 * tokens stay well under OpenAI's 300k tokens per request). It asks for floats, which every compatible server
 * (vLLM, Ollama, llama.cpp, LM Studio) returns, and accepts base64 too. `dimensions` is the configured size if
 * given (a vector of another size is then an error), else the size of the first vector returned: 0 until then.
 */
export interface UpstreamEmbedderOptions {
  /** The model name clients use. */
  model: string;
  route: ResolvedModel;
  dimensions?: number;
  batchSize?: number;
}

const responseSchema = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().int().optional(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.looseObject({ prompt_tokens: z.number().optional() }).nullish(),
});

function decode(embedding: number[] | string): Float32Array {
  if (typeof embedding !== 'string') return Float32Array.from(embedding);
  const bytes = Buffer.from(embedding, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

export function createUpstreamEmbedder(opts: UpstreamEmbedderOptions): Embedder {
  const { route } = opts;
  const batchSize = opts.batchSize ?? 128;
  const provider = route.provider.name;
  let dimensions = opts.dimensions ?? 0;
  const fail = (message: string, extra: { statusCode?: number; responseBody?: string } = {}) =>
    new ProviderError({ provider, kind: 'response', message, ...extra });

  async function embedBatch(texts: string[], signal: AbortSignal | undefined) {
    const res = await route.provider.request({
      path: '/embeddings',
      body: JSON.stringify({ model: route.upstreamModel, input: texts, encoding_format: 'float' }),
      signal,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300)
      throw fail(`The upstream '${provider}' answered ${res.statusCode} to an embeddings request: ${text.slice(0, 500)}`, {
        statusCode: res.statusCode,
        responseBody: text,
      });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw fail(`The upstream '${provider}' answered an embeddings request with a body that is not JSON.`);
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success || parsed.data.data.length !== texts.length)
      throw fail(`The upstream '${provider}' did not return one embedding per input.`);
    const vectors = new Array<Float32Array>(texts.length);
    parsed.data.data.forEach((item, i) => (vectors[item.index ?? i] = normalize(decode(item.embedding))));
    for (const v of vectors) {
      if (!v) throw fail(`The upstream '${provider}' returned embeddings with duplicate or out-of-range indexes.`);
      dimensions ||= v.length;
      if (v.length !== dimensions)
        throw fail(`The upstream '${provider}' returned a ${v.length}-d embedding where ${dimensions}-d was expected.`);
    }
    return { vectors, promptTokens: parsed.data.usage?.prompt_tokens };
  }

  async function embed(texts: string[], embedOpts: EmbedOptions = {}) {
    const vectors: Float32Array[] = [];
    let promptTokens = 0;
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const out = await embedBatch(batch, embedOpts.signal);
      vectors.push(...out.vectors);
      if (out.promptTokens !== undefined) promptTokens += out.promptTokens;
      else {
        const count = await loadTokenCounter();
        promptTokens += batch.reduce((n, t) => n + count(t), 0);
      }
    }
    return { vectors, promptTokens };
  }

  return {
    model: opts.model,
    get dimensions() {
      return dimensions;
    },
    embed,
  };
}
