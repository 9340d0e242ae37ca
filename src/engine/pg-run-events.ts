import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { loadEventObject, type EventObjectKind } from '../store/repos/event-objects.repo.js';
import { randomToken } from '../ids.js';
import { createRunEventBus, type RunEvent, type RunEventBus } from './run-events.js';

const CHANNEL = 'switchboard_run_events';
/** NOTIFY payloads must stay under 8000 bytes; bigger objects are sent by id and read back. */
const MAX_INLINE = 7000;

interface Notice {
  /** The instance that published it. */
  o: string;
  r: string;
  e: RunEvent['event'];
  d?: unknown;
  k?: EventObjectKind;
  id?: string;
}

function kindOf(event: string): EventObjectKind | undefined {
  if (event.endsWith('.delta')) return undefined;
  if (event === 'thread.created') return 'thread';
  if (event.startsWith('thread.run.step.')) return 'step';
  if (event.startsWith('thread.run.')) return 'run';
  if (event.startsWith('thread.message.')) return 'message';
  return undefined;
}

/**
 * The run event bus across instances sharing one PostgreSQL database: events are delivered in
 * this process at once, and sent to the others with NOTIFY on one connection (so in order); each
 * instance relays what it hears to its own subscribers of that run, one run's events in order.
 */
export async function createPgRunEventBus(opts: {
  url: string;
  db: Db;
  log: Logger;
}): Promise<RunEventBus & { close(): Promise<void> }> {
  const local = createRunEventBus();
  const origin = randomToken(12);
  const listener = new pg.Client({ connectionString: opts.url });
  const notifier = new pg.Client({ connectionString: opts.url });
  await Promise.all([listener.connect(), notifier.connect()]);
  await listener.query(`LISTEN ${CHANNEL}`);
  let sending: Promise<unknown> = Promise.resolve();
  const relaying = new Map<string, Promise<void>>();

  listener.on('notification', (msg) => {
    let notice: Notice;
    try {
      notice = JSON.parse(msg.payload ?? '') as Notice;
    } catch {
      return;
    }
    if (notice.o === origin || !local.hasSubscribers(notice.r)) return;
    const previous = relaying.get(notice.r) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const data = 'd' in notice ? notice.d : await loadEventObject(opts.db, notice.k!, notice.id!);
        if (data !== undefined) local.publish(notice.r, { event: notice.e, data } as RunEvent);
      })
      .catch((err: unknown) => opts.log.warn({ err, runId: notice.r }, 'could not relay a run event'))
      .finally(() => {
        if (relaying.get(notice.r) === next) relaying.delete(notice.r);
      });
    relaying.set(notice.r, next);
  });
  const onError = (err: Error) => opts.log.error({ err }, 'run event bus connection failed');
  listener.on('error', onError);
  notifier.on('error', onError);

  function notify(runId: string, event: RunEvent): void {
    let payload = JSON.stringify({ o: origin, r: runId, e: event.event, d: event.data } satisfies Notice);
    if (payload.length > MAX_INLINE) {
      const k = kindOf(event.event);
      const id = (event.data as { id?: string }).id;
      if (!k || !id) return opts.log.warn({ runId, event: event.event }, 'run event too large to send to other instances');
      payload = JSON.stringify({ o: origin, r: runId, e: event.event, k, id } satisfies Notice);
    }
    sending = sending
      .then(() => notifier.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]))
      .catch((err: unknown) => opts.log.warn({ err }, 'could not send a run event'));
  }

  return {
    publish(runId, event) {
      local.publish(runId, event);
      notify(runId, event);
    },
    subscribe: local.subscribe,
    hasSubscribers: local.hasSubscribers,
    async close() {
      await sending;
      await Promise.all([listener.end(), notifier.end()]);
    },
  };
}
