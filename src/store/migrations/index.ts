import type { Migration } from 'kysely';
import * as m0001 from './2026_11_24_0001_create_usage_buckets.js';

/** Name → module. Names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_0001_create_usage_buckets': m0001,
};
