import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { metrics } from '../../telemetry/metrics.js';
import { tracing, type Span } from '../../telemetry/tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's server span, when traces are on. */
    span: Span | undefined;
    /** Set once its `request completed` line is written (a hijacked SSE reply ends twice: writer, then onResponse). */
    completed: boolean;
  }
}

/** Log levels at which the `request completed` line (level info) is not written. */
const ABOVE_INFO = new Set(['warn', 'error', 'fatal', 'silent']);

/** The model a JSON body named, for the log line. */
function modelOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const model = (body as { model?: unknown }).model;
  return typeof model === 'string' ? model : undefined;
}

/**
 * The end of a request, whoever answered it (Fastify's onResponse, or an SSE stream closing a hijacked
 * reply): one `request completed` line (method, route pattern, status, ms, model, tenant), the HTTP
 * duration metric, and the request's span ended.
 */
export function requestCompleted(req: FastifyRequest, reply: FastifyReply, opts: { statusCode: number; stream?: boolean }): void {
  if (req.completed) return;
  req.completed = true;
  const route = req.routeUrl ?? req.routeOptions.url;
  const ms = reply.elapsedTime;
  // Fields left undefined are not written (pino drops them): one object per line, no spreads; none at all
  // below level info (the gateway's hot path at `warn`).
  if (!ABOVE_INFO.has(req.log.level))
    req.log.info(
      {
        method: req.method,
        route,
        url: route === undefined ? req.url.split('?', 1)[0] : undefined,
        statusCode: opts.statusCode,
        ms: Math.round(ms),
        model: modelOf(req.body),
        tenant: req.caller?.tenantId,
        stream: opts.stream,
      },
      'request completed',
    );
  metrics.httpRequest(req.method, route, opts.statusCode, ms);
  const span = req.span;
  if (!span) return;
  if (route !== undefined) span.updateName(`${req.method} ${route}`).setAttribute('http.route', route);
  span.setAttribute('http.response.status_code', opts.statusCode);
  if (opts.statusCode >= 500) tracing.failed(span, `HTTP ${opts.statusCode}`);
  span.end();
}

/**
 * Metrics and traces for every request. The span starts at onRequest (continuing a caller's
 * `traceparent`) and becomes the current span at preHandler: the body is parsed by then, and the
 * handler and everything it awaits run inside it (a context entered before the body is read would be
 * lost in the socket's events). Without traces, only the onResponse hook is added.
 */
export function telemetryHooks(app: FastifyInstance): void {
  app.decorateRequest('span', undefined);
  app.decorateRequest('completed', false);
  if (tracing.active) {
    app.addHook('onRequest', (req, _reply, done) => {
      req.span = tracing.startSpan(req.method, {
        kind: 'server',
        headers: req.headers,
        attributes: { 'http.request.method': req.method, 'switchboard.request_id': req.id },
      });
      done();
    });
    app.addHook('preHandler', (req, _reply, done) => tracing.withSpan(req.span, done));
  }
  app.addHook('onResponse', (req, reply, done) => {
    requestCompleted(req, reply, { statusCode: reply.statusCode });
    done();
  });
}
