import { z } from 'zod';
import { invalidRequest } from '../errors.js';

import type { ListQuery } from '../store/pagination.js';

export type { ListQuery };

export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

const limitSchema = z.coerce.number().int();

export function parseListQuery(query: unknown): ListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  let limit = 20;
  if (q.limit !== undefined && q.limit !== '') {
    const parsed = limitSchema.safeParse(q.limit);
    if (!parsed.success)
      throw invalidRequest(`Invalid 'limit': expected an integer, but got '${String(q.limit)}' instead.`, 'limit', 'invalid_type');
    limit = parsed.data;
    if (limit < 1)
      throw invalidRequest(
        `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`,
        'limit',
        'integer_below_min_value',
      );
    if (limit > 100)
      throw invalidRequest(
        `Invalid 'limit': integer above maximum value. Expected a value <= 100, but got ${limit} instead.`,
        'limit',
        'integer_above_max_value',
      );
  }
  const order = q.order === undefined || q.order === '' ? 'desc' : q.order;
  if (order !== 'asc' && order !== 'desc')
    throw invalidRequest(
      `Invalid value: '${String(order)}'. Supported values are: 'asc' and 'desc'.`,
      'order',
      'invalid_value',
    );
  const cursor = (name: 'after' | 'before') => {
    const v = q[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw invalidRequest(`Invalid '${name}': expected a string.`, name, 'invalid_type');
    return v;
  };
  return { limit, order, after: cursor('after'), before: cursor('before') };
}

export function toListPage<T extends { id: string }>(data: T[], hasMore: boolean): ListPage<T> {
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
