import type { Db } from '../store/database.js';
import { addToCounters, deleteCountersBefore } from '../store/repos/rate-limits.repo.js';

/** One addition to a window's counter. */
export interface CounterDelta {
  key: string;
  /** Unix seconds at which the window started. */
  windowStart: number;
  value: number;
}

/**
 * Where the windows' counts live: added to atomically, several at once, each answer the new value; synchronously
 * when the counts are in this process.
 */
export interface RateLimitCounters {
  add(deltas: CounterDelta[]): number[] | Promise<number[]>;
}

const DAY = 86_400;

/**
 * SQLite: one process owns the database file, so the counts live in this process: per key, a Map of window start →
 * count (no string built per call: the limiter passes the same key strings every time), windows older than a day
 * dropped as new ones start.
 */
export class MemoryCounters implements RateLimitCounters {
  readonly #counts = new Map<string, Map<number, number>>();
  #oldest = Infinity;

  add(deltas: CounterDelta[]): number[] {
    const out = new Array<number>(deltas.length);
    for (let i = 0; i < deltas.length; i++) out[i] = this.#addOne(deltas[i]!);
    return out;
  }

  #addOne(d: CounterDelta): number {
    if (d.windowStart - this.#oldest > 2 * DAY) this.#sweep(d.windowStart - DAY);
    if (d.windowStart < this.#oldest) this.#oldest = d.windowStart;
    let windows = this.#counts.get(d.key);
    if (!windows) this.#counts.set(d.key, (windows = new Map()));
    const value = (windows.get(d.windowStart) ?? 0) + d.value;
    windows.set(d.windowStart, value);
    return value;
  }

  #sweep(before: number): void {
    for (const [key, windows] of this.#counts) {
      for (const start of windows.keys()) if (start < before) windows.delete(start);
      if (windows.size === 0) this.#counts.delete(key);
    }
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
