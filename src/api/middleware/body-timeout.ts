import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, toErrorBody } from '../../errors.js';

const expectsBody = (h: IncomingHttpHeaders) =>
  h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');

const timedOut = (ms: number) =>
  new ApiError({
    status: 408,
    type: 'invalid_request_error',
    code: 'request_timeout',
    message: `The request body stopped arriving: nothing came for ${ms / 1000} seconds.`,
  });

/** Answers 408 if a response can still be written, and closes the connection either way. */
function dropRequest(req: FastifyRequest, reply: FastifyReply, ms: number): void {
  req.log.info({ status: 408, ms }, 'request body stopped arriving');
  const res = reply.raw;
  const socket = req.raw.socket;
  if (res.headersSent || res.writableEnded) {
    socket.destroy();
    return;
  }
  // `connection: close` makes Node close the socket once the answer is written; the route still waiting for
  // the body then sees the request aborted, with nobody left to answer.
  res.once('finish', () => socket.destroy());
  const body = JSON.stringify(toErrorBody(timedOut(ms)));
  res.writeHead(408, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    'x-request-id': req.id,
  });
  res.end(body);
}

/**
 * Watches a body until it has fully arrived: the socket's byte count is looked at every `ms`, and when nothing came
 * in between (and the server was not the one holding back: unread data, a paused stream) the request is dropped,
 * so between `ms` and 2·`ms` after the last byte. A slow body that keeps coming is never cut.
 */
function watchBody(req: FastifyRequest, reply: FastifyReply, ms: number): void {
  const raw = req.raw;
  const socket = raw.socket;
  let seen = socket.bytesRead;
  const timer = setTimeout(() => {
    // Also after an early answer (401, 404…): Node keeps the connection to read the rest of the body.
    if (raw.complete || socket.destroyed) return;
    const progressed = socket.bytesRead !== seen || raw.readableLength > 0 || raw.isPaused();
    seen = socket.bytesRead;
    if (progressed) timer.refresh();
    else dropRequest(req, reply, ms);
  }, ms);
  timer.unref();
  raw.once('end', () => clearTimeout(timer));
}

/**
 * A request body that stops arriving is dropped after `ms` without a byte (Fastify's own requestTimeout is off,
 * and a total deadline would cut large uploads on slow links): before this, such sockets were held for minutes.
 */
export function bodyTimeoutHook(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (!req.raw.complete && expectsBody(req.headers)) watchBody(req, reply, ms);
    done();
  });
}
