import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { createEmbedding } from '../services/embeddings.service.js';
import { validateEmbeddingsRequest } from './schemas/embeddings.schema.js';
import { clientGone } from './client-signal.js';

export function embeddingsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post('/embeddings', async (req, reply) => {
      const body = validateEmbeddingsRequest(req.body);
      const result = await createEmbedding(deps, { caller: req.caller, requestId: req.id, signal: clientGone(reply) }, body);
      return reply.code(result.status).type('application/json').send(result.body);
    });
  };
}
