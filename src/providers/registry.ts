import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import { invalidRequest, modelNotFound } from '../errors.js';
import type { ChatModel } from './chat-model.js';
import { LocalModels } from './local/local-models.js';
import type { RuntimeLog } from './local/runtime.js';
import { ModelList } from './model-list.js';
import { createProvider, type Provider } from './provider-types.js';
import { instrumentChatModel } from '../telemetry/instrument-chat-model.js';
import type { ProviderRegistry, ResolvedModel, Route } from './registry-types.js';

export type { ProviderRegistry, ResolvedModel, Route } from './registry-types.js';

type RegistryLog = Partial<RuntimeLog> & { warn(obj: object, msg: string): void };

const MAX_ALIAS_DEPTH = 8;
/** Resolutions kept; past this, new names are resolved on each call. */
const MAX_MEMO = 10_000;

export function noModelHint(config: Pick<Config, 'providers' | 'localModels'>): string {
  return config.providers.length === 0 && config.localModels.length === 0
    ? 'No model provider is configured: set SWITCHBOARD_UPSTREAM_URL to an OpenAI-compatible base URL ending in /v1 ' +
        '(OpenAI, vLLM, Ollama, llama.cpp), SWITCHBOARD_LOCAL_MODEL to a GGUF file, ' +
        'or declare providers and local_models in the SWITCHBOARD_CONFIG file.'
    : 'Route it to a provider under `models:` in the SWITCHBOARD_CONFIG file, or call it as `<provider>/<model>`.';
}

/** Every level a runtime logs at, called as methods so that a pino logger keeps its `this`. */
function runtimeLog(given: RegistryLog | undefined): RuntimeLog {
  return {
    debug: (obj, msg) => given?.debug?.(obj, msg),
    info: (obj, msg) => given?.info?.(obj, msg),
    warn: (obj, msg) => given?.warn(obj, msg),
    error: (obj, msg) => given?.error?.(obj, msg),
  };
}

/** The name an alias chain ends at (at most MAX_ALIAS_DEPTH steps). */
function followAliases(aliases: Record<string, string>, requested: string): string {
  let model = requested;
  for (let i = 0; i < MAX_ALIAS_DEPTH && Object.hasOwn(aliases, model); i++) model = aliases[model]!;
  return model;
}

/**
 * Routing, in order: aliases → local models → exact `models:` routes → `provider/model` prefixes →
 * the default provider. Resolutions are memoised: the table is fixed for the life of the process.
 */
class Registry implements ProviderRegistry {
  readonly #config: Config;
  readonly #providers: Map<string, Provider>;
  readonly #local: LocalModels;
  readonly #models: ModelList;
  readonly #memo = new Map<string, Route | null>();
  readonly #chatModels = new Map<string, ChatModel>();

  constructor(config: Config, opts: { clock: () => number; log: RuntimeLog }) {
    this.#config = config;
    this.#providers = new Map(config.providers.map((p) => [p.name, createProvider(p)]));
    this.#local = new LocalModels({ models: config.localModels, runtimeDir: config.localRuntimeDir, log: opts.log });
    this.#models = new ModelList({ config, providers: this.#providers, localModelIds: this.#local.ids(), ...opts });
  }

  route(model: string): Route {
    let r = this.#memo.get(model);
    if (r === undefined) {
      r = this.#find(model);
      if (this.#memo.size < MAX_MEMO) this.#memo.set(model, r);
    }
    if (!r) throw modelNotFound(model, noModelHint(this.#config));
    return r;
  }

  resolve(model: string): ResolvedModel {
    const r = this.route(model);
    if (r.kind === 'upstream') return r;
    const what = r.kind === 'local' ? 'a local chat model' : `served by the provider '${r.chatModel.provider}'`;
    throw invalidRequest(`The model \`${model}\` is ${what}: it serves chat completions and runs only.`, 'model', 'model_not_supported');
  }

  chatModel(model: string): ChatModel {
    const r = this.route(model);
    if (r.kind !== 'upstream') return r.chatModel;
    return this.#chatModelOf(this.#providers.get(r.provider.name)!, r.upstreamModel);
  }

  listModels(): Promise<Model[]> {
    return this.#models.list();
  }

  start(): Promise<void> {
    return this.#local.start();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#providers.values()].map((p) => p.client.close()));
    await this.#local.close();
  }

  #find(requested: string): Route | null {
    const config = this.#config;
    const model = followAliases(config.aliases, requested);
    const local = this.#local.get(model);
    if (local) return { kind: 'local', model, upstreamModel: model, ...local, chatModel: instrumentChatModel(local.chatModel) };
    const exact = Object.hasOwn(config.models, model) ? config.models[model] : undefined;
    if (exact) return this.#routeTo(this.#providers.get(exact.provider)!, model, exact.model ?? model);
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = this.#providers.get(model.slice(0, slash));
      if (provider) return this.#routeTo(provider, model, model.slice(slash + 1));
    }
    const fallback = config.defaultProvider ? this.#providers.get(config.defaultProvider) : undefined;
    return fallback ? this.#routeTo(fallback, model, model) : null;
  }

  /** A relay route for OpenAI-compatible upstreams, a ChatModel route for the others. */
  #routeTo(provider: Provider, model: string, upstreamModel: string): Route {
    if (provider.relay) return { kind: 'upstream', model, upstreamModel, provider: provider.client };
    return { kind: 'model', model, upstreamModel, chatModel: this.#chatModelOf(provider, upstreamModel) };
  }

  /** One ChatModel per provider and upstream model. */
  #chatModelOf(provider: Provider, upstreamModel: string): ChatModel {
    const key = `${provider.name}\u0000${upstreamModel}`;
    let m = this.#chatModels.get(key);
    if (!m) this.#chatModels.set(key, (m = instrumentChatModel(provider.chatModel(upstreamModel))));
    return m;
  }
}

export function createProviderRegistry(config: Config, opts: { clock?: () => number; log?: RegistryLog } = {}): ProviderRegistry {
  return new Registry(config, { clock: opts.clock ?? Date.now, log: runtimeLog(opts.log) });
}
