import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { RateLimitError } from '../../services/rate-limit-error.js';
import { BODY_MODEL_ROUTES, RATE_LIMITED_ROUTES } from './rate-limited-routes.js';

const setHeaders = (reply: FastifyReply, headers: Readonly<Record<string, string>>) => {
  for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
};

async function admit(deps: Deps, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const resolve = RATE_LIMITED_ROUTES.get(req.routeOptions.url ?? '');
  const body = req.body;
  if (!resolve || typeof body !== 'object' || body === null || !req.caller.tenantId) return;
  try {
    const call = await resolve(deps, req, body as Record<string, unknown>);
    if (!call) return;
    const admission = await deps.limits.admit({ tenantId: req.caller.tenantId, ...call });
    if (!admission) return;
    // On the raw response, so a hijacked (SSE) reply sends them too.
    setHeaders(reply, admission.headers);
    reply.raw.once('close', admission.release);
  } catch (err) {
    if (err instanceof RateLimitError) setHeaders(reply, err.headers);
    throw err;
  }
}

/**
 * Rate limits on the model calls a request makes itself, or on the first call of the run it queues (the engine
 * counts a run's later calls): reserves before the handler runs, answers with OpenAI's `x-ratelimit-*` headers,
 * gives the token reservation back once the answer has gone (its usage is counted by then).
 */
export function rateLimitHook(app: FastifyInstance, deps: Deps): void {
  // A callback hook: a call whose model the body names and its project's cached limits do not cover passes
  // without a promise; an assistant's or a run's model is looked up by admit().
  app.addHook('preHandler', (req, reply, done) => {
    const route = req.routeOptions.url ?? '';
    if (req.method !== 'POST' || !RATE_LIMITED_ROUTES.has(route)) return done();
    const model = (req.body as { model?: unknown } | undefined)?.model;
    if (BODY_MODEL_ROUTES.has(route) && typeof model === 'string' && !model.startsWith('asst_') && deps.limits.unlimited(req.caller.tenantId, model)) {
      return done();
    }
    admit(deps, req, reply).then(() => done(), done);
  });
}
