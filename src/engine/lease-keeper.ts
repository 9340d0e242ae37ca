import type { Logger } from 'pino';
import type { RunStatus } from '../store/tables/runs.table.js';
import type { AbortReason } from './run-driver.js';

export interface LeaseKeeperOptions {
  leaseMs: number;
  /**
   * Stop a run whose lease could not be renewed before it lapses (PostgreSQL: another instance may
   * claim it then). SQLite's database belongs to one process: nobody else can claim its runs.
   */
  stopBeforeLapse: boolean;
  now: () => number;
  /** Extends the leases this worker still holds to `untilMs`; returns the runs it still holds. */
  renew(runIds: string[], untilMs: number): Promise<Array<{ id: string; status: RunStatus }>>;
  log: Logger;
}

interface Held {
  controller: AbortController;
  /** Fires shortly before the lease lapses unless a renewal moved it. */
  deadline: NodeJS.Timeout | undefined;
}

/**
 * Keeps the leases of the runs a worker executes: one heartbeat every third of the lease renews them
 * all in one statement. A run stops (its controller aborts with `lease_lost`) when another worker
 * holds it, and also when no renewal succeeded in time — before its lease lapses and another
 * instance may claim it — so two workers never write one run. A cancel asked for anywhere is noticed
 * here too (`cancel`).
 */
export class LeaseKeeper {
  readonly #opts: LeaseKeeperOptions;
  readonly #held = new Map<string, Held>();
  #heartbeat: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(opts: LeaseKeeperOptions) {
    this.#opts = opts;
  }

  /** Keeps the lease of a run just claimed (granted from `grantedAtMs`); aborts `controller` when it is lost. */
  hold(runId: string, controller: AbortController, grantedAtMs: number): void {
    this.release(runId);
    this.#held.set(runId, { controller, deadline: this.#deadline(controller, grantedAtMs) });
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => void this.renew(), Math.max(30, this.#opts.leaseMs / 3));
      this.#heartbeat.unref();
    }
  }

  release(runId: string): void {
    const held = this.#held.get(runId);
    if (!held) return;
    clearTimeout(held.deadline);
    this.#held.delete(runId);
    if (this.#held.size === 0) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }

  /** Stops the run a margin (a quarter of the lease) before a lease granted at `fromMs` lapses. */
  #deadline(controller: AbortController, fromMs: number): NodeJS.Timeout | undefined {
    const { leaseMs, now } = this.#opts;
    if (!this.#opts.stopBeforeLapse) return undefined;
    const timer = setTimeout(() => controller.abort('lease_lost' satisfies AbortReason), Math.max(0, fromMs + leaseMs * 0.75 - now()));
    timer.unref();
    return timer;
  }

  /** One heartbeat; skipped while the previous one is still waiting on the database. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renewAll().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  async #renewAll(): Promise<void> {
    const ids = [...this.#held.keys()];
    if (ids.length === 0) return;
    const sentAt = this.#opts.now();
    let rows;
    try {
      rows = await this.#opts.renew(ids, sentAt + this.#opts.leaseMs);
    } catch (err) {
      // The deadline stays where the last renewal put it: the runs stop before their leases lapse.
      return this.#opts.log.warn({ err, runs: ids.length }, 'lease renewal failed');
    }
    const status = new Map(rows.map((r) => [r.id, r.status]));
    for (const id of ids) {
      const held = this.#held.get(id);
      if (!held) continue;
      if (!status.has(id)) held.controller.abort('lease_lost' satisfies AbortReason);
      else if (status.get(id) === 'cancelling') held.controller.abort('cancel' satisfies AbortReason);
      else {
        clearTimeout(held.deadline);
        held.deadline = this.#deadline(held.controller, sentAt);
      }
    }
  }
}
