import { existsSync } from 'node:fs';
import type { LocalModelConfig } from '../../config.js';
import type { ChatModel } from '../chat-model.js';
import { createLocalChatModel } from './chat-model.js';
import { LocalModelHost } from './local-model-host.js';
import { acquireLlama, DEFAULT_RUNTIME_DIR, installHint, isRuntimeInstalled, loadNodeLlamaCpp, type RuntimeLog } from './runtime.js';

/** A local model as the registry routes to it. */
export interface LocalModel {
  host: LocalModelHost;
  chatModel: ChatModel;
}

/**
 * The in-process models of one server: a host and a ChatModel each. The native runtime is
 * acquired on the first load and released on close().
 */
export class LocalModels {
  readonly #runtimeDir: string;
  readonly #log: RuntimeLog;
  readonly #models: Map<string, LocalModel>;
  #runtime: ReturnType<typeof acquireLlama> | undefined;

  constructor(opts: { models: LocalModelConfig[]; runtimeDir: string | null; log: RuntimeLog }) {
    this.#runtimeDir = opts.runtimeDir ?? DEFAULT_RUNTIME_DIR;
    this.#log = opts.log;
    this.#models = new Map(opts.models.map((config) => [config.id, this.#localModel(config)]));
  }

  get(id: string): LocalModel | undefined {
    return this.#models.get(id);
  }

  ids(): string[] {
    return [...this.#models.keys()];
  }

  /** Logs what keeps the models from running, and loads those configured `load: eager`. */
  async start(): Promise<void> {
    if (this.#models.size === 0) return;
    if (!isRuntimeInstalled(this.#runtimeDir)) {
      this.#log.error({ models: this.ids() }, `local models are configured but cannot run. ${installHint(this.#runtimeDir)}`);
      return;
    }
    const hosts = [...this.#models.values()].map((m) => m.host);
    for (const host of hosts)
      if (!existsSync(host.config.path))
        this.#log.error({ model: host.config.id, path: host.config.path }, 'the file of a local model does not exist (npx switchboard pull <source> downloads one)');
    const eager = hosts.filter((h) => h.config.load === 'eager' && existsSync(h.config.path));
    await Promise.all(
      eager.map((h) => h.load().catch((err: unknown) => this.#log.error({ model: h.config.id, err: (err as Error).message }, 'local model failed to load'))),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#models.values()].map((m) => m.host.dispose()));
    await this.#runtime?.release();
    this.#runtime = undefined;
  }

  #localModel(config: LocalModelConfig): LocalModel {
    const runtimeDir = this.#runtimeDir;
    const host = new LocalModelHost({ config, runtime: () => loadNodeLlamaCpp(runtimeDir), llama: () => this.#llama(), log: this.#log });
    return { host, chatModel: createLocalChatModel(host) };
  }

  /** The native backend, acquired once; a failed start is released so that the next load tries again. */
  async #llama() {
    this.#runtime ??= acquireLlama(this.#log, this.#runtimeDir);
    const current = this.#runtime;
    try {
      return await current.llama;
    } catch (err) {
      if (this.#runtime === current) this.#runtime = undefined;
      await current.release();
      throw err;
    }
  }
}
