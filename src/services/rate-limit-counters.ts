import type { Db } from '../store/database.js';
import { addToCounters, deleteCountersBefore } from '../store/repos/rate-limits.repo.js';

/** One addition to a window's counter. */
export interface CounterDelta {
  key: string;
  /** Unix seconds at which the window started. */
  windowStart: number;
  value: number;
}

/** Where the windows' counts live: added to atomically, several at once, each answer the new value. */
export interface RateLimitCounters {
  add(deltas: CounterDelta[]): Promise<number[]>;
}

const DAY = 86_400;

/**
 * SQLite: one process owns the database file, so the counts live in this process (a Map, windows older than a
 * day dropped as new ones start).
 */
export class MemoryCounters implements RateLimitCounters {
  readonly #counts = new Map<string, number>();
  #oldest = Infinity;

  add(deltas: CounterDelta[]): Promise<number[]> {
    return Promise.resolve(deltas.map((d) => this.#addOne(d)));
  }

  #addOne(d: CounterDelta): number {
    if (d.windowStart - this.#oldest > 2 * DAY) this.#sweep(d.windowStart - DAY);
    this.#oldest = Math.min(this.#oldest, d.windowStart);
    const id = `${d.key}@${d.windowStart}`;
    const value = (this.#counts.get(id) ?? 0) + d.value;
    this.#counts.set(id, value);
    return value;
  }

  #sweep(before: number): void {
    for (const id of this.#counts.keys()) if (Number(id.slice(id.lastIndexOf('@') + 1)) < before) this.#counts.delete(id);
    this.#oldest = before;
  }
}

/**
 * PostgreSQL: the counts are rows every instance adds to with one `INSERT … ON CONFLICT DO UPDATE … RETURNING`
 * (no read-modify-write), so a limit holds across instances. Windows older than a day are deleted now and then.
 */
export class DatabaseCounters implements RateLimitCounters {
  readonly #db: Db;
  #lastSweep = 0;

  constructor(db: Db) {
    this.#db = db;
  }

  add(deltas: CounterDelta[]): Promise<number[]> {
    const newest = Math.max(...deltas.map((d) => d.windowStart));
    if (newest - this.#lastSweep > 3600) {
      this.#lastSweep = newest;
      void deleteCountersBefore(this.#db, newest - 2 * DAY).catch(() => undefined);
    }
    return addToCounters(this.#db, deltas.map((d) => ({ key: d.key, window_start: d.windowStart, value: d.value })));
  }
}
