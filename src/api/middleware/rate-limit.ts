import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Admission, Deps } from '../../deps.js';
import { RateLimitError } from '../../services/rate-limit-error.js';
import { BODY_MODEL_ROUTES, RATE_LIMITED_ROUTES, type ModelCall } from './rate-limited-routes.js';

const setHeaders = (reply: FastifyReply, headers: Readonly<Record<string, string>>) => {
  for (const name in headers) reply.raw.setHeader(name, headers[name]!);
};

/** The admission's headers on the raw response (so a hijacked SSE reply sends them too); its release once the answer has gone. */
function admitted(reply: FastifyReply, admission: Admission | null): void {
  if (!admission) return;
  setHeaders(reply, admission.headers);
  // `on`, not `once` (no wrapper per request): a response closes once.
  reply.raw.on('close', admission.release);
}

/** A refusal's headers go out with its 429. */
function refused(reply: FastifyReply, err: unknown, done: HookHandlerDoneFunction): void {
  if (err instanceof RateLimitError) setHeaders(reply, err.headers);
  done(err as Error);
}

/** Admits the call, calling `done` at once when the limiter answers synchronously (cached limits, in-process counts). */
function admitCall(deps: Deps, call: { tenantId: string } & ModelCall, reply: FastifyReply, done: HookHandlerDoneFunction): void {
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

function admit(deps: Deps, req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const resolve = RATE_LIMITED_ROUTES.get(req.routeOptions.url ?? '');
  const body = req.body;
  const tenantId = req.caller.tenantId;
  if (!resolve || typeof body !== 'object' || body === null || !tenantId) return done();
  let call: ReturnType<typeof resolve>;
  try {
    call = resolve(deps, req, body as Record<string, unknown>);
  } catch (err) {
    return done(err as Error);
  }
  if (!(call instanceof Promise)) return call ? admitCall(deps, { tenantId, ...call }, reply, done) : done();
  call.then((c) => (c ? admitCall(deps, { tenantId, ...c }, reply, done) : done()), done);
}

/**
 * Rate limits on the model calls a request makes itself, or on the first call of the run it queues (the engine
 * counts a run's later calls): reserves before the handler runs, answers with OpenAI's `x-ratelimit-*` headers,
 * gives the token reservation back once the answer has gone (its usage is counted by then).
 */
export function rateLimitHook(app: FastifyInstance, deps: Deps): void {
  // A callback hook with no promise on the gateway path: a call whose model the body names and its project's cached
  // limits do not cover passes at once; one they cover is counted synchronously in this process (SQLite); only a
  // read (limits to load, an assistant's or a run's model, a budget, PostgreSQL's counters) makes it wait.
  app.addHook('preHandler', (req, reply, done) => {
    const route = req.routeOptions.url ?? '';
    if (req.method !== 'POST' || !RATE_LIMITED_ROUTES.has(route)) return done();
    const model = (req.body as { model?: unknown } | undefined)?.model;
    if (BODY_MODEL_ROUTES.has(route) && typeof model === 'string' && !model.startsWith('asst_') && deps.limits.unlimited(req.caller.tenantId, model)) {
      return done();
    }
    admit(deps, req, reply, done);
  });
}
