import type { Migration } from 'kysely';
import * as m0001 from './2026_11_24_0001_create_usage_buckets.js';
import * as m0002 from './2026_11_24_0002_create_assistants_threads_runs.js';

/** Name → module. Names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_0001_create_usage_buckets': m0001,
  '2026_11_24_0002_create_assistants_threads_runs': m0002,
};
