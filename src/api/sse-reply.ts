import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeader } from 'node:http';
import { SSE_HEADERS, SseWriter } from '../streaming/sse.js';
import { releaseAdmission } from './middleware/rate-limit.js';
import { requestCompleted } from './middleware/request-completed.js';

const flushIfIdle = (sse: SseWriter): void => sse.flushHeadersIfIdle();

/**
 * The one way a route opens an SSE response: the reply is hijacked, 200, the headers hooks set on the reply
 * (x-request-id, x-ratelimit-*) and the SSE headers (with `openai-processing-ms`, as OpenAI sends it) are set, and the writer takes over the socket. The head leaves
 * with the first frames when they come in this turn of the event loop (a relayed stream that arrived whole
 * is then one socket write instead of two), else on its own right after it.
 */
export function openSseReply(reply: FastifyReply): SseWriter {
  reply.hijack();
  const res = reply.raw;
  const head: Record<string, OutgoingHttpHeader | undefined> = { ...reply.getHeaders(), ...SSE_HEADERS, 'openai-processing-ms': String(Math.round(reply.elapsedTime)) };
  res.writeHead(200, head);
  const sse = new SseWriter(res);
  setImmediate(flushIfIdle, sse);
  return sse;
}

/**
 * Ends the stream, gives its rate limit reservation back (a hijacked reply has no onSend) and writes the request's
 * log line (a hijacked reply gets none from Fastify).
 */
export function closeSseReply(reply: FastifyReply, sse: SseWriter): void {
  sse.end();
  releaseAdmission(reply.request);
  requestCompleted(reply.request, reply, { statusCode: 200, stream: true });
}
