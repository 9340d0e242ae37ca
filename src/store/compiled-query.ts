import { CompiledQuery, type Compilable } from 'kysely';
import type { Db } from './database.js';

/**
 * A query of one fixed shape, built and compiled once per dialect and then executed with new values. Kysely has no
 * compiled-query cache: it builds its operation tree and compiles the SQL again for every execution (tens of µs of
 * CPU for each of the engine's statements, several per run). `build` writes the query with `p.<name>` where a value
 * goes; those places become the compiled query's parameters, and each call fills them from `params`. Only for
 * queries whose shape never depends on the values: no lists (`in`), no optional clauses, no null compared with `=`.
 */
export function compiledQuery<P extends object, R>(build: (db: Db, p: P) => Compilable<R>): (db: Db, params: P) => Promise<R[]> {
  const byAdapter = new WeakMap<object, CompiledQuery<R>>();
  return async (db, params) => {
    const adapter = db.getExecutor().adapter;
    let compiled = byAdapter.get(adapter);
    if (!compiled) byAdapter.set(adapter, (compiled = build(db, slots<P>()).compile()));
    const values = params as Record<string, unknown>;
    const parameters = compiled.parameters.map((v) => (v instanceof Slot ? values[v.name] : v));
    return (await db.executeQuery(CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<R>)).rows;
  };
}

/** Where a value goes, named. */
class Slot {
  constructor(readonly name: string) {}
}

/** `p` for a build function: each property read is the slot of that name (typed as the value it stands for). */
function slots<P extends object>(): P {
  return new Proxy({}, { get: (_target, name) => new Slot(String(name)) }) as P;
}
