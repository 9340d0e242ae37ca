import type { SelectQueryBuilder } from 'kysely';
import { invalidRequest } from '../errors.js';

/** `limit` 1–100 (default 20), `order` asc|desc (default desc), `after` / `before` object ids. */
export interface ListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
}

/** What a repo's list function is asked for: rows strictly past `seq` in `direction`, at most `limit`. */
export interface SeqWindow {
  direction: 'asc' | 'desc';
  /** Exclusive bound: rows with seq > bound (asc) or seq < bound (desc). */
  bound?: number;
  limit: number;
}

/**
 * Cursor pagination over the creation-order key. Reads limit+1 rows, so `has_more` is exact (the
 * SDK's auto-pagination stops on it). `before` reads towards the cursor's other side and reverses.
 */
export async function paginate<T extends { id: string; seq: number }>(opts: {
  query: ListQuery;
  fetch: (window: SeqWindow) => Promise<T[]>;
  /** The seq of a cursor object in the same list, or undefined when it is not there. */
  seqOf: (id: string) => Promise<number | undefined>;
}): Promise<{ rows: T[]; hasMore: boolean }> {
  const { query } = opts;
  const resolve = async (name: 'after' | 'before', id: string) => {
    const seq = await opts.seqOf(id);
    if (seq === undefined) throw invalidRequest(`Invalid '${name}': no object with id '${id}' in this list.`, name);
    return seq;
  };
  const reverse = (o: 'asc' | 'desc') => (o === 'asc' ? 'desc' : 'asc');
  if (query.before !== undefined && query.after === undefined) {
    const bound = await resolve('before', query.before);
    const rows = await opts.fetch({ direction: reverse(query.order), bound, limit: query.limit + 1 });
    const hasMore = rows.length > query.limit;
    return { rows: rows.slice(0, query.limit).reverse(), hasMore };
  }
  const bound = query.after !== undefined ? await resolve('after', query.after) : undefined;
  const rows = await opts.fetch({ direction: query.order, bound, limit: query.limit + 1 });
  const hasMore = rows.length > query.limit;
  return { rows: rows.slice(0, query.limit), hasMore };
}

/** Applies a pagination window to a query over a table with a `seq` column. */
export function applySeqWindow<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  seqColumn: string,
  window: SeqWindow,
): SelectQueryBuilder<DB, TB, O> {
  // Kysely cannot type a column chosen at run time; the callers pass their table's `seq`.
  const col = seqColumn as never;
  let q = qb.orderBy(col, window.direction).limit(window.limit);
  if (window.bound !== undefined) q = q.where(col, window.direction === 'asc' ? '>' : '<', window.bound as never);
  return q;
}
