/**
 * A preload for Switchboard under a bench (`node --import tsx --import ./bench/support/sqlite-counter.ts src/main.ts`,
 * spawned with an IPC channel): counts the SQLite statements better-sqlite3 executes, the commits and those that
 * waited for the disk (synchronous = FULL, i.e. not a relaxed commit: store/relaxed-commit.ts), and answers the
 * message 'counts' with them and the process's CPU time. Exact on a busy machine, unlike timings.
 * SQLITE_COUNTER_DUMP=<file>: at exit, also writes each statement's SQL, calls and total µs there (a diagnostic).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Counts {
  statements: number;
  commits: number;
  durableCommits: number;
  /**
   * µs spent in the commits that waited for the disk (the COMMIT statement, or a write outside a transaction): the
   * floor the durability contract sets, mostly the WAL's fsync (better-sqlite3 runs it on the main thread).
   */
  durableUs: number;
  /** µs spent in the other (relaxed) commits: what a commit costs without the wait. */
  relaxedUs: number;
  /** process.cpuUsage(), user + system, µs. */
  cpuUs: number;
}

interface StatementLike {
  source: string;
}
type Method = (this: StatementLike, ...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as { prototype: Record<string, Method> };
const counts = { statements: 0, commits: 0, durableCommits: 0, durableUs: 0, relaxedUs: 0 };
let relaxed = false;
let inTransaction = false;
const dump = process.env.SQLITE_COUNTER_DUMP;
const bySql = dump ? new Map<string, { calls: number; us: number }>() : undefined;
if (dump && bySql)
  process.on('exit', () => writeFileSync(dump, JSON.stringify([...bySql].sort((a, b) => b[1].us - a[1].us), null, 1)));
let patched = false;

function patchStatement(proto: Record<string, Method>): void {
  for (const name of ['run', 'all', 'get', 'iterate']) {
    const original = proto[name]!;
    proto[name] = function (this: StatementLike, ...args: unknown[]) {
      counts.statements++;
      const sql = this.source;
      const pragma = sql.replace(/\s+/g, '').toLowerCase();
      if (pragma === 'pragmasynchronous=normal') relaxed = true;
      if (pragma === 'pragmasynchronous=full') relaxed = false;
      if (/^\s*begin/i.test(sql)) inTransaction = true;
      if (/^\s*(commit|rollback)/i.test(sql)) inTransaction = false;
      // A write outside a transaction commits by itself.
      const commits = /^\s*commit/i.test(sql) || (!inTransaction && /^\s*(insert|update|delete|replace)/i.test(sql));
      const durable = commits && !relaxed;
      if (commits) counts.commits++;
      if (durable) counts.durableCommits++;
      if (!bySql && !commits) return original.apply(this, args);
      const start = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const us = Number(process.hrtime.bigint() - start) / 1000;
        if (durable) counts.durableUs += us;
        else if (commits) counts.relaxedUs += us;
        if (bySql) {
          const entry = bySql.get(sql) ?? { calls: 0, us: 0 };
          entry.calls++;
          entry.us += us;
          bySql.set(sql, entry);
        }
      }
    };
  }
}

const prepare = Database.prototype.prepare!;
Database.prototype.prepare = function (this: StatementLike, ...args: unknown[]) {
  const stmt = prepare.apply(this, args) as object;
  if (!patched) {
    patched = true;
    patchStatement(Object.getPrototypeOf(stmt) as Record<string, Method>);
  }
  return stmt;
};
const pragma = Database.prototype.pragma!;
Database.prototype.pragma = function (this: StatementLike, ...args: unknown[]) {
  const text = String(args[0]).replace(/\s+/g, '').toLowerCase();
  if (text === 'synchronous=normal') relaxed = true;
  if (text === 'synchronous=full') relaxed = false;
  return pragma.apply(this, args);
};

process.on('message', (msg) => {
  if (msg !== 'counts') return;
  const cpu = process.cpuUsage();
  process.send?.({ ...counts, cpuUs: cpu.user + cpu.system } satisfies Counts);
});
// The channel must not keep Switchboard alive when it shuts down.
process.channel?.unref();
