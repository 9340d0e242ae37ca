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

/**
 * An insert of one row whose columns are the row's own (defined) keys, compiled once per column set (compiledQuery):
 * the engine and the Responses API insert rows of a few fixed shapes several times per request, and building and
 * compiling an insert of 37 columns takes ~40 µs of CPU each time. `build` inserts the row it is given.
 */
export function compiledInsert<Row extends object, R>(build: (db: Db, row: Row) => Compilable<R>): (db: Db, row: Row) => Promise<R> {
  const byColumns = new Map<string, (db: Db, row: Row) => Promise<R[]>>();
  return async (db, row) => {
    const values = row as Record<string, unknown>;
    const columns = Object.keys(values).filter((k) => values[k] !== undefined);
    const shape = columns.join(',');
    let insert = byColumns.get(shape);
    if (!insert) byColumns.set(shape, (insert = compiledQuery((b: Db, p: Row) => build(b, only(p, columns)))));
    const [out] = await insert(db, row);
    if (out === undefined) throw new Error('insert returned no row');
    return out;
  };
}

/** The slots of `columns` only, as a row: what the compiled insert names. */
function only<Row extends object>(p: Row, columns: readonly string[]): Row {
  const slots = p as Record<string, unknown>;
  return Object.fromEntries(columns.map((c) => [c, slots[c]])) as Row;
}
