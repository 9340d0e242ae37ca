import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { listCompletionsUsage, listCosts } from '../services/usage.service.js';
import {
  listCodeInterpreterSessionsUsage,
  listEmbeddingsUsage,
  listFileSearchCallsUsage,
  listVectorStoresUsage,
} from '../services/tool-usage.service.js';
import {
  embeddingsUsageQuerySchema,
  fileSearchCallsUsageQuerySchema,
  parseCompletionsUsageQuery,
  parseCostsQuery,
  parseUsageQuery,
  projectUsageQuerySchema,
} from './schemas/usage.schema.js';

/** Usage and costs of the caller's tenant, in OpenAI's organization usage API shape. */
export function usageRoutes(deps: Deps): FastifyPluginAsync {
  const usageDeps = { db: deps.store.db, clock: deps.clock };
  return async (app) => {
    app.get('/organization/usage/completions', async (req) =>
      listCompletionsUsage(usageDeps, req.caller, parseCompletionsUsageQuery(req.query)),
    );
    app.get('/organization/usage/embeddings', async (req) =>
      listEmbeddingsUsage(usageDeps, req.caller, parseUsageQuery(embeddingsUsageQuerySchema, req.query)),
    );
    app.get('/organization/usage/file_search_calls', async (req) =>
      listFileSearchCallsUsage(usageDeps, req.caller, parseUsageQuery(fileSearchCallsUsageQuerySchema, req.query)),
    );
    app.get('/organization/usage/code_interpreter_sessions', async (req) =>
      listCodeInterpreterSessionsUsage(usageDeps, req.caller, parseUsageQuery(projectUsageQuerySchema, req.query)),
    );
    app.get('/organization/usage/vector_stores', async (req) =>
      listVectorStoresUsage(usageDeps, req.caller, parseUsageQuery(projectUsageQuerySchema, req.query)),
    );
    app.get('/organization/costs', async (req) => listCosts(usageDeps, req.caller, parseCostsQuery(req.query)));
  };
}
