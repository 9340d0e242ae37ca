import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';

export function modelsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.get('/models', async () => ({ object: 'list', data: await deps.providers.listModels() }));

    app.get<{ Params: { '*': string } }>('/models/*', async (req) => {
      // Model ids may contain slashes (`provider/model`), so the rest of the path is the id.
      const id = req.params['*'];
      const model = (await deps.providers.listModels()).find((m) => m.id === id);
      if (!model)
        throw new ApiError({
          status: 404,
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
          message: `The model '${id}' does not exist`,
        });
      return model;
    });
  };
}
