import { createRequire } from 'node:module';
import pg from 'pg';

type Method = (this: { source: string }, ...args: unknown[]) => unknown;
type Query = (this: object, ...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
const SQLite = require('better-sqlite3') as new (path: string) => { prepare(sql: string): object; close(): void };

/** What to do before each statement the process sends its database. */
export interface StatementHooks {
  /** A better-sqlite3 statement about to run (its SQL, its parameters); throwing fails it as the database would. */
  sqlite(sql: string, parameters: readonly unknown[]): void;
  /**
   * A pg `Client.query` about to be sent, on `client` (its text and values, when given); a promise returned answers
   * the query instead (a rejected one fails it without sending it).
   */
  pg(client: object, text: string | undefined, values: unknown): Promise<never> | void;
}

/**
 * Hooks every statement this process sends to SQLite (better-sqlite3's statement methods) and PostgreSQL (pg's
 * Client.query) — what statement-counter.ts and failing-statements.ts build on. The returned function unhooks them.
 */
export function hookStatements(hooks: StatementHooks): () => void {
  const probe = new SQLite(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Method>;
  probe.close();
  const originals = new Map<string, Method>();
  for (const name of ['run', 'all', 'get', 'iterate']) {
    const original = proto[name]!;
    originals.set(name, original);
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      hooks.sqlite(this.source, Array.isArray(args[0]) ? args[0] : args);
      return original.apply(this, args);
    };
  }
  const clientProto = pg.Client.prototype as unknown as { query: Query };
  const query = clientProto.query;
  clientProto.query = function (this: object, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    const values = typeof first === 'string' ? args[1] : (first as { values?: unknown } | undefined)?.values;
    return hooks.pg(this, text, values) ?? query.apply(this, args);
  };
  return () => {
    for (const [name, original] of originals) proto[name] = original;
    clientProto.query = query;
  };
}
