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
 * One window's count in this process: the current window of its key only. A newer window starts afresh; an addition
 * to an older one (a reservation given back after its minute ended) changes nothing, since that window admits
 * nothing any more.
 */
export class WindowCell {
  start = -Infinity;
  value = 0;

  /** Adds `delta` to the window that started at `start`; returns that window's count (0 for a window gone). */
  add(start: number, delta: number): number {
    if (start === this.start) return (this.value += delta);
    if (start < this.start) return 0;
    this.start = start;
    return (this.value = delta);
  }
}

/**
 * Where the windows' counts live: added to atomically, several at once, each answer the new value; synchronously
 * when the counts are in this process, whose cells (`cell`) the limiter then keeps in its plans and adds to directly.
 */
export interface RateLimitCounters {
  add(deltas: CounterDelta[]): number[] | Promise<number[]>;
  /** The key's cell, when the counts are in this process (the same cell for a key, every time). */
  cell?(key: string): WindowCell;
}

/**
 * SQLite: one process owns the database file, so the counts live in this process, one cell per key (the limiter
 * passes the same key strings every time, and holds each cell in its plan: no lookup per call).
 */
export class MemoryCounters implements RateLimitCounters {
  readonly #cells = new Map<string, WindowCell>();

  add(deltas: CounterDelta[]): number[] {
    const out = new Array<number>(deltas.length);
    for (let i = 0; i < deltas.length; i++) out[i] = this.cell(deltas[i]!.key).add(deltas[i]!.windowStart, deltas[i]!.value);
    return out;
  }

  cell(key: string): WindowCell {
    let cell = this.#cells.get(key);
    if (!cell) this.#cells.set(key, (cell = new WindowCell()));
    return cell;
  }
}

const DAY = 86_400;

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
