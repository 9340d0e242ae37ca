import type { Insertable, Selectable, Updateable } from 'kysely';

export type RunStepStatus = 'in_progress' | 'cancelled' | 'failed' | 'completed' | 'expired';

export interface RunStepsTable {
  id: string;
  tenant_id: string;
  run_id: string;
  thread_id: string;
  assistant_id: string;
  seq: number;
  created_at: number;
  type: 'message_creation' | 'tool_calls';
  status: RunStepStatus;
  /** JSON: MessageCreationStepDetails | ToolCallsStepDetails */
  step_details: string;
  /** JSON {call_id: output}: what the model was given for each tool call (not on the wire). */
  tool_outputs: string | null;
  last_error: string | null;
  usage: string | null;
  metadata: string | null;
  expired_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
}
export type RunStepRow = Selectable<RunStepsTable>;
export type NewRunStepRow = Insertable<RunStepsTable>;
export type RunStepUpdate = Updateable<RunStepsTable>;
