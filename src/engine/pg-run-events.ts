import pg from 'pg';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { loadEventObject } from '../store/repos/event-objects.repo.js';
import { randomToken } from '../ids.js';
import { fromRef } from './event-refs.js';
import { encodeNotices, NoticeAssembler, packPayloads, type Heard, type NoticeBatch } from './pg-notices.js';
import { createRunEventBus, endsStream, type RunEvent, type RunEventBus } from './run-events.js';

const CHANNEL = 'switchboard_run_events';
/** All payloads of one batch in one statement, so one round trip and one commit; notified in array order. */
const NOTIFY_ALL = 'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p';

async function eventOf(db: Db, heard: Heard): Promise<RunEvent | undefined> {
  if ('event' in heard) return heard.event;
  const loaded = await loadEventObject(db, heard.ref.k, heard.ref.id);
  return loaded && fromRef(heard.ref, loaded);
}

/**
 * The run event bus across instances sharing one PostgreSQL database: events are delivered in
 * this process at once, and sent to the others with NOTIFY on one connection (so in order): what
 * is published while a NOTIFY is in flight goes in the next one, packed into as few payloads as
 * fit (pg-notices.ts). Each instance relays what it hears to its own subscribers of that run, one
 * run's events in order.
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
  const relaying = new Map<string, Promise<void>>();
  const assembler = new NoticeAssembler();

  function relay(heard: Heard): void {
    const runId = heard.runId;
    const previous = relaying.get(runId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const event = await eventOf(opts.db, heard);
        if (event) local.publish(runId, event);
      })
      .catch((err: unknown) => opts.log.warn({ err, runId }, 'could not relay a run event'))
      .finally(() => {
        if (relaying.get(runId) === next) relaying.delete(runId);
      });
    relaying.set(runId, next);
  }

  listener.on('notification', (msg) => {
    let batch: NoticeBatch;
    try {
      batch = JSON.parse(msg.payload ?? '') as NoticeBatch;
    } catch {
      return;
    }
    if (batch.o === origin || !Array.isArray(batch.n)) return;
    for (const notice of batch.n) {
      const heard = assembler.accept(batch.o, notice);
      if (heard && local.hasSubscribers(heard.runId)) relay(heard);
    }
  });
  const onError = (err: Error) => opts.log.error({ err }, 'run event bus connection failed');
  listener.on('error', onError);
  notifier.on('error', onError);

  /** Runs whose events are not sent to the other instances (keepLocal), until their stream ends. */
  const localRuns = new Set<string>();
  let pending: string[] = [];
  let sending: Promise<void> | undefined;
  let counter = 0;
  const next = () => ++counter;

  async function send(): Promise<void> {
    // Let the rest of this turn's events (one commit announces several) join the first NOTIFY.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (pending.length > 0) {
      const payloads = packPayloads(origin, pending, next);
      pending = [];
      await notifier.query(NOTIFY_ALL, [CHANNEL, payloads]).catch((err: unknown) => opts.log.warn({ err }, 'could not send run events'));
    }
    sending = undefined;
  }

  return {
    publish(runId, event) {
      local.publish(runId, event);
      if (localRuns.has(runId)) {
        if (endsStream(event)) localRuns.delete(runId);
        return;
      }
      pending.push(...encodeNotices(runId, event, next()));
      sending ??= send();
    },
    keepLocal: (runId) => void localRuns.add(runId),
    subscribe: local.subscribe,
    hasSubscribers: local.hasSubscribers,
    async close() {
      await sending;
      await Promise.all([listener.end(), notifier.end()]);
    },
  };
}
