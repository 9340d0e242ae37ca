import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { compactResponse } from '../services/responses-compact.js';
import { countResponseInputTokens } from '../services/responses-tokens.js';
import { validateCreateResponse } from './schemas/responses.schema.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * /responses/input_tokens and /responses/compact: a would-be response's request, validated as create validates it
 * (input_tokens leaves `model` optional, as its spec does: the count is the project tokenizer's for any model).
 */
export function responsesExtrasRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post('/responses/input_tokens', async (req) => {
      const body: unknown = req.body ?? {};
      const named = isObject(body) && body.model != null;
      const request = validateCreateResponse(isObject(body) && !named ? { ...body, model: '' } : body);
      return countResponseInputTokens(deps, req.caller, request, { checkModel: named });
    });
    app.post('/responses/compact', async (req) => compactResponse(deps, req.caller, validateCreateResponse(req.body)));
  };
}
