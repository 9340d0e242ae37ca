import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';

/** One Assistants stream event: the SDK's event name and its wire payload. */
export type RunEvent = Pick<AssistantStreamEvent, 'event' | 'data'>;

export type RunEventListener = (event: RunEvent) => void;

/**
 * Where the run engine announces what it has written, per run id. Subscribers are the SSE streams
 * of clients; events are delivered synchronously and in order. (Across PostgreSQL instances a
 * LISTEN/NOTIFY bus can implement the same interface.)
 */
export interface RunEventBus {
  publish(runId: string, event: RunEvent): void;
  subscribe(runId: string, listener: RunEventListener): () => void;
  /** Whether anyone in this process listens to the run. */
  hasSubscribers(runId: string): boolean;
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

const END_EVENTS = new Set<string>([
  'thread.run.completed',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
  'thread.run.incomplete',
  'thread.run.requires_action',
]);

/** After these a run's stream ends (`event: done`): the run finished or waits on the client. */
export function endsStream(event: RunEvent): boolean {
  return END_EVENTS.has(event.event);
}
