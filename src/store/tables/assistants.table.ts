import type { Insertable, Selectable, Updateable } from 'kysely';

/** JSON columns hold text; serialize.ts parses them. Timestamps are unix seconds. */
export interface AssistantsTable {
  id: string;
  tenant_id: string;
  /** Creation order (unique, increasing): the list cursor. */
  seq: number;
  created_at: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: string;
  tool_resources: string | null;
  metadata: string;
  temperature: number | null;
  top_p: number | null;
  response_format: string | null;
  reasoning_effort: string | null;
}
export type AssistantRow = Selectable<AssistantsTable>;
export type NewAssistantRow = Insertable<AssistantsTable>;
export type AssistantUpdate = Updateable<AssistantsTable>;
