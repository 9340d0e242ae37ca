import type { EngineEvent } from './engine-events.js';

export { endsStream } from './engine-events.js';
/** What the bus carries: the engine's API-neutral events. */
export type RunEvent = EngineEvent;

export type RunEventListener = (event: RunEvent) => void;

/**
 * Where the run engine announces what it has written, per run id. Subscribers (the SSE streams of
 * clients, the one-call chat) encode the events for their API; events are delivered synchronously
 * and in order. (Across PostgreSQL instances a LISTEN/NOTIFY bus implements the same interface.)
 */
export interface RunEventBus {
  publish(runId: string, event: RunEvent): void;
  subscribe(runId: string, listener: RunEventListener): () => void;
  /** Whether anyone in this process listens to the run. */
  hasSubscribers(runId: string): boolean;
  /**
   * The run's events are for this process's subscribers only, until its stream ends: nobody elsewhere can follow or
   * cancel it (a run held in memory: engine/run-driver.ts DriveStart `unwritten`). A bus across instances sends them
   * nowhere else; one in a single process has nothing to do.
   */
  keepLocal?(runId: string): void;
}

export function createRunEventBus(): RunEventBus {
  const listeners = new Map<string, Set<RunEventListener>>();
  return {
    publish(runId, event) {
      const set = listeners.get(runId);
      if (!set) return;
      for (const l of set) l(event);
    },
    hasSubscribers: (runId) => listeners.has(runId),
    subscribe(runId, listener) {
      let set = listeners.get(runId);
      if (!set) listeners.set(runId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        // A stale unsubscribe must not drop a newer set of the same run.
        if (set.size === 0 && listeners.get(runId) === set) listeners.delete(runId);
      };
    },
  };
}
