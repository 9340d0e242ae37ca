import type { Insertable, Selectable, Updateable } from 'kysely';

export interface MessagesTable {
  id: string;
  tenant_id: string;
  thread_id: string;
  seq: number;
  created_at: number;
  /**
   * `system` and `developer` messages come from the Conversations API (and, next, Responses); the Assistants
   * messages API shows only `user` and `assistant`. The run engine sends system and developer messages to the model
   * as system messages, in their place in the history (engine/thread-history.ts).
   */
  role: MessageRole;
  /** JSON: MessageContent[], the Assistants API's view of the content. */
  content: string;
  /**
   * JSON: the Responses content parts of a message item created through the Conversations API, kept as given
   * (input_file, input_image detail…); null for messages created through the Assistants API or by a run.
   * Optional: rows built in code (the engine's tests) may leave it out.
   */
  item_content?: string | null;
  attachments: string | null;
  metadata: string;
  assistant_id: string | null;
  run_id: string | null;
  status: 'in_progress' | 'incomplete' | 'completed';
  incomplete_details: string | null;
  completed_at: number | null;
  incomplete_at: number | null;
}
export type MessageRole = 'user' | 'assistant' | 'system' | 'developer';
/** The roles the Assistants messages API shows. */
export const ASSISTANTS_ROLES = ['user', 'assistant'] as const;
/** Selectable drops the `?` of item_content; rows built in code may leave it out. */
export type MessageRow = Omit<Selectable<MessagesTable>, 'item_content'> & { item_content?: string | null };
export type NewMessageRow = Insertable<MessagesTable>;
export type MessageUpdate = Updateable<MessagesTable>;
