import { existsSync } from 'node:fs';
import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import { invalidRequest, modelNotFound } from '../errors.js';
import type { ChatModel } from './chat-model.js';
import type { OpenAICompatibleClient } from './openai-compatible/client.js';
import { createProvider, type Provider } from './provider-types.js';
import { createLocalChatModel } from './local/chat-model.js';
import { LocalModelHost } from './local/local-model-host.js';
import { acquireLlama, DEFAULT_RUNTIME_DIR, installHint, isRuntimeInstalled, loadNodeLlamaCpp, type RuntimeLog } from './local/runtime.js';

/** Where a model name goes: the provider, and the name the provider knows it by. */
export interface ResolvedModel {
  /** The name the client used, after aliases. Usage and prices are keyed by it. */
  model: string;
  upstreamModel: string;
  provider: OpenAICompatibleClient;
}

/**
 * Where a model name goes, whatever serves it: `upstream` is an OpenAI-compatible upstream that
 * Chat Completions relays bytes to; every other route is served through its ChatModel.
 */
export type Route =
  | ({ kind: 'upstream' } & ResolvedModel)
  | { kind: 'local'; model: string; upstreamModel: string; chatModel: ChatModel; host: LocalModelHost }
  | { kind: 'model'; model: string; upstreamModel: string; chatModel: ChatModel };

export interface ProviderRegistry {
  /** The upstream a model name goes to; 404 model_not_found, or 400 for a local model (it has no upstream). */
  resolve(model: string): ResolvedModel;
  /** Where a model name goes: an upstream or an in-process local model. */
  route(model: string): Route;
  /** The model as a ChatModel (one instance per provider and model). */
  chatModel(model: string): ChatModel;
  listModels(): Promise<Model[]>;
  /** Checks the local models (logs what is missing) and loads those configured `load: eager`. */
  start(): Promise<void>;
  close(): Promise<void>;
}

type RegistryLog = Partial<RuntimeLog> & { warn(obj: object, msg: string): void };

const MODELS_TTL_MS = 60_000;
const MAX_ALIAS_DEPTH = 8;

export function noModelHint(config: Pick<Config, 'providers' | 'localModels'>): string {
  return config.providers.length === 0 && config.localModels.length === 0
    ? 'No model provider is configured: set SWITCHBOARD_UPSTREAM_URL to an OpenAI-compatible base URL ending in /v1 ' +
        '(OpenAI, vLLM, Ollama, llama.cpp), SWITCHBOARD_LOCAL_MODEL to a GGUF file, ' +
        'or declare providers and local_models in the SWITCHBOARD_CONFIG file.'
    : 'Route it to a provider under `models:` in the SWITCHBOARD_CONFIG file, or call it as `<provider>/<model>`.';
}

/**
 * Routing, in order: aliases → exact `models:` routes → `provider/model` prefixes → the default provider.
 * Resolutions are memoised: the table is fixed for the life of the process.
 */
export function createProviderRegistry(
  config: Config,
  opts: { clock?: () => number; log?: RegistryLog } = {},
): ProviderRegistry {
  const clock = opts.clock ?? Date.now;
  const given = opts.log;
  // Called as methods, so a pino logger keeps its `this`.
  const log: RuntimeLog = {
    debug: (obj, msg) => given?.debug?.(obj, msg),
    info: (obj, msg) => given?.info?.(obj, msg),
    warn: (obj, msg) => given?.warn(obj, msg),
    error: (obj, msg) => given?.error?.(obj, msg),
  };
  const providers = new Map(config.providers.map((p) => [p.name, createProvider(p)]));
  const memo = new Map<string, Route | null>();
  const chatModels = new Map<string, ChatModel>();

  // The native runtime is acquired on the first local model load and released on close.
  const runtimeDir = config.localRuntimeDir ?? DEFAULT_RUNTIME_DIR;
  let runtime: ReturnType<typeof acquireLlama> | undefined;
  const llama = async () => {
    runtime ??= acquireLlama(log, runtimeDir);
    const current = runtime;
    try {
      return await current.llama;
    } catch (err) {
      if (runtime === current) runtime = undefined;
      await current.release();
      throw err;
    }
  };
  const hosts = new Map(config.localModels.map((m) => [m.id, new LocalModelHost({ config: m, runtime: () => loadNodeLlamaCpp(runtimeDir), llama, log })]));
  const localModels = new Map([...hosts].map(([id, host]) => [id, createLocalChatModel(host)]));
  let modelsCache: { at: number; models: Promise<Model[]> } | undefined;

  function find(requested: string): Route | null {
    let model = requested;
    for (let i = 0; i < MAX_ALIAS_DEPTH && Object.hasOwn(config.aliases, model); i++) model = config.aliases[model]!;
    const local = localModels.get(model);
    if (local) return { kind: 'local', model, upstreamModel: model, chatModel: local, host: hosts.get(model)! };
    const exact = Object.hasOwn(config.models, model) ? config.models[model] : undefined;
    if (exact) return routeTo(providers.get(exact.provider)!, model, exact.model ?? model);
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = providers.get(model.slice(0, slash));
      if (provider) return routeTo(provider, model, model.slice(slash + 1));
    }
    const fallback = config.defaultProvider ? providers.get(config.defaultProvider) : undefined;
    return fallback ? routeTo(fallback, model, model) : null;
  }

  /** A relay route for OpenAI-compatible upstreams, a ChatModel route (one instance per provider and model) for the others. */
  function routeTo(provider: Provider, model: string, upstreamModel: string): Route {
    if (provider.relay) return { kind: 'upstream', model, upstreamModel, provider: provider.client };
    return { kind: 'model', model, upstreamModel, chatModel: chatModelOf(provider, upstreamModel) };
  }

  function chatModelOf(provider: Provider, upstreamModel: string): ChatModel {
    const key = `${provider.name}\u0000${upstreamModel}`;
    let m = chatModels.get(key);
    if (!m) chatModels.set(key, (m = provider.chatModel(upstreamModel)));
    return m;
  }

  function route(model: string): Route {
    let r = memo.get(model);
    if (r === undefined) {
      r = find(model);
      if (memo.size < 10_000) memo.set(model, r);
    }
    if (!r) throw modelNotFound(model, noModelHint(config));
    return r;
  }

  function resolve(model: string): ResolvedModel {
    const r = route(model);
    if (r.kind === 'upstream') return r;
    const what = r.kind === 'local' ? 'a local chat model' : `served by the provider '${r.chatModel.provider}'`;
    throw invalidRequest(`The model \`${model}\` is ${what}: it serves chat completions and runs only.`, 'model', 'model_not_supported');
  }

  function chatModel(model: string): ChatModel {
    const r = route(model);
    if (r.kind !== 'upstream') return r.chatModel;
    return chatModelOf(providers.get(r.provider.name)!, r.upstreamModel);
  }

  async function start(): Promise<void> {
    if (hosts.size === 0) return;
    if (!isRuntimeInstalled(runtimeDir)) {
      log.error({ models: [...hosts.keys()] }, `local models are configured but cannot run. ${installHint(runtimeDir)}`);
      return;
    }
    for (const host of hosts.values())
      if (!existsSync(host.config.path))
        log.error({ model: host.config.id, path: host.config.path }, 'the file of a local model does not exist (npx switchboard pull <source> downloads one)');
    const eager = [...hosts.values()].filter((h) => h.config.load === 'eager' && existsSync(h.config.path));
    await Promise.all(
      eager.map((h) => h.load().catch((err: unknown) => log.error({ model: h.config.id, err: (err as Error).message }, 'local model failed to load'))),
    );
  }

  async function fetchUpstreamModels(provider: Provider): Promise<string[]> {
    const client = provider.client;
    try {
      const res = await client.request({ path: provider.modelsPath, method: 'GET', signal: AbortSignal.timeout(5000) });
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
    for (const id of hosts.keys()) add(id, 'switchboard');
    for (const [name, route] of Object.entries(config.models)) add(name, route.provider);
    for (const alias of Object.keys(config.aliases)) add(alias, 'switchboard');
    const lists = await Promise.all(
      config.providers.map(async (p) => {
        const ids = [...p.models, ...(await fetchUpstreamModels(providers.get(p.name)!))];
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
    route,
    chatModel,
    listModels,
    start,
    close: async () => {
      await Promise.all([...providers.values()].map((p) => p.client.close()));
      await Promise.all([...hosts.values()].map((h) => h.dispose()));
      await runtime?.release();
      runtime = undefined;
    },
  };
}
