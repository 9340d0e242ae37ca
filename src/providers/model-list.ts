import type { Model } from 'openai/resources/models';
import type { Config } from '../config.js';
import type { Provider } from './provider-types.js';

const MODELS_TTL_MS = 60_000;

export interface ModelListOptions {
  config: Pick<Config, 'models' | 'aliases' | 'providers' | 'defaultProvider'>;
  providers: ReadonlyMap<string, Provider>;
  localModelIds: string[];
  clock: () => number;
  log: { warn(obj: object, msg: string): void };
}

/**
 * GET /v1/models: local models, routes, aliases, and what each upstream lists (prefixed with the
 * provider's name but for the default provider's), kept for a minute.
 */
export class ModelList {
  readonly #opts: ModelListOptions;
  #cache: { at: number; models: Promise<Model[]> } | undefined;

  constructor(opts: ModelListOptions) {
    this.#opts = opts;
  }

  list(): Promise<Model[]> {
    const now = this.#opts.clock();
    if (!this.#cache || now - this.#cache.at > MODELS_TTL_MS) this.#cache = { at: now, models: this.#load() };
    return this.#cache.models;
  }

  async #load(): Promise<Model[]> {
    const { config, providers, localModelIds, clock } = this.#opts;
    const created = Math.floor(clock() / 1000);
    const out = new Map<string, Model>();
    const add = (id: string, owned_by: string) => {
      if (!out.has(id)) out.set(id, { id, object: 'model', created, owned_by });
    };
    for (const id of localModelIds) add(id, 'switchboard');
    for (const [name, route] of Object.entries(config.models)) add(name, route.provider);
    for (const alias of Object.keys(config.aliases)) add(alias, 'switchboard');
    const lists = await Promise.all(
      config.providers.map(async (p) => ({ p, ids: [...p.models, ...(await this.#upstreamModels(providers.get(p.name)!))] })),
    );
    for (const { p, ids } of lists)
      for (const id of ids) add(p.name === config.defaultProvider ? id : `${p.name}/${id}`, p.name);
    return [...out.values()];
  }

  /** The ids an upstream lists; none when it cannot be asked (logged). */
  async #upstreamModels(provider: Provider): Promise<string[]> {
    const client = provider.client;
    try {
      const res = await client.request({ path: provider.modelsPath, method: 'GET', signal: AbortSignal.timeout(5000) });
      const body = (await res.body.json()) as { data?: Array<{ id?: unknown }> };
      if (res.statusCode !== 200 || !Array.isArray(body.data)) return [];
      return body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
    } catch (err) {
      this.#opts.log.warn({ provider: client.name, err: (err as Error).message }, 'could not list upstream models');
      return [];
    }
  }
}
