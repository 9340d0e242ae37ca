import type SQLite from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DialectName } from './database.js';

/** Runs `fn` in one transaction committed without waiting for the disk (see relaxedCommits). */
export type RelaxedWrite = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/**
 * Writes whose loss a restart already handles, committed without waiting for the disk: PostgreSQL's asynchronous
 * commit (`SET LOCAL synchronous_commit = off`), SQLite's `synchronous = NORMAL` for the one transaction (WAL mode).
 *
 * Safe because both logs are written in order: a crash (even kill -9) loses nothing, the OS has the bytes; a power
 * loss can lose only the last commits, up to the last one that waited for the disk, never one in the middle. So a
 * write may be relaxed when the state before it is one a restart recovers anyway — a run's claim, its start, the
 * steps and messages of a turn still being written (a resumed run deletes its unfinished steps) — and never when a
 * client is told it is done: a response, a 2xx, a run's final status are committed with the usual wait, which also
 * flushes every relaxed commit before it.
 */
export function relaxedCommits(db: Kysely<Database>, dialect: DialectName): RelaxedWrite {
  if (dialect === 'postgres')
    return (fn) =>
      db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return fn(trx);
      });
  // SQLite has one connection: it is held for the pragma, the transaction and the pragma back; the pragmas are
  // statements prepared once on the handle openDb registered (a native call each). Without one, the commit simply
  // waits for the disk.
  const pragmas = sqlitePragmas.get(db);
  if (!pragmas) return (fn) => db.transaction().execute(fn);
  return (fn) =>
    db.connection().execute(async (conn) => {
      pragmas.relax.run();
      try {
        return await conn.transaction().execute(fn);
      } finally {
        pragmas.restore.run();
      }
    });
}

const sqlitePragmas = new WeakMap<Kysely<Database>, { relax: SQLite.Statement; restore: SQLite.Statement }>();

/** openDb: the better-sqlite3 handle behind `db`, whose `synchronous` relaxedCommits sets directly. */
export function registerSqliteHandle(db: Kysely<Database>, handle: SQLite.Database): void {
  // better-sqlite3's pragma() prepares its statement on every call.
  sqlitePragmas.set(db, { relax: handle.prepare('PRAGMA synchronous = NORMAL'), restore: handle.prepare('PRAGMA synchronous = FULL') });
}
