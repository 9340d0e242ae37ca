import type { Migration } from 'kysely';
import * as m0001 from './2026_11_24_0001_create_usage_buckets.js';
import * as m0002 from './2026_11_24_0002_create_assistants_threads_runs.js';
import * as m0003 from './2026_11_24_0003_create_files.js';
import * as m0004 from './2026_11_24_0004_create_chunks.js';
import * as m0005 from './2026_11_24_0005_create_vector_stores.js';
import * as m1205_0001 from './2026_12_05_0001_create_usage_meters.js';
import * as m1205_0101 from './2026_12_05_0101_create_conversation_items.js';
import * as m1205_0150 from './2026_12_05_0150_add_runs_client_calls.js';
import * as m1205_0301 from './2026_12_05_0301_create_responses.js';
import * as m1205_0401 from './2026_12_05_0401_create_response_events.js';
import * as m1206_0101 from './2026_12_06_0101_create_projects_and_keys.js';
import * as m1206_0201 from './2026_12_06_0201_add_runs_response_limits.js';
import * as m1206_0301 from './2026_12_06_0301_create_file_blobs.js';
import * as m1206_0501 from './2026_12_06_0501_create_rate_limits.js';
import * as m1206_0601 from './2026_12_06_0601_add_chunks_keyword_scope.js';
import * as m1207_0701 from './2026_12_07_0701_create_chunk_index_versions.js';
import * as m1207_0801 from './2026_12_07_0801_add_vector_store_files_progress.js';
import * as m1208_0001 from './2026_12_08_0001_runs_expiry_index.js';
import * as m1208_0010 from './2026_12_08_0010_responses_unstored_background_index.js';

/** Name → module. Names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026_11_24_0001_create_usage_buckets': m0001,
  '2026_11_24_0002_create_assistants_threads_runs': m0002,
  '2026_11_24_0003_create_files': m0003,
  '2026_11_24_0004_create_chunks': m0004,
  '2026_11_24_0005_create_vector_stores': m0005,
  '2026_12_05_0001_create_usage_meters': m1205_0001,
  '2026_12_05_0101_create_conversation_items': m1205_0101,
  '2026_12_05_0150_add_runs_client_calls': m1205_0150,
  '2026_12_05_0301_create_responses': m1205_0301,
  '2026_12_05_0401_create_response_events': m1205_0401,
  '2026_12_06_0101_create_projects_and_keys': m1206_0101,
  '2026_12_06_0201_add_runs_response_limits': m1206_0201,
  '2026_12_06_0301_create_file_blobs': m1206_0301,
  '2026_12_06_0501_create_rate_limits': m1206_0501,
  '2026_12_06_0601_add_chunks_keyword_scope': m1206_0601,
  '2026_12_07_0701_create_chunk_index_versions': m1207_0701,
  '2026_12_07_0801_add_vector_store_files_progress': m1207_0801,
  '2026_12_08_0001_runs_expiry_index': m1208_0001,
  '2026_12_08_0010_responses_unstored_background_index': m1208_0010,
};
