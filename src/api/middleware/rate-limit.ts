import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onErrorHookHandler,
  onSendHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import type { Admission, Deps } from '../../deps.js';
import { RateLimitError } from '../../services/rate-limit-error.js';
import { BODY_MODEL_SIZES, RATE_LIMITED_ROUTES, type ModelCall, type Resolver, type Size } from './rate-limited-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The model call this request was let through with, until its token reservation is given back. */
    admission: Admission | null;
  }
}

/**
 * The admission's headers on the reply, each set by its name (Fastify hands them to Node in one object at
 * writeHead; a hijacked SSE reply writes them itself: sse-reply.ts), and the admission kept on the request for its
 * release.
 */
function admitted(reply: FastifyReply, admission: Admission | null): void {
  if (!admission) return;
  admission.writeHeaders(reply);
  reply.request.admission = admission;
}

/**
 * Gives the request's token reservation back, once, when its answer goes: from the limited route's onSend (every
 * reply Fastify sends, even to a client already gone, which Fastify's onResponse never hears of), its onError (an
 * error, answered or not: error-handler.ts answers nobody once the client is gone) or closeSseReply (a hijacked
 * stream, however it ends). No listener per response: these run once per request anyway.
 */
export function releaseAdmission(req: FastifyRequest): void {
  const admission = req.admission;
  if (admission === null) return;
  req.admission = null;
  admission.release();
}

const releaseOnSend: onSendHookHandler = (req, _reply, payload, done) => {
  releaseAdmission(req);
  done(null, payload);
};
const releaseOnError: onErrorHookHandler = (req, _reply, _error, done) => {
  releaseAdmission(req);
  done();
};

/** A refusal's headers go out with its 429. */
function refused(reply: FastifyReply, err: unknown, done: HookHandlerDoneFunction): void {
  if (err instanceof RateLimitError) reply.headers(err.headers);
  done(err as Error);
}

/** Admits the call, calling `done` at once when the limiter answers synchronously (cached limits, in-process counts). */
function admitCall(deps: Deps, call: ModelCall, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  let admission: ReturnType<Deps['limits']['admit']>;
  try {
    admission = deps.limits.admit(call);
  } catch (err) {
    return refused(reply, err, done);
  }
  if (!(admission instanceof Promise)) {
    admitted(reply, admission);
    return done();
  }
  admission.then(
    (a) => {
      admitted(reply, a);
      done();
    },
    (err: unknown) => refused(reply, err, done),
  );
}

/**
 * The route's hook. A route whose body names the model (`size` given) is answered from the body in one step when the
 * limiter can without waiting (cached limits, in-process counts): no call object, no promise. Otherwise it resolves
 * its call (a read for an assistant's or a run's model) and admits it.
 */
function routeHook(deps: Deps, resolve: Resolver, size: Size | undefined): preHandlerHookHandler {
  return (req, reply, done) => {
    const body = req.body;
    const tenantId = req.caller.tenantId;
    if (typeof body !== 'object' || body === null || !tenantId) return done();
    const model = (body as { model?: unknown }).model;
    if (size && typeof model === 'string' && !model.startsWith('asst_')) {
      let answer: Admission | null | undefined;
      try {
        answer = deps.limits.admitNow(tenantId, model, size, body as Record<string, unknown>);
      } catch (err) {
        return refused(reply, err, done);
      }
      if (answer !== undefined) {
        admitted(reply, answer);
        return done();
      }
    }
    let call: ReturnType<Resolver>;
    try {
      call = resolve(deps, req, body as Record<string, unknown>);
    } catch (err) {
      return done(err as Error);
    }
    if (!(call instanceof Promise)) return call ? admitCall(deps, call, reply, done) : done();
    call.then((c) => (c ? admitCall(deps, c, reply, done) : done()), done);
  };
}

/** The route's hooks of one kind, with `hook` added last. */
const withHook = <H>(hooks: H | H[] | undefined, hook: H): H[] => (hooks === undefined ? [hook] : Array.isArray(hooks) ? [...hooks, hook] : [hooks, hook]);

/**
 * Rate limits on the model calls a request makes itself, or on the first call of the run it queues (the engine
 * counts a run's later calls): reserves before the handler runs, answers with OpenAI's `x-ratelimit-*` headers,
 * gives the token reservation back once the answer has gone (its usage is counted by then).
 */
export function rateLimitHook(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('admission', null);
  // A callback hook with no promise on the gateway path, on the limited routes alone (added as each is declared: no
  // route lookup per request, and no `req.routeOptions`, which Fastify builds afresh at each read): a call whose
  // model the body names is answered from its project's cached limits at once, passed when they do not cover the
  // model, counted synchronously in this process (SQLite) when they do; only a read (limits to load, an assistant's
  // or a run's model, a budget, PostgreSQL's counters) makes it wait.
  app.addHook('onRoute', (route) => {
    const resolve = RATE_LIMITED_ROUTES.get(route.url);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!resolve || !methods.includes('POST')) return;
    route.preHandler = withHook(route.preHandler, routeHook(deps, resolve, BODY_MODEL_SIZES.get(route.url)));
    route.onSend = withHook(route.onSend, releaseOnSend);
    route.onError = withHook(route.onError, releaseOnError);
  });
}
