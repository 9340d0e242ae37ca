import type { Kysely, Transaction } from 'kysely';
import type { UsageBucketsTable } from './tables/usage-buckets.table.js';

export interface Database {
  usage_buckets: UsageBucketsTable;
}

export type Db = Kysely<Database> | Transaction<Database>;
export type DialectName = 'sqlite' | 'postgres';
