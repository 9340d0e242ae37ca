import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { createChatCompletion, type ChatCompletionResult } from '../services/chat-completions.service.js';
import { chatWithAssistant } from '../services/assistant-chat.service.js';
import { SSE_HEADERS, SseWriter } from '../streaming/sse.js';
import { validateAssistantChatRequest, validateChatCompletionRequest } from './schemas/chat-completions.schema.js';
import { clientGone } from './client-signal.js';

/** Sends a chat result: JSON as is, or SSE frames straight to the socket with back-pressure. */
async function sendChatResult(reply: FastifyReply, result: ChatCompletionResult): Promise<unknown> {
  if (result.type === 'json') return reply.code(result.status).type('application/json').send(result.body);
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
    reply.log.info({ statusCode: 200, ms: Math.round(reply.elapsedTime), stream: true }, 'request completed');
  }
}

/** Where the caller reaches the API, as it addressed it: `http://host:port/v1`. */
const apiBaseUrl = (req: FastifyRequest): string => `${req.protocol}://${req.host}/v1`;

export function chatCompletionsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post('/chat/completions', async (req, reply) => {
      const body = validateChatCompletionRequest(req.body);
      // `"model": "asst_…"` talks to an assistant, for any Chat Completions client.
      if (body.model.startsWith('asst_'))
        return sendChatResult(reply, await chatWithAssistant(deps, { caller: req.caller, assistantId: body.model, apiBaseUrl: apiBaseUrl(req) }, body));
      const signal = clientGone(reply);
      return sendChatResult(reply, await createChatCompletion(deps, { caller: req.caller, requestId: req.id, signal }, body));
    });

    app.post<{ Params: { assistant_id: string } }>('/assistants/:assistant_id/chat', async (req, reply) => {
      const body = validateAssistantChatRequest(req.body);
      const ctx = { caller: req.caller, assistantId: req.params.assistant_id, apiBaseUrl: apiBaseUrl(req) };
      return sendChatResult(reply, await chatWithAssistant(deps, ctx, body));
    });
  };
}
