import type { Insertable, Selectable, Updateable } from 'kysely';

export interface MessagesTable {
  id: string;
  tenant_id: string;
  thread_id: string;
  seq: number;
  created_at: number;
  role: 'user' | 'assistant';
  /** JSON: MessageContent[] */
  content: string;
  attachments: string | null;
  metadata: string;
  assistant_id: string | null;
  run_id: string | null;
  status: 'in_progress' | 'incomplete' | 'completed';
  incomplete_details: string | null;
  completed_at: number | null;
  incomplete_at: number | null;
}
export type MessageRow = Selectable<MessagesTable>;
export type NewMessageRow = Insertable<MessagesTable>;
export type MessageUpdate = Updateable<MessagesTable>;
