import { createRequire } from 'node:module';
import pg from 'pg';

type Method = (this: { source: string }, ...args: unknown[]) => unknown;
type Query = (this: object, ...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
const SQLite = require('better-sqlite3') as new (path: string) => { prepare(sql: string): object; close(): void };

/**
 * Makes the statements this process sends to SQLite (better-sqlite3's statements) or PostgreSQL (pg's Client.query)
 * fail, as a database error would (SQLITE_BUSY, a lost connection), when `matches(sql, parameters)` holds: the
 * statement is not sent and the call throws `error`. `hits` counts them, `failed` lists them. One at a time per process; `dispose()` unhooks it.
 */
export function failingStatements(
  matches: (sql: string, parameters: readonly unknown[]) => boolean,
  error: () => Error = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
): { readonly hits: number; readonly failed: readonly string[]; dispose(): void } {
  let hits = 0;
  const failed: string[] = [];
  const fails = (raw: string, parameters: unknown) => {
    const sql = raw.replace(/\s+/g, ' ').trim();
    if (!matches(sql, Array.isArray(parameters) ? parameters : [])) return false;
    hits++;
    failed.push(sql);
    return true;
  };
  const probe = new SQLite(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, Method>;
  probe.close();
  const originals = new Map<string, Method>();
  for (const name of ['run', 'all', 'get', 'iterate']) {
    const original = proto[name]!;
    originals.set(name, original);
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      if (fails(this.source, args[0])) throw error();
      return original.apply(this, args);
    };
  }
  const clientProto = pg.Client.prototype as unknown as { query: Query };
  const query = clientProto.query;
  clientProto.query = function (this: object, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    const values = typeof first === 'string' ? args[1] : (first as { values?: unknown } | undefined)?.values;
    if (text && fails(text, values)) return Promise.reject(error());
    return query.apply(this, args);
  };
  return {
    get hits() {
      return hits;
    },
    failed,
    dispose: () => {
      for (const [name, original] of originals) proto[name] = original;
      clientProto.query = query;
    },
  };
}
