import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';

export function modelsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    // Chat models from the routes and upstreams, and the built-in embedding encoder.
    const allModels = async () => [...(await deps.providers.listModels()), ...deps.embeddings.listModels()];
    app.get('/models', async () => ({ object: 'list', data: await allModels() }));

    app.get<{ Params: { '*': string } }>('/models/*', async (req) => {
      // Model ids may contain slashes (`provider/model`), so the rest of the path is the id.
      const id = req.params['*'];
      const model = (await allModels()).find((m) => m.id === id);
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
