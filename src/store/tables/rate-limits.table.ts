import type { Selectable } from 'kysely';

/** A project's limits on one model (OpenAI's ProjectRateLimit); 0 is no limit, and a model without a row is unlimited. */
export interface ProjectRateLimitsTable {
  project_id: string;
  model: string;
  max_requests_per_1_minute: number;
  max_tokens_per_1_minute: number;
  max_requests_per_1_day: number;
  updated_at: number;
}
export type ProjectRateLimitRow = Selectable<ProjectRateLimitsTable>;

/** A shared counter (PostgreSQL): requests or tokens of one project and model in one window. */
export interface RateLimitCountersTable {
  /** `<project>\n<model>\n<rpm|rpd|tpm>`. */
  key: string;
  /** Unix seconds at which the window started. */
  window_start: number;
  value: number;
}
