import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { loadEventObject } from '../store/repos/event-objects.repo.js';
import { randomToken } from '../ids.js';
import { fromRef, refOf, type EventRef } from './event-refs.js';
import { createRunEventBus, type RunEvent, type RunEventBus } from './run-events.js';

const CHANNEL = 'switchboard_run_events';
/** NOTIFY payloads must stay under 8000 bytes; bigger events are sent by reference and read back (event-refs.ts). */
const MAX_INLINE = 7000;

/** A whole event (`e`), or one by reference (`f`). */
interface Notice {
  /** The instance that published it. */
  o: string;
  r: string;
  e?: RunEvent;
  f?: EventRef;
}

async function eventOf(db: Db, notice: Notice): Promise<RunEvent | undefined> {
  if (notice.e) return notice.e;
  if (!notice.f) return undefined;
  const loaded = await loadEventObject(db, notice.f.k, notice.f.id);
  return loaded && fromRef(notice.f, loaded);
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
        const event = await eventOf(opts.db, notice);
        if (event) local.publish(notice.r, event);
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
    let payload = JSON.stringify({ o: origin, r: runId, e: event } satisfies Notice);
    if (payload.length > MAX_INLINE) {
      const f = refOf(event);
      if (!f) return opts.log.warn({ runId, event: event.type }, 'run event too large to send to other instances');
      payload = JSON.stringify({ o: origin, r: runId, f } satisfies Notice);
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
