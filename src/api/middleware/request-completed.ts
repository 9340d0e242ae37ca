import type { Socket } from 'node:net';
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

/**
 * The status of a request whose client closed its connection before the answer was complete (HTTP has none: nothing
 * was answered): nginx's 499 "client closed request", which the logs and dashboards of servers behind nginx already know.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** The request a connection carries until its line is written: none while the connection idles between requests. */
const kInFlight = Symbol('switchboard.inFlight');
type TrackedSocket = Socket & { [kInFlight]?: FastifyReply | null };

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
 * reply), or its connection closing first (499): one `request completed` line (method, route pattern, status,
 * ms, model, tenant), the HTTP duration metric, and the request's span ended.
 */
export function requestCompleted(req: FastifyRequest, reply: FastifyReply, opts: { statusCode: number; stream?: boolean }): void {
  if (req.completed) return;
  req.completed = true;
  const socket: TrackedSocket = req.raw.socket;
  if (socket[kInFlight] === reply) socket[kInFlight] = null;
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
 * A connection closed under a request not yet answered: its client left (or, at the end of a shutdown's grace
 * period, the server cut it). Neither Fastify's onResponse (no 'finish') nor an error answer comes for that request,
 * so its line is written here, with the time until the connection closed. An SSE stream under way (the only hijacked
 * replies: sse-reply.ts) says `stream: true`.
 */
function onConnectionClose(this: TrackedSocket): void {
  const reply = this[kInFlight];
  if (!reply) return;
  this[kInFlight] = null;
  const stream = reply.sent && !reply.raw.writableEnded ? true : undefined;
  requestCompleted(reply.request, reply, { statusCode: CLIENT_CLOSED_REQUEST, stream });
}

const trackConnection = (socket: Socket): void => void socket.on('close', onConnectionClose);

/** The request is its connection's until its line is written (a pipelined one behind it is not tracked: clients do not pipeline). */
function carry(req: FastifyRequest, reply: FastifyReply): void {
  (req.raw.socket as TrackedSocket)[kInFlight] = reply;
}

/**
 * Metrics and traces for every request. The span starts at onRequest (continuing a caller's
 * `traceparent`) and becomes the current span at preHandler: the body is parsed by then, and the
 * handler and everything it awaits run inside it (a context entered before the body is read would be
 * lost in the socket's events). Without traces, only the request's connection is noted at onRequest.
 */
export function telemetryHooks(app: FastifyInstance): void {
  app.decorateRequest('span', undefined);
  app.decorateRequest('completed', false);
  // A client that leaves is noticed by its connection closing: one listener per connection (none per request) and a
  // pointer to the request the connection carries. Fastify's onRequestAbort would add a listener and a closure per
  // request, and runs only for a request whose body had not all arrived (IncomingMessage.aborted).
  app.server.on('connection', trackConnection);
  const traced = tracing.active;
  app.addHook('onRequest', (req, reply, done) => {
    carry(req, reply);
    if (traced)
      req.span = tracing.startSpan(req.method, {
        kind: 'server',
        headers: req.headers,
        attributes: { 'http.request.method': req.method, 'switchboard.request_id': req.id },
      });
    done();
  });
  if (traced) app.addHook('preHandler', (req, _reply, done) => tracing.withSpan(req.span, done));
  app.addHook('onResponse', (req, reply, done) => {
    requestCompleted(req, reply, { statusCode: reply.statusCode });
    done();
  });
}
