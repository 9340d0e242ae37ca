import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { countPromptTokens } from '../../metering/count-tokens.js';
import { RateLimitError } from '../../services/rate-limit-error.js';

/** The gateway routes whose body names a model called right away (a response, foreground or background, is a run: the engine counts its model calls). */
const MODEL_ROUTES = new Set(['/v1/chat/completions', '/v1/embeddings']);

/** The request's size in tokens, estimated before the call: the tokenizer over chat messages, else ~4 characters a token. */
function estimate(url: string, body: Record<string, unknown>): () => Promise<number> {
  if (url === '/v1/chat/completions') return () => countPromptTokens(body);
  return async () => Math.ceil(JSON.stringify(body.input ?? '').length / 4);
}

const setHeaders = (reply: FastifyReply, headers: Readonly<Record<string, string>>) => {
  for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
};

async function admit(deps: Deps, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const body = req.body as Record<string, unknown> | undefined;
  if (!body || typeof body.model !== 'string') return;
  try {
    const admission = await deps.limits.admit({ tenantId: req.caller.tenantId, model: body.model, tokens: estimate(req.routeOptions.url ?? '', body) });
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
 * Rate limits on the model calls a request makes itself: reserves before the handler runs, answers with OpenAI's
 * `x-ratelimit-*` headers, gives the token reservation back once the answer has gone (its usage is counted by then).
 */
export function rateLimitHook(app: FastifyInstance, deps: Deps): void {
  // A callback hook: a call its project's cached limits do not cover passes without a promise.
  app.addHook('preHandler', (req, reply, done) => {
    if (req.method !== 'POST' || !MODEL_ROUTES.has(req.routeOptions.url ?? '')) return done();
    const model = (req.body as { model?: unknown } | undefined)?.model;
    if (typeof model === 'string' && deps.limits.unlimited(req.caller.tenantId, model)) return done();
    admit(deps, req, reply).then(() => done(), done);
  });
}
