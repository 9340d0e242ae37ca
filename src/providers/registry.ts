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

/** What one configuration routes by: swapped whole by reload(), so a call sees one table or the other. */
interface RouteTable {
  config: Config;
  providers: Map<string, Provider>;
  /** Each provider's settings, compared on reload. */
  settings: Map<string, string>;
  models: ModelList;
  memo: Map<string, Route | null>;
  chatModels: Map<string, ChatModel>;
}

/**
 * Routing, in order: aliases → local models → exact `models:` routes → `provider/model` prefixes →
 * the default provider. Resolutions are memoised per route table; reload() installs a new table.
 */
class Registry implements ProviderRegistry {
  readonly #local: LocalModels;
  readonly #opts: { clock: () => number; log: RuntimeLog };
  #table: RouteTable;
  /** Clients of providers a reload replaced: requests in flight may still use them; closed with the registry. */
  readonly #retired: Provider[] = [];

  constructor(config: Config, opts: { clock: () => number; log: RuntimeLog }) {
    this.#opts = opts;
    this.#local = new LocalModels({ models: config.localModels, runtimeDir: config.localRuntimeDir, log: opts.log });
    this.#table = this.#tableOf(config, undefined);
  }

  route(model: string): Route {
    const table = this.#table;
    let r = table.memo.get(model);
    if (r === undefined) {
      r = this.#find(table, model);
      if (table.memo.size < MAX_MEMO) table.memo.set(model, r);
    }
    if (!r) throw modelNotFound(model, noModelHint(table.config));
    return r;
  }

  aliasOf(model: string): string {
    return followAliases(this.#table.config.aliases, model);
  }

  resolve(model: string): ResolvedModel {
    const r = this.route(model);
    if (r.kind === 'upstream') return r;
    const what = r.kind === 'local' ? 'a local chat model' : `served by the provider '${r.chatModel.provider}'`;
    throw invalidRequest(`The model \`${model}\` is ${what}: it serves chat completions and runs only.`, 'model', 'model_not_supported');
  }

  chatModel(model: string): ChatModel {
    const table = this.#table;
    const r = this.route(model);
    if (r.kind !== 'upstream') return r.chatModel;
    return this.#chatModelOf(table, table.providers.get(r.provider.name)!, r.upstreamModel);
  }

  listModels(): Promise<Model[]> {
    return this.#table.models.list();
  }

  /** Routes, aliases and providers from `config` (local models stay as started); unchanged providers keep their clients. */
  reload(config: Config): void {
    const old = this.#table;
    this.#table = this.#tableOf(config, old);
    for (const [name, p] of old.providers) if (this.#table.providers.get(name) !== p) this.#retired.push(p);
  }

  start(): Promise<void> {
    return this.#local.start();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#table.providers.values(), ...this.#retired].map((p) => p.client.close()));
    await this.#local.close();
  }

  /** An unchanged provider (same settings as in `previous`) keeps its client and its connections. */
  #tableOf(config: Config, previous: RouteTable | undefined): RouteTable {
    const settings = new Map(config.providers.map((p) => [p.name, JSON.stringify(p)]));
    const providers = new Map(
      config.providers.map((p) => {
        const kept = previous?.settings.get(p.name) === settings.get(p.name) ? previous?.providers.get(p.name) : undefined;
        return [p.name, kept ?? createProvider(p)] as const;
      }),
    );
    const models = new ModelList({ config, providers, localModelIds: this.#local.ids(), ...this.#opts });
    return { config, providers, settings, models, memo: new Map(), chatModels: new Map() };
  }

  #find(table: RouteTable, requested: string): Route | null {
    const { config, providers } = table;
    const model = followAliases(config.aliases, requested);
    const local = this.#local.get(model);
    if (local) return { kind: 'local', model, upstreamModel: model, ...local, chatModel: instrumentChatModel(local.chatModel) };
    const exact = Object.hasOwn(config.models, model) ? config.models[model] : undefined;
    if (exact) return this.#routeTo(table, providers.get(exact.provider)!, model, exact.model ?? model);
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = providers.get(model.slice(0, slash));
      if (provider) return this.#routeTo(table, provider, model, model.slice(slash + 1));
    }
    const fallback = config.defaultProvider ? providers.get(config.defaultProvider) : undefined;
    return fallback ? this.#routeTo(table, fallback, model, model) : null;
  }

  /** A relay route for OpenAI-compatible upstreams, a ChatModel route for the others. */
  #routeTo(table: RouteTable, provider: Provider, model: string, upstreamModel: string): Route {
    if (provider.relay) return { kind: 'upstream', model, upstreamModel, provider: provider.client };
    return { kind: 'model', model, upstreamModel, chatModel: this.#chatModelOf(table, provider, upstreamModel) };
  }

  /** One ChatModel per provider and upstream model. */
  #chatModelOf(table: RouteTable, provider: Provider, upstreamModel: string): ChatModel {
    const key = `${provider.name}\u0000${upstreamModel}`;
    let m = table.chatModels.get(key);
    if (!m) table.chatModels.set(key, (m = instrumentChatModel(provider.chatModel(upstreamModel))));
    return m;
  }
}

export function createProviderRegistry(config: Config, opts: { clock?: () => number; log?: RegistryLog } = {}): ProviderRegistry {
  return new Registry(config, { clock: opts.clock ?? Date.now, log: runtimeLog(opts.log) });
}
