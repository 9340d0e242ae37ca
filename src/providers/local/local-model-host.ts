import { existsSync } from 'node:fs';
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import type { LocalModelConfig } from '../../config.js';
import { ApiError, invalidRequest } from '../../errors.js';
import { normalize } from '../normalize.js';
import type { NodeLlamaCpp, RuntimeLog } from './runtime.js';

/** A loaded model: weights, one context with `parallel` sequences, and the chat wrapper its template asks for. */
export interface LoadedModel {
  nlc: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  /** Tokens per sequence. */
  contextSize: number;
}

/** One request's use of the model, from its first await to the end of its generation. */
export interface ModelSession {
  loaded: LoadedModel;
  /** Waits for a free sequence (FIFO); prefers the one whose cached tokens share the longest prefix with `tokens`. */
  acquireSequence(tokens: readonly Token[], signal?: AbortSignal): Promise<LlamaContextSequence>;
  /** Gives the sequence back and ends the session. Idempotent. */
  close(): void;
}

interface Waiter {
  tokens: readonly Token[];
  resolve(sequence: LlamaContextSequence): void;
  reject(err: unknown): void;
}

export const modelUnavailable = (message: string, cause?: unknown) =>
  new ApiError({ status: 503, type: 'server_error', code: 'local_model_unavailable', message, cause });

const DEFAULT_MAX_CONTEXT = 4096;

/**
 * Owns one local model: loads it on first use (or at start with `load: eager`), shares its context's
 * sequences among requests (queueing the rest), and unloads it after `idle_unload_ms` without requests.
 */
export class LocalModelHost {
  readonly config: LocalModelConfig;
  readonly #runtime: () => Promise<NodeLlamaCpp>;
  readonly #llama: () => Promise<Llama>;
  readonly #log: RuntimeLog;
  #loaded: Promise<LoadedModel> | undefined;
  #free: LlamaContextSequence[] = [];
  #waiters: Waiter[] = [];
  #sessions = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #disposed = false;
  /** The embedding context of the loaded model, made on the first /v1/embeddings request. */
  #embedding: { model: LoadedModel; context: Promise<LlamaEmbeddingContext> } | undefined;
  /** Embedding requests run one after another on the one embedding context. */
  #embedTail: Promise<unknown> = Promise.resolve();

  constructor(opts: {
    config: LocalModelConfig;
    runtime: () => Promise<NodeLlamaCpp>;
    llama: () => Promise<Llama>;
    log: RuntimeLog;
  }) {
    this.config = opts.config;
    this.#runtime = opts.runtime;
    this.#llama = opts.llama;
    this.#log = opts.log;
  }

  get isLoaded(): boolean {
    return this.#loaded !== undefined;
  }

  /** Starts a session: the model is loaded (or being loaded) and will not be unloaded until close(). */
  async open(): Promise<ModelSession> {
    if (this.#disposed) throw modelUnavailable('The server is shutting down.');
    this.#sessions++;
    clearTimeout(this.#idleTimer);
    let closed = false;
    let held: LlamaContextSequence | undefined;
    let waiting: Waiter | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      if (waiting) this.#dropWaiter(waiting);
      if (held) this.#release(held);
      if (--this.#sessions === 0) this.#scheduleUnload();
    };
    let loaded: LoadedModel;
    try {
      loaded = await this.load();
    } catch (err) {
      close();
      throw err;
    }
    return {
      loaded,
      close,
      acquireSequence: async (tokens, signal) => {
        if (held || closed) throw new Error('acquireSequence: one sequence per session');
        held = await this.#acquire(tokens, signal, (w) => (waiting = w));
        waiting = undefined;
        return held;
      },
    };
  }

  /** Loads the model if it is not loaded; concurrent callers share one load. A failed load is retried next time. */
  load(): Promise<LoadedModel> {
    if (!this.#loaded) {
      const loading = this.#load();
      this.#loaded = loading;
      loading.catch(() => {
        if (this.#loaded === loading) this.#loaded = undefined;
      });
    }
    return this.#loaded;
  }

  async #load(): Promise<LoadedModel> {
    const { id, path } = this.config;
    if (!existsSync(path))
      throw modelUnavailable(
        `The file of the local model '${id}' does not exist: ${path}. Download a GGUF model with ` +
          '`npx switchboard pull <hf:owner/repo/file.gguf | URL>` and point the model at it.',
      );
    const nlc = await this.#runtime();
    const llama = await this.#llama();
    const started = Date.now();
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: this.config.gpuLayers });
    } catch (err) {
      throw modelUnavailable(`The local model '${id}' could not be loaded from ${path}: ${(err as Error).message}`, err);
    }
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize: this.config.contextSize ?? { max: Math.min(DEFAULT_MAX_CONTEXT, model.trainContextSize) },
        sequences: this.config.parallel,
        ...(this.config.threads !== null ? { threads: this.config.threads } : {}),
      });
    } catch (err) {
      await model.dispose();
      throw modelUnavailable(`The local model '${id}' could not create its context: ${(err as Error).message}`, err);
    }
    this.#free = Array.from({ length: this.config.parallel }, () => context.getSequence());
    const chatWrapper = nlc.resolveChatWrapper(model);
    this.#log.info(
      {
        model: id,
        path,
        ms: Date.now() - started,
        chatWrapper: chatWrapper.wrapperName,
        contextSize: context.contextSize,
        sequences: this.config.parallel,
        gpu: llama.gpu,
      },
      'local model loaded',
    );
    return { nlc, llama, model, context, chatWrapper, contextSize: context.contextSize };
  }

  #acquire(tokens: readonly Token[], signal: AbortSignal | undefined, onWait: (w: Waiter) => void): Promise<LlamaContextSequence> {
    signal?.throwIfAborted();
    if (this.#free.length > 0) return Promise.resolve(this.#takeBest(tokens));
    return new Promise<LlamaContextSequence>((resolve, reject) => {
      const onAbort = () => {
        this.#dropWaiter(waiter);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const waiter: Waiter = {
        tokens,
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      onWait(waiter);
    });
  }

  #takeBest(tokens: readonly Token[]): LlamaContextSequence {
    let best = 0;
    let bestShared = -1;
    this.#free.forEach((sequence, i) => {
      const shared = sequence.compareContextTokens([...tokens]).firstDifferentIndex;
      if (shared > bestShared) [best, bestShared] = [i, shared];
    });
    return this.#free.splice(best, 1)[0]!;
  }

  #dropWaiter(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
  }

  #release(sequence: LlamaContextSequence): void {
    if (sequence.disposed) return;
    this.#free.push(sequence);
    const next = this.#waiters.shift();
    if (next) next.resolve(this.#takeBest(next.tokens));
  }

  #scheduleUnload(): void {
    const ms = this.config.idleUnloadMs;
    if (ms <= 0 || !this.#loaded || this.#disposed) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#sessions === 0) void this.unload();
    }, ms);
    this.#idleTimer.unref();
  }

  /**
   * Embeddings for /v1/embeddings (a GGUF embedding model, or any model's pooled hidden state): one
   * unit-length vector per text, and the texts' token count. A text longer than the context is a 400.
   */
  async embed(texts: string[], signal?: AbortSignal): Promise<{ vectors: Float32Array[]; promptTokens: number; dimensions: number }> {
    const session = await this.open();
    const run = this.#embedTail.then(async () => {
      const { model } = session.loaded;
      const contextSize = Math.min(model.trainContextSize, this.config.contextSize ?? DEFAULT_MAX_CONTEXT);
      // One embedding context per load of the model (an unload disposes it with the model).
      let embedding = this.#embedding;
      if (embedding?.model !== session.loaded) {
        const context = model.createEmbeddingContext({
          contextSize,
          ...(this.config.threads !== null ? { threads: this.config.threads } : {}),
        });
        embedding = this.#embedding = { model: session.loaded, context };
      }
      const context = await embedding.context;
      const vectors: Float32Array[] = [];
      let promptTokens = 0;
      for (const [i, text] of texts.entries()) {
        signal?.throwIfAborted();
        const tokens = model.tokenize(text).length;
        if (tokens > contextSize)
          throw invalidRequest(
            `This model's maximum context length is ${contextSize} tokens, however you requested ${tokens} tokens (input[${i}]).`,
            'input',
            'context_length_exceeded',
          );
        promptTokens += tokens;
        vectors.push(normalize(Float32Array.from((await context.getEmbeddingFor(text)).vector)));
      }
      return { vectors, promptTokens, dimensions: model.embeddingVectorSize };
    });
    this.#embedTail = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      session.close();
    }
  }

  /** Frees the model's memory; the next request loads it again. */
  async unload(): Promise<void> {
    const loading = this.#loaded;
    this.#loaded = undefined;
    this.#free = [];
    const embedding = this.#embedding;
    this.#embedding = undefined;
    if (embedding) await (await embedding.context.catch(() => undefined))?.dispose();
    if (!loading) return;
    let loaded: LoadedModel;
    try {
      loaded = await loading;
    } catch {
      return;
    }
    await loaded.context.dispose();
    await loaded.model.dispose();
    this.#log.info({ model: this.config.id }, 'local model unloaded');
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    clearTimeout(this.#idleTimer);
    for (const w of this.#waiters.splice(0)) w.reject(modelUnavailable('The server is shutting down.'));
    await this.unload();
  }
}
