import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface ThreadsTable {
  id: string;
  tenant_id: string;
  seq: number;
  created_at: number;
  metadata: string;
  tool_resources: string | null;
  /** 1: a response's own thread, invisible to the threads and conversations APIs (it goes with the response). */
  hidden: Generated<number>;
}
export type ThreadRow = Selectable<ThreadsTable>;
export type NewThreadRow = Insertable<ThreadsTable>;
export type ThreadUpdate = Updateable<ThreadsTable>;
