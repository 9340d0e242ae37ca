import { hookStatements } from './statement-hooks.js';

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
  const unhook = hookStatements({
    sqlite: (sql, parameters) => {
      if (fails(sql, parameters)) throw error();
    },
    pg: (_client, text, values) => (text && fails(text, values) ? Promise.reject(error()) : undefined),
  });
  return {
    get hits() {
      return hits;
    },
    failed,
    dispose: unhook,
  };
}
