import type { FastifyReply } from 'fastify';
import { SSE_HEADERS, SseWriter } from '../streaming/sse.js';
import { requestCompleted } from './middleware/request-completed.js';

/**
 * The one way a route opens an SSE response: the reply is hijacked, 200 and the SSE headers go out
 * at once (with `openai-processing-ms`, as OpenAI sends it), and the writer takes over the socket.
 */
export function openSseReply(reply: FastifyReply): SseWriter {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { ...SSE_HEADERS, 'openai-processing-ms': String(Math.round(reply.elapsedTime)) });
  res.flushHeaders();
  return new SseWriter(res);
}

/** Ends the stream and writes the request's log line (a hijacked reply gets none from Fastify). */
export function closeSseReply(reply: FastifyReply, sse: SseWriter): void {
  sse.end();
  requestCompleted(reply.request, reply, { statusCode: 200, stream: true });
}
