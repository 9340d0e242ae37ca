import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import * as sqliteVec from 'sqlite-vec';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type MigrationResultSet, type SqliteDialectConfig } from 'kysely';
import type { Database, DialectName } from './database.js';
import { migrations } from './migrations/index.js';
import { withStatementCache } from './statement-cache.js';
import { registerSqliteHandle } from './relaxed-commit.js';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

// bigint columns (sums of tokens) come back from pg as strings; they fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * SQLite transactions begin IMMEDIATE (Kysely's begin DEFERRED): they take the write lock first, waiting for it as
 * long as busy_timeout allows when another process holds it (the `switchboard keys` CLI beside a running server).
 * A deferred one reads a snapshot first and then cannot turn into a write while the lock is held: SQLite answers
 * SQLITE_BUSY at its first write at once, with no wait. The server itself has one connection, so this changes
 * nothing between its own transactions; they all write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Opens SQLite (WAL, synchronous=FULL so a commit survives power loss) or PostgreSQL by URL. */
export function openDb(url: string, opts: { poolSize?: number } = {}): Store {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    // The server may end an idle connection (a restart, pg_terminate_backend, DROP DATABASE … FORCE):
    // the pool drops it and connects anew on the next query. Unheard, its 'error' would crash the process.
    pool.on('error', () => {});
    const closed = allConnectionsClosed(pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      close: async () => {
        await db.destroy();
        await closed();
      },
    };
  }
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqliteVec.load(sqlite); // vec0 tables for file_search's vector index
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  registerSqliteHandle(db, sqlite);
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * pg's `pool.end()` resolves once it has asked every connection to end, not once they have: waits
 * for the last one (its 'remove'), so nothing of this process is still attached when close() returns.
 */
function allConnectionsClosed(pool: pg.Pool): () => Promise<void> {
  let open = 0;
  let settle: (() => void) | undefined;
  pool.on('connect', () => open++);
  pool.on('remove', () => {
    if (--open === 0) settle?.();
  });
  return () => (open === 0 ? Promise.resolve() : new Promise<void>((resolve) => (settle = resolve)));
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  return migrator.migrateToLatest();
}
