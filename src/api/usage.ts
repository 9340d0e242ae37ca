import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { listCompletionsUsage, listCosts } from '../services/usage.service.js';
import { parseCompletionsUsageQuery, parseCostsQuery } from './schemas/usage.schema.js';

/** Usage and costs of the caller's tenant, in OpenAI's organization usage API shape. */
export function usageRoutes(deps: Deps): FastifyPluginAsync {
  const usageDeps = { db: deps.store.db, clock: deps.clock };
  return async (app) => {
    app.get('/organization/usage/completions', async (req) =>
      listCompletionsUsage(usageDeps, req.caller, parseCompletionsUsageQuery(req.query)),
    );
    app.get('/organization/costs', async (req) => listCosts(usageDeps, req.caller, parseCostsQuery(req.query)));
  };
}
