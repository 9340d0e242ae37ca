import { hookStatements } from './statement-hooks.js';

/** What the process sent its database while counting: every statement's SQL, the commits, those that waited for the disk. */
export interface StatementCounts {
  statements: string[];
  commits: number;
  durableCommits: number;
}

/** One connection's state: the transaction being sent (its statements so far), and whether its commit is relaxed. */
interface Connection {
  open?: string[];
  relaxed: boolean;
}

const WRITE = /^(insert|update|delete)/i;

/**
 * Counts the statements this process sends to SQLite (better-sqlite3's statements) and PostgreSQL (pg's
 * Client.query) from `start()` to `stop()`, and the commits: an explicit COMMIT, or a write outside a transaction.
 * A commit is relaxed after SQLite's `PRAGMA synchronous = NORMAL` (until FULL) or PostgreSQL's
 * `set local synchronous_commit = off` in its transaction (store/relaxed-commit.ts); every other one waits for the disk.
 * Statements matching `ignore` (background work: usage flushes, health checks) are left out, and so is a transaction
 * made of nothing else, its begin and commit included. Statements are grouped by connection, so another connection's
 * transaction interleaved with one being counted is told apart. Exact whatever the machine's load, unlike a timing.
 * One counter at a time per process; `dispose()` unhooks it.
 */
export function statementCounter(ignore: RegExp): { start(): void; stop(): StatementCounts; dispose(): void } {
  let counts: StatementCounts | undefined;
  const sqliteConnection: Connection = { relaxed: false };
  const pgConnections = new WeakMap<object, Connection>();
  const commit = (c: Connection) => {
    counts!.commits++;
    if (!c.relaxed) counts!.durableCommits++;
  };
  const note = (raw: string, c: Connection) => {
    const sql = raw.replace(/\s+/g, ' ').trim();
    const lower = sql.toLowerCase();
    if (lower === 'pragma synchronous = normal') c.relaxed = true;
    if (lower === 'pragma synchronous = full') c.relaxed = false;
    if (lower === 'set local synchronous_commit = off') c.relaxed = true;
    if (!counts) return;
    if (/^begin/.test(lower)) return void (c.open = [sql]);
    if (!c.open) {
      if (ignore.test(sql)) return;
      counts.statements.push(sql);
      if (WRITE.test(sql)) commit(c);
      return;
    }
    c.open.push(sql);
    if (!/^(commit|rollback)/.test(lower)) return;
    const body = c.open.slice(1, -1).filter((s) => !/^set local /i.test(s));
    if (body.length === 0 || !body.every((s) => ignore.test(s))) {
      counts.statements.push(...c.open);
      if (/^commit/.test(lower)) commit(c);
    }
    c.open = undefined;
  };
  const unhook = hookStatements({
    sqlite: (sql) => note(sql, sqliteConnection),
    pg: (client, text) => {
      let c = pgConnections.get(client);
      if (!c) pgConnections.set(client, (c = { relaxed: false }));
      if (text) note(text, c);
      // A relaxed commit's setting lasts until its transaction ends.
      if (text && /^\s*(commit|rollback)/i.test(text)) c.relaxed = false;
    },
  });
  return {
    start: () => {
      counts = { statements: [], commits: 0, durableCommits: 0 };
    },
    stop: () => {
      const out = counts ?? { statements: [], commits: 0, durableCommits: 0 };
      counts = undefined;
      return out;
    },
    dispose: () => {
      counts = undefined;
      unhook();
    },
  };
}
