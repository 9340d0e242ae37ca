import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { listRateLimits, toRateLimitObject, updateRateLimit } from '../services/rate-limits.service.js';
import { adminOnly } from './organization-guard.js';
import { parseListQuery, toListPage } from './pagination.js';
import { opt, parseRequest } from './schemas/common.schema.js';

type ById = { Params: { project_id: string } };
type ByLimit = { Params: { project_id: string; rate_limit_id: string } };

const limit = opt(z.number().int().min(0));
const updateRateLimitSchema = z.object({
  max_requests_per_1_minute: limit,
  max_tokens_per_1_minute: limit,
  max_requests_per_1_day: limit,
});

/** /organization/projects/{id}/rate_limits: list and update a project's per-model limits (admin keys only). */
export function organizationRateLimitsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    adminOnly(app);
    app.get<ById>('/organization/projects/:project_id/rate_limits', async (req) => {
      const q = req.query as Record<string, unknown>;
      const query = parseListQuery({ ...q, limit: q.limit ?? '100', order: 'asc' });
      const { rows, hasMore } = await listRateLimits(deps, req.params.project_id, query);
      return toListPage(rows.map(toRateLimitObject), hasMore);
    });
    app.post<ByLimit>('/organization/projects/:project_id/rate_limits/:rate_limit_id', async (req) => {
      const params = parseRequest(updateRateLimitSchema, req.body);
      return toRateLimitObject(await updateRateLimit(deps, req.params.project_id, req.params.rate_limit_id, params));
    });
  };
}
