import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { randomToken } from '../ids.js';
import type { DialectName } from '../store/database.js';

export interface InstanceIdentity {
  /** The lease owner this worker writes on the runs it claims. */
  readonly id: string;
  /**
   * True when no other live process uses this id, so runs leased under it were left by a previous
   * process of this instance (a crash) and can be taken back at once.
   */
  readonly exclusive: boolean;
  release(): Promise<void>;
}

const ID_PATTERN = /^worker_[A-Za-z0-9_-]{8,64}$/;

/** The id kept in `file` (created on first start), so a restarted instance knows its own leases. */
function persistedId(file: string): string {
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (ID_PATTERN.test(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = `worker_${randomToken(12)}`;
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch (err) {
    // Another process of this data dir wrote it first: use its id (the lock below tells who holds it).
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/**
 * Holds a PostgreSQL session advisory lock on the id, on a connection of its own, for as long as the
 * process lives: a process that dies (even kill -9) loses its connection and with it the lock, and a
 * second live process started on the same data dir cannot take it. The session is checked every
 * `checkMs`; `onLost` runs if it goes away while this process still runs.
 */
async function holdLock(opts: { url: string; id: string; checkMs: number; onLost: (err: unknown) => void }) {
  const key = `switchboard.worker:${opts.id}`;
  const client = new pg.Client({ connectionString: opts.url, keepAlive: true });
  let released = false;
  let lost = false;
  let check: NodeJS.Timeout | undefined;
  const onLost = (err: unknown) => {
    if (released || lost) return;
    lost = true;
    clearInterval(check);
    opts.onLost(err);
  };
  client.on('error', onLost);
  client.on('end', () => onLost(new Error('the instance lock connection closed')));
  let rows;
  try {
    await client.connect();
    ({ rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [key]));
  } catch (err) {
    released = true;
    await client.end().catch(() => undefined);
    throw err;
  }
  const release = async () => {
    released = true;
    clearInterval(check);
    await client.end().catch(() => undefined);
  };
  check = setInterval(() => void client.query('select 1').catch(onLost), opts.checkMs);
  check.unref();
  if (rows[0]?.ok !== true) {
    await release();
    return { held: false, release };
  }
  return { held: true, release };
}

/**
 * This instance's identity as a run worker: the id persisted in `file` when it is this process's
 * alone (PostgreSQL: an advisory lock; SQLite: the database belongs to one process anyway),
 * otherwise — no file configured, or a second live process on the same data dir — a fresh one.
 */
export async function claimInstanceIdentity(opts: {
  file: string | undefined;
  /** PostgreSQL: the database's URL, for the lock's own connection. */
  databaseUrl: string | undefined;
  dialect: DialectName;
  log: Logger;
  checkMs: number;
  onLost: (err: unknown) => void;
}): Promise<InstanceIdentity> {
  const fresh = (): InstanceIdentity => ({ id: `worker_${randomToken(12)}`, exclusive: false, release: async () => {} });
  if (!opts.file) return fresh();
  let id: string;
  try {
    id = persistedId(opts.file);
  } catch (err) {
    opts.log.warn({ err, file: opts.file }, 'cannot keep an instance id; runs left by a crash wait for their lease to lapse');
    return fresh();
  }
  if (opts.dialect === 'sqlite') return { id, exclusive: true, release: async () => {} };
  if (!opts.databaseUrl) return fresh();
  let lock;
  try {
    lock = await holdLock({ url: opts.databaseUrl, id, checkMs: opts.checkMs, onLost: opts.onLost });
  } catch (err) {
    opts.log.warn({ err }, 'cannot lock the instance id; runs left by a crash wait for their lease to lapse');
    return fresh();
  }
  if (lock.held) return { id, exclusive: true, release: lock.release };
  opts.log.warn({ id, file: opts.file }, 'another live instance uses this data directory\'s instance id; this one takes a new id');
  return fresh();
}
