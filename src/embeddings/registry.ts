import type { Logger } from 'pino';
import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import { invalidRequest } from '../errors.js';
import type { ProviderRegistry, Route } from '../providers/registry.js';
import type { Embedder, EmbedderRegistry } from './embedder.js';
import { createLocalEncoder, LOCAL_ENCODER_NAMES } from './local-encoder.js';
import { createUpstreamEmbedder } from './upstream-embedder.js';
import type { LocalModelHost } from '../providers/local/local-model-host.js';

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
 * embeds in-process, an upstream's model through its /embeddings. Aliases and routes are the provider registry's
 * current ones, so a SIGHUP reload reaches /v1/embeddings. `retrieval()` is `embeddings.retrieval_model` from the YAML
 * config, the local encoder by default, kept as started (its vectors' dimensions are stored with the vector stores).
 */
export function createEmbedderRegistry(opts: {
  config: Pick<Config, 'retrievalEmbeddingModel'>;
  providers: Pick<ProviderRegistry, 'route' | 'aliasOf'>;
  log: Pick<Logger, 'info'>;
  /** Unix ms; stamps the local models' `created`. */
  now?: () => number;
}): EmbedderRegistry {
  const { config, providers } = opts;
  const encoder = createLocalEncoder();
  // Per route object: the provider registry memoises routes per configuration, so a reload's routes get new embedders.
  const byRoute = new WeakMap<Route, Embedder>();
  const created = Math.floor((opts.now ?? Date.now)() / 1000);
  let retrievalEmbedder: Embedder | undefined;

  function routed(route: Route): Embedder {
    if (route.kind === 'model')
      throw invalidRequest(`The model \`${route.model}\` is a chat model of a provider without embeddings.`, 'model', 'model_not_supported');
    let embedder = byRoute.get(route);
    if (!embedder) {
      embedder = route.kind === 'local' ? createGgufEmbedder(route.model, route.host) : createUpstreamEmbedder({ model: route.model, route });
      byRoute.set(route, embedder);
    }
    return embedder;
  }

  function local(model: string): Embedder | undefined {
    if (LOCAL_ENCODER_NAMES.includes(providers.aliasOf(model))) return encoder;
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
