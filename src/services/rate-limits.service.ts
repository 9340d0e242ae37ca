import type { ProjectRateLimit } from 'openai/resources/admin/organization/projects/rate-limits';
import type { Deps } from '../deps.js';
import { invalidRequest } from '../errors.js';
import type { ListQuery } from '../store/pagination.js';
import { listRateLimitRows, upsertRateLimitRow } from '../store/repos/rate-limits.repo.js';
import type { ProjectRateLimitRow } from '../store/tables/rate-limits.table.js';
import { getActiveProject, getProject } from './projects.service.js';

/** A project's per-model limits (OpenAI's ProjectRateLimit; admin keys only). 0 is no limit; a model without one is unlimited. */

export type RateLimitDeps = Pick<Deps, 'store' | 'clock' | 'limits'>;

export interface RateLimitParams {
  max_requests_per_1_minute?: number | null;
  max_tokens_per_1_minute?: number | null;
  max_requests_per_1_day?: number | null;
}

const PREFIX = 'rl-';

export const toRateLimitObject = (row: ProjectRateLimitRow): ProjectRateLimit => ({
  object: 'project.rate_limit',
  id: PREFIX + row.model,
  model: row.model,
  max_requests_per_1_minute: row.max_requests_per_1_minute,
  max_tokens_per_1_minute: row.max_tokens_per_1_minute,
  max_requests_per_1_day: row.max_requests_per_1_day,
});

/** The project's limits ordered by model; `after`/`before` are rate limit ids. */
export async function listRateLimits(deps: RateLimitDeps, projectId: string, query: ListQuery): Promise<{ rows: ProjectRateLimitRow[]; hasMore: boolean }> {
  await getProject(deps.store.db, projectId);
  let rows = await listRateLimitRows(deps.store.db, projectId);
  if (query.after) rows = rows.filter((r) => PREFIX + r.model > query.after!);
  if (query.before) rows = rows.filter((r) => PREFIX + r.model < query.before!).slice(-query.limit);
  return { rows: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}

/** Sets a project's limits on the model of `rl-<model>` (created with no limits if it had none). */
export async function updateRateLimit(deps: RateLimitDeps, projectId: string, rateLimitId: string, params: RateLimitParams): Promise<ProjectRateLimitRow> {
  if (!rateLimitId.startsWith(PREFIX) || rateLimitId.length === PREFIX.length)
    throw invalidRequest(`Invalid rate limit id '${rateLimitId}': expected 'rl-<model>'.`, 'rate_limit_id');
  await getActiveProject(deps.store.db, projectId);
  const model = rateLimitId.slice(PREFIX.length);
  const current = (await listRateLimitRows(deps.store.db, projectId)).find((r) => r.model === model);
  const pick = (k: keyof RateLimitParams) => params[k] ?? current?.[k] ?? 0;
  const row = await upsertRateLimitRow(deps.store.db, {
    project_id: projectId,
    model,
    max_requests_per_1_minute: pick('max_requests_per_1_minute'),
    max_tokens_per_1_minute: pick('max_tokens_per_1_minute'),
    max_requests_per_1_day: pick('max_requests_per_1_day'),
    updated_at: Math.floor(deps.clock.now() / 1000),
  });
  deps.limits.forget(projectId);
  return row;
}
