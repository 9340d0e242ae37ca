import type { Kysely, Transaction } from 'kysely';
import type { UsageBucketsTable } from './tables/usage-buckets.table.js';
import type { UsageMetersTable, VectorStoreStorageTable } from './tables/usage-meters.table.js';
import type { AssistantsTable } from './tables/assistants.table.js';
import type { ThreadsTable } from './tables/threads.table.js';
import type { MessagesTable } from './tables/messages.table.js';
import type { ConversationItemsTable } from './tables/conversation-items.table.js';
import type { RunsTable } from './tables/runs.table.js';
import type { RunStepsTable } from './tables/run-steps.table.js';
import type { ResponseEventsTable } from './tables/response-events.table.js';
import type { ResponsesTable } from './tables/responses.table.js';
import type { ChunkIndexVersionsTable } from './tables/chunk-index-versions.table.js';
import type { ChunksTable } from './tables/chunks.table.js';
import type { FilesTable } from './tables/files.table.js';
import type { CodeInterpreterFilesTable, FileBlobsTable } from './tables/file-blobs.table.js';
import type {
  VectorStoreFileBatchesTable,
  VectorStoreFilesTable,
  VectorStoresTable,
} from './tables/vector-stores.table.js';
import type { ProjectsTable, ServiceAccountsTable } from './tables/projects.table.js';
import type { AdminApiKeysTable, ApiKeysTable } from './tables/api-keys.table.js';
import type { ProjectRateLimitsTable, RateLimitCountersTable } from './tables/rate-limits.table.js';

export interface Database {
  usage_buckets: UsageBucketsTable;
  usage_meters: UsageMetersTable;
  vector_store_storage: VectorStoreStorageTable;
  assistants: AssistantsTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  conversation_items: ConversationItemsTable;
  runs: RunsTable;
  run_steps: RunStepsTable;
  responses: ResponsesTable;
  response_events: ResponseEventsTable;
  chunks: ChunksTable;
  chunk_index_versions: ChunkIndexVersionsTable;
  files: FilesTable;
  file_blobs: FileBlobsTable;
  code_interpreter_files: CodeInterpreterFilesTable;
  vector_stores: VectorStoresTable;
  vector_store_files: VectorStoreFilesTable;
  vector_store_file_batches: VectorStoreFileBatchesTable;
  projects: ProjectsTable;
  service_accounts: ServiceAccountsTable;
  api_keys: ApiKeysTable;
  admin_api_keys: AdminApiKeysTable;
  project_rate_limits: ProjectRateLimitsTable;
  rate_limit_counters: RateLimitCountersTable;
}

export type Db = Kysely<Database> | Transaction<Database>;
export type DialectName = 'sqlite' | 'postgres';
