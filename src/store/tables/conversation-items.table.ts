import type { Insertable, Selectable } from 'kysely';

/** A conversation item that is not a message (messages are rows of `messages`). */
export interface ConversationItemsTable {
  /** OpenAI's prefix for the type: fc_, fco_, fs_, ci_, rs_… */
  id: string;
  tenant_id: string;
  /** The conversation, which is a thread. */
  thread_id: string;
  /** From store/seq.ts nextSeq, the same order key as messages: the two interleave. */
  seq: number;
  created_at: number;
  type: string;
  /** JSON: the item as the Conversations API returns it (id included). */
  item: string;
  /** The response that produced the item (Responses API); null for items added through conversations. */
  response_id: string | null;
}
export type ConversationItemRow = Selectable<ConversationItemsTable>;
export type NewConversationItemRow = Insertable<ConversationItemsTable>;
