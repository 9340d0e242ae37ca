import type { Logger } from 'pino';
import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Embedder, EmbedderRegistry } from './embedder.js';
import { createLocalEncoder, LOCAL_ENCODER_NAMES } from './local-encoder.js';
import { createUpstreamEmbedder } from './upstream-embedder.js';

const MAX_ALIAS_DEPTH = 8;

/**
 * Model name → Embedder. The local encoder's names (and config aliases of them) are served in-process by one shared
 * encoder, loaded on first use; every other name is routed like a chat model (`providers.resolve`) to an upstream's
 * /embeddings. `retrieval()` is `embeddings.retrieval_model` from the YAML config, the local encoder by default.
 */
export function createEmbedderRegistry(opts: {
  config: Pick<Config, 'aliases' | 'retrievalEmbeddingModel'>;
  providers: Pick<ProviderRegistry, 'resolve'>;
  log: Pick<Logger, 'info'>;
  /** Unix ms; stamps the local models' `created`. */
  now?: () => number;
}): EmbedderRegistry {
  const { config, providers } = opts;
  const encoder = createLocalEncoder();
  const upstream = new Map<string, Embedder>();
  const created = Math.floor((opts.now ?? Date.now)() / 1000);
  let retrievalEmbedder: Embedder | undefined;

  function local(model: string): Embedder | undefined {
    let name = model;
    for (let i = 0; i < MAX_ALIAS_DEPTH && config.aliases[name]; i++) name = config.aliases[name]!;
    return LOCAL_ENCODER_NAMES.includes(name) ? encoder : undefined;
  }

  function resolve(model: string): Embedder {
    const found = local(model);
    if (found) return found;
    const route = providers.resolve(model); // throws 404 model_not_found
    let embedder = upstream.get(route.model);
    if (!embedder) {
      embedder = createUpstreamEmbedder({ model: route.model, route });
      upstream.set(route.model, embedder);
    }
    return embedder;
  }

  function retrieval(): Embedder {
    if (!retrievalEmbedder) {
      retrievalEmbedder = resolve(config.retrievalEmbeddingModel);
      opts.log.info({ model: retrievalEmbedder.model, local: retrievalEmbedder === encoder }, 'file_search embeddings model');
    }
    return retrievalEmbedder;
  }

  const listModels = (): Model[] =>
    LOCAL_ENCODER_NAMES.map((id) => ({ id, object: 'model', created, owned_by: 'switchboard' }));

  return { resolve, local, retrieval, listModels, close: () => encoder.close() };
}
