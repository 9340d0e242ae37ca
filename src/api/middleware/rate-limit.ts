import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Admission, Deps } from '../../deps.js';
import { RateLimitError } from '../../services/rate-limit-error.js';
import { BODY_MODEL_ROUTES, RATE_LIMITED_ROUTES, type ModelCall, type Resolver } from './rate-limited-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The model call this request was let through with, until its token reservation is given back. */
    admission: Admission | null;
  }
}

/** The admission's headers on the reply (Fastify hands them to Node in one object at writeHead; a hijacked SSE reply writes them itself: sse-reply.ts). */
function admitted(reply: FastifyReply, admission: Admission | null): void {
  if (!admission) return;
  reply.headers(admission.headers);
  reply.request.admission = admission;
}

/**
 * Gives the request's token reservation back, once: when its handler has answered (a stream's handler returns when
 * the stream has ended, however it ended), or when closeSseReply ends a stream.
 */
export function releaseAdmission(req: FastifyRequest): void {
  const admission = req.admission;
  if (admission === null) return;
  req.admission = null;
  admission.release();
}

/** A refusal: its headers go out with its 429. */
function refused(reply: FastifyReply, err: unknown): Promise<never> {
  if (err instanceof RateLimitError) reply.headers(err.headers);
  return Promise.reject(err as Error);
}

type Handler = (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;

/** Runs the route's handler, giving the reservation back once it has answered (or thrown). */
function handled(app: FastifyInstance, handler: Handler, req: FastifyRequest, reply: FastifyReply): unknown {
  let out: unknown;
  try {
    out = handler.call(app, req, reply);
  } catch (err) {
    releaseAdmission(req);
    throw err;
  }
  if (out instanceof Promise) {
    const release = () => releaseAdmission(req);
    out.then(release, release);
  } else releaseAdmission(req);
  return out;
}

/** Admits the call, running the handler at once when the limiter answers synchronously (cached limits, in-process counts). */
function admitCall(app: FastifyInstance, deps: Deps, call: ModelCall, handler: Handler, req: FastifyRequest, reply: FastifyReply): unknown {
  let admission: ReturnType<Deps['limits']['admit']>;
  try {
    admission = deps.limits.admit(call);
  } catch (err) {
    return refused(reply, err);
  }
  if (!(admission instanceof Promise)) {
    admitted(reply, admission);
    return handled(app, handler, req, reply);
  }
  return admission.then(
    (a) => {
      admitted(reply, a);
      return handled(app, handler, req, reply);
    },
    (err: unknown) => refused(reply, err),
  );
}

/**
 * The route's handler behind its limits: resolves its call (synchronously when the body names the model), admits it,
 * then runs the handler. A wrapper, not Fastify hooks: a route with a preHandler, onSend or onError hook pays for
 * Fastify's hook runners on every request, which cost more than the limiter itself.
 */
function limitedHandler(deps: Deps, resolve: Resolver, bodyModel: boolean, handler: Handler): Handler {
  return function limited(this: FastifyInstance, req, reply) {
    const body = req.body;
    if (typeof body !== 'object' || body === null || !req.caller.tenantId) return handler.call(this, req, reply);
    const model = (body as { model?: unknown }).model;
    if (bodyModel && typeof model === 'string' && !model.startsWith('asst_') && deps.limits.unlimited(req.caller.tenantId, model))
      return handler.call(this, req, reply);
    let call: ReturnType<Resolver>;
    try {
      call = resolve(deps, req, body as Record<string, unknown>);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (!(call instanceof Promise)) return call ? admitCall(this, deps, call, handler, req, reply) : handler.call(this, req, reply);
    return call.then((c) => (c ? admitCall(this, deps, c, handler, req, reply) : handler.call(this, req, reply)));
  };
}

/**
 * Rate limits on the model calls a request makes itself, or on the first call of the run it queues (the engine
 * counts a run's later calls): reserves before the handler runs, answers with OpenAI's `x-ratelimit-*` headers,
 * gives the token reservation back once the handler has answered (its usage is counted by then).
 */
export function rateLimitHook(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('admission', null);
  // Added to the limited routes alone, as each is declared (no route lookup per request): a call whose model the
  // body names and its project's cached limits do not cover passes at once; one they cover is counted synchronously
  // in this process (SQLite); only a read (limits to load, an assistant's or a run's model, a budget, PostgreSQL's
  // counters) makes it wait.
  app.addHook('onRoute', (route) => {
    const resolve = RATE_LIMITED_ROUTES.get(route.url);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!resolve || !methods.includes('POST')) return;
    route.handler = limitedHandler(deps, resolve, BODY_MODEL_ROUTES.has(route.url), route.handler as Handler) as typeof route.handler;
  });
}
