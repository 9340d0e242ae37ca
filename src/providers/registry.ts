import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import { modelNotFound } from '../errors.js';
import { createOpenAICompatible, type OpenAICompatibleClient } from './openai-compatible/client.js';

/** Where a model name goes: the provider, and the name the provider knows it by. */
export interface ResolvedModel {
  /** The name the client used, after aliases. Usage and prices are keyed by it. */
  model: string;
  upstreamModel: string;
  provider: OpenAICompatibleClient;
}

export interface ProviderRegistry {
  resolve(model: string): ResolvedModel;
  listModels(): Promise<Model[]>;
  close(): Promise<void>;
}

const MODELS_TTL_MS = 60_000;
const MAX_ALIAS_DEPTH = 8;

export function noModelHint(config: Pick<Config, 'providers'>): string {
  return config.providers.length === 0
    ? 'No model provider is configured: set SWITCHBOARD_UPSTREAM_URL to an OpenAI-compatible base URL ending in /v1 ' +
        '(OpenAI, vLLM, Ollama, llama.cpp), or declare providers in the SWITCHBOARD_CONFIG file.'
    : 'Route it to a provider under `models:` in the SWITCHBOARD_CONFIG file, or call it as `<provider>/<model>`.';
}

/**
 * Routing, in order: aliases → exact `models:` routes → `provider/model` prefixes → the default provider.
 * Resolutions are memoised: the table is fixed for the life of the process.
 */
export function createProviderRegistry(
  config: Config,
  opts: { clock?: () => number; log?: { warn(obj: object, msg: string): void } } = {},
): ProviderRegistry {
  const clock = opts.clock ?? Date.now;
  const clients = new Map(config.providers.map((p) => [p.name, createOpenAICompatible(p)]));
  const memo = new Map<string, ResolvedModel | null>();
  let modelsCache: { at: number; models: Promise<Model[]> } | undefined;

  function route(requested: string): ResolvedModel | null {
    let model = requested;
    for (let i = 0; i < MAX_ALIAS_DEPTH && config.aliases[model]; i++) model = config.aliases[model]!;
    const exact = config.models[model];
    if (exact) return { model, upstreamModel: exact.model ?? model, provider: clients.get(exact.provider)! };
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = clients.get(model.slice(0, slash));
      if (provider) return { model, upstreamModel: model.slice(slash + 1), provider };
    }
    const fallback = config.defaultProvider ? clients.get(config.defaultProvider) : undefined;
    return fallback ? { model, upstreamModel: model, provider: fallback } : null;
  }

  function resolve(model: string): ResolvedModel {
    let r = memo.get(model);
    if (r === undefined) {
      r = route(model);
      if (memo.size < 10_000) memo.set(model, r);
    }
    if (!r) throw modelNotFound(model, noModelHint(config));
    return r;
  }

  async function fetchUpstreamModels(client: OpenAICompatibleClient): Promise<string[]> {
    try {
      const res = await client.request({ path: '/models', method: 'GET', signal: AbortSignal.timeout(5000) });
      const body = (await res.body.json()) as { data?: Array<{ id?: unknown }> };
      if (res.statusCode !== 200 || !Array.isArray(body.data)) return [];
      return body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
    } catch (err) {
      opts.log?.warn({ provider: client.name, err: (err as Error).message }, 'could not list upstream models');
      return [];
    }
  }

  async function loadModels(): Promise<Model[]> {
    const created = Math.floor(clock() / 1000);
    const out = new Map<string, Model>();
    const add = (id: string, owned_by: string) => {
      if (!out.has(id)) out.set(id, { id, object: 'model', created, owned_by });
    };
    for (const [name, route] of Object.entries(config.models)) add(name, route.provider);
    for (const alias of Object.keys(config.aliases)) add(alias, 'switchboard');
    const lists = await Promise.all(
      config.providers.map(async (p) => {
        const ids = [...p.models, ...(await fetchUpstreamModels(clients.get(p.name)!))];
        return { p, ids };
      }),
    );
    for (const { p, ids } of lists)
      for (const id of ids) add(p.name === config.defaultProvider ? id : `${p.name}/${id}`, p.name);
    return [...out.values()];
  }

  function listModels(): Promise<Model[]> {
    const now = clock();
    if (!modelsCache || now - modelsCache.at > MODELS_TTL_MS) {
      const models = loadModels();
      modelsCache = { at: now, models };
    }
    return modelsCache.models;
  }

  return {
    resolve,
    listModels,
    close: async () => {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}
