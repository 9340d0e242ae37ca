import type { Insertable, Selectable } from 'kysely';

/** A Responses API response: its work is the run `run_id` on the thread `thread_id`. */
export interface ResponsesTable {
  /** resp_… */
  id: string;
  tenant_id: string;
  api_key_id: string;
  run_id: string;
  /** The conversation's thread, or the response's own hidden thread. */
  thread_id: string;
  previous_response_id: string | null;
  conversation_id: string | null;
  /** JSON: the validated request's echo fields (ResponseRequest), without `input`. */
  request: string;
  /** JSON string[]: the ids of the stored input items, in order. */
  input_item_ids: string;
  store: number;
  background: number;
  created_at: number;
  seq: number;
}
export type ResponseRow = Selectable<ResponsesTable>;
export type NewResponseRow = Insertable<ResponsesTable>;
