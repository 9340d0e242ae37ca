import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { createChatCompletion } from '../services/chat-completions.service.js';
import { SSE_HEADERS, SseWriter } from '../streaming/sse.js';
import { validateChatCompletionRequest } from './schemas/chat-completions.schema.js';
import { clientGone } from './client-signal.js';

export function chatCompletionsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post('/chat/completions', async (req, reply) => {
      const body = validateChatCompletionRequest(req.body);
      const signal = clientGone(reply);
      const result = await createChatCompletion(deps, { caller: req.caller, requestId: req.id, signal }, body);
      if (result.type === 'json') {
        return reply.code(result.status).type('application/json').send(result.body);
      }
      // Streams are written straight to the socket, frame by frame, with back-pressure.
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...SSE_HEADERS, 'openai-processing-ms': String(Math.round(reply.elapsedTime)) });
      res.flushHeaders();
      const sse = new SseWriter(res);
      try {
        for await (const frames of result.frames) {
          if (sse.closed) break;
          await sse.write(frames);
        }
      } finally {
        sse.end();
        req.log.info({ statusCode: 200, ms: Math.round(reply.elapsedTime), stream: true }, 'request completed');
      }
    });
  };
}
