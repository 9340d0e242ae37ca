import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomToken } from '../../ids.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: the caller's `x-request-id` when it is sane, else a fresh `req_…`. */
export function genRequestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : `req_${randomToken(20)}`;
}

/**
 * Echoes the request id on every response (the SDK reads it into `err.requestID`) and reports
 * `openai-processing-ms` (the `request completed` line: request-completed.ts). Headers go through Fastify's
 * reply (none on the raw response, so Node takes them as one object at writeHead); an SSE reply writes them too (sse-reply.ts).
 */
export function requestIdHook(app: FastifyInstance): void {
  // Callback-style hooks: on the hot path they cost less than async ones (no promise per hook).
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('openai-processing-ms', Math.round(reply.elapsedTime));
    done(null, payload);
  });
}
