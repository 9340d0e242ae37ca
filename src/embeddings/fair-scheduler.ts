/**
 * Shares a resource of a few single-threaded workers (the local encoder's threads) fairly between callers. A job is a
 * list of small units of work (batches); the scheduler runs at most `concurrency` units at a time (one per worker),
 * taking turns: interactive work (API requests,
 * searches) always before background work (file indexing), and within a priority one unit per caller `key` (a
 * tenant) in turn, and within a key one unit per job in turn. So a one-word query submitted behind a big job waits for
 * at most the unit already running, whoever submitted the big job. An aborted job leaves the queue at once.
 */
export type EmbedPriority = 'interactive' | 'background';

export interface JobOptions {
  /** Who the work is for (a tenant): callers with different keys take turns. */
  key: string;
  priority: EmbedPriority;
  signal?: AbortSignal;
}

interface Job<I, O> {
  inputs: readonly I[];
  outputs: O[];
  /** Units handed out so far. */
  next: number;
  /** Units finished. */
  done: number;
  /** When it last got a unit (-1: never). */
  served: number;
  settled: boolean;
  resolve: (outputs: O[]) => void;
  reject: (err: unknown) => void;
}

interface KeyEntry<I, O> {
  /** When it last got a unit (-1: never). */
  served: number;
  jobs: Job<I, O>[];
}

/**
 * Jobs of one priority. The next unit goes to the key served longest ago (one never served, a newcomer, first),
 * and within it to the job served longest ago: a round robin that a newcomer joins at the front. A key keeps its
 * place when its queue runs dry, so a caller sending one small job after another gets no more than its turn.
 */
class Lane<I, O> {
  readonly #byKey = new Map<string, KeyEntry<I, O>>();
  #clock = 0;

  add(key: string, job: Job<I, O>): void {
    const entry = this.#byKey.get(key);
    if (entry) entry.jobs.push(job);
    else this.#byKey.set(key, { served: -1, jobs: [job] });
  }

  take(): { job: Job<I, O>; index: number } | undefined {
    const entry = leastRecent(this.#byKey.values(), (e) => e.jobs.length > 0);
    if (!entry) return undefined;
    const job = leastRecent(entry.jobs, () => true)!;
    entry.served = job.served = this.#clock++;
    const index = job.next++;
    if (job.next === job.inputs.length) this.#drop(entry, job);
    return { job, index };
  }

  remove(key: string, job: Job<I, O>): void {
    const entry = this.#byKey.get(key);
    if (entry) this.#drop(entry, job);
  }

  #drop(entry: KeyEntry<I, O>, job: Job<I, O>): void {
    const at = entry.jobs.indexOf(job);
    if (at >= 0) entry.jobs.splice(at, 1);
  }
}

/** The first of the items that `ok` accepts served least recently (-1: never). */
function leastRecent<T extends { served: number }>(items: Iterable<T>, ok: (item: T) => boolean): T | undefined {
  let best: T | undefined;
  for (const item of items) if (ok(item) && (!best || item.served < best.served)) best = item;
  return best;
}

export class FairScheduler<I, O> {
  readonly #run: (input: I) => Promise<O>;
  readonly #lanes = { interactive: new Lane<I, O>(), background: new Lane<I, O>() };
  readonly #concurrency: number;
  /** Units running now. */
  #active = 0;

  /** `run` does one unit of work; at most `concurrency` (default 1) calls of it are unsettled at any time. */
  constructor(run: (input: I) => Promise<O>, concurrency = 1) {
    this.#run = run;
    this.#concurrency = Math.max(1, Math.floor(concurrency));
  }

  /** Runs every input (in turns with other jobs) and resolves with their outputs in order. */
  submit(inputs: readonly I[], opts: JobOptions): Promise<O[]> {
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    if (inputs.length === 0) return Promise.resolve([]);
    return new Promise<O[]>((resolve, reject) => {
      const lane = this.#lanes[opts.priority];
      const onAbort = () => settle(() => reject(opts.signal!.reason));
      const settle = (fn: () => void) => {
        if (job.settled) return;
        job.settled = true;
        lane.remove(opts.key, job);
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const job: Job<I, O> = {
        inputs,
        outputs: new Array<O>(inputs.length),
        next: 0,
        done: 0,
        served: -1,
        settled: false,
        resolve: (outputs) => settle(() => resolve(outputs)),
        reject: (err) => settle(() => reject(err)),
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      lane.add(opts.key, job);
      this.#drain();
    });
  }

  /** Starts units while a worker is free and a job has one left; each unit's end starts the next. */
  #drain(): void {
    while (this.#active < this.#concurrency) {
      const unit = this.#take();
      if (!unit) return;
      this.#active++;
      void this.#runUnit(unit.job, unit.index).finally(() => {
        this.#active--;
        this.#drain();
      });
    }
  }

  async #runUnit(job: Job<I, O>, index: number): Promise<void> {
    let output: O;
    try {
      output = await this.#run(job.inputs[index]!);
    } catch (err) {
      job.reject(err);
      return;
    }
    job.outputs[index] = output;
    if (++job.done === job.inputs.length) job.resolve(job.outputs);
  }

  #take(): { job: Job<I, O>; index: number } | undefined {
    return this.#lanes.interactive.take() ?? this.#lanes.background.take();
  }
}
