/**
 * Batches produced concurrently and consumed in order: up to `concurrency` calls of `produce` (embedding requests)
 * in flight at once, and `consume` (the index write) called one batch at a time, in batch order, while later batches
 * are still being produced. Produced batches wait for their turn at most `concurrency` deep, so a slow consumer
 * holds back production instead of piling results up in memory. The first failure stops it: no batch is started
 * after it, the batches in flight are told through the signal `produce` gets, and it is what the call rejects with.
 */
export interface PipelineOptions<T> {
  count: number;
  concurrency: number;
  produce: (index: number, signal: AbortSignal) => Promise<T>;
  consume: (index: number, value: T) => Promise<void>;
  signal?: AbortSignal;
}

export async function pipelineBatches<T>(opts: PipelineOptions<T>): Promise<void> {
  const { count } = opts;
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal!.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const produced = new Array<Promise<T> | undefined>(count);
  let next = 0;
  let inFlight = 0;
  let consumed = 0;
  const fill = (): void => {
    while (!stop.signal.aborted && next < count && inFlight < concurrency && next < consumed + 2 * concurrency) {
      const index = next++;
      inFlight++;
      const failed = (err: unknown): never => {
        if (!stop.signal.aborted) stop.abort(err); // before anything else starts
        throw err;
      };
      const p = opts.produce(index, stop.signal).catch(failed).finally(() => {
        inFlight--;
        fill();
      });
      p.catch(() => {}); // awaited in turn below; a failure out of turn is seen then
      produced[index] = p;
    }
  };
  try {
    opts.signal?.throwIfAborted();
    fill();
    for (let index = 0; index < count; index++) {
      const pending = produced[index];
      if (!pending) throw stop.signal.reason; // stopped (aborted) before this batch started
      const value = await pending;
      produced[index] = undefined;
      await opts.consume(index, value);
      consumed++;
      fill();
    }
  } catch (err) {
    if (!stop.signal.aborted) stop.abort(err);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
