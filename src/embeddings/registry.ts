import type { Logger } from 'pino';
import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import { invalidRequest } from '../errors.js';
import type { ProviderRegistry, Route } from '../providers/registry.js';
import type { Embedder, EmbedderRegistry } from './embedder.js';
import { createLocalEncoder, LOCAL_ENCODER_NAMES } from './local-encoder.js';
import { createUpstreamEmbedder } from './upstream-embedder.js';
import type { LocalModelHost } from '../providers/local/local-model-host.js';

const MAX_ALIAS_DEPTH = 8;

/** A local GGUF model's embeddings (an embedding model, or any model's pooled hidden state), in-process. */
function createGgufEmbedder(model: string, host: LocalModelHost): Embedder {
  let dimensions = 0;
  return {
    model,
    get dimensions() {
      return dimensions;
    },
    async embed(texts, opts) {
      const r = await host.embed(texts, opts?.signal);
      dimensions = r.dimensions;
      return { vectors: r.vectors, promptTokens: r.promptTokens };
    },
  };
}

/**
 * Model name → Embedder. The local encoder's names (and config aliases of them) are served in-process by one shared
 * encoder, loaded on first use; every other name is routed like a chat model (`providers.route`): a local GGUF model
 * embeds in-process, an upstream's model through its /embeddings. `retrieval()` is `embeddings.retrieval_model` from the YAML config, the local encoder by default.
 */
export function createEmbedderRegistry(opts: {
  config: Pick<Config, 'aliases' | 'retrievalEmbeddingModel'>;
  providers: Pick<ProviderRegistry, 'route'>;
  log: Pick<Logger, 'info'>;
  /** Unix ms; stamps the local models' `created`. */
  now?: () => number;
}): EmbedderRegistry {
  const { config, providers } = opts;
  const encoder = createLocalEncoder();
  const byModel = new Map<string, Embedder>();
  const created = Math.floor((opts.now ?? Date.now)() / 1000);
  let retrievalEmbedder: Embedder | undefined;

  function routed(route: Route): Embedder {
    if (route.kind === 'model')
      throw invalidRequest(`The model \`${route.model}\` is a chat model of a provider without embeddings.`, 'model', 'model_not_supported');
    let embedder = byModel.get(route.model);
    if (!embedder) {
      embedder = route.kind === 'local' ? createGgufEmbedder(route.model, route.host) : createUpstreamEmbedder({ model: route.model, route });
      byModel.set(route.model, embedder);
    }
    return embedder;
  }

  function local(model: string): Embedder | undefined {
    let name = model;
    for (let i = 0; i < MAX_ALIAS_DEPTH && Object.hasOwn(config.aliases, name); i++) name = config.aliases[name]!;
    if (LOCAL_ENCODER_NAMES.includes(name)) return encoder;
    let route: Route;
    try {
      route = providers.route(model);
    } catch {
      return undefined; // unknown: the upstream path answers its 404
    }
    return route.kind === 'local' ? routed(route) : undefined;
  }

  function resolve(model: string): Embedder {
    return local(model) ?? routed(providers.route(model)); // route() throws 404 model_not_found
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
