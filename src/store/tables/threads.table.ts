import type { Insertable, Selectable, Updateable } from 'kysely';

export interface ThreadsTable {
  id: string;
  tenant_id: string;
  seq: number;
  created_at: number;
  metadata: string;
  tool_resources: string | null;
}
export type ThreadRow = Selectable<ThreadsTable>;
export type NewThreadRow = Insertable<ThreadsTable>;
export type ThreadUpdate = Updateable<ThreadsTable>;
