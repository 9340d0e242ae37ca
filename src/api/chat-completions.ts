import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { createChatCompletion } from '../services/chat-completions.service.js';
import type { ChatCompletionResult } from '../services/chat-completion-result.js';
import { chatWithAssistant } from '../services/assistant-chat.service.js';
import { closeSseReply, openSseReply } from './sse-reply.js';
import { validateAssistantChatRequest, validateChatCompletionRequest } from './schemas/chat-completions.schema.js';
import { ClientGone } from './client-signal.js';

/** Sends a chat result: JSON as is, or SSE frames straight to the socket with back-pressure. */
async function sendChatResult(reply: FastifyReply, result: ChatCompletionResult): Promise<unknown> {
  if (result.type === 'json') return reply.code(result.status).type('application/json').send(result.body);
  const sse = openSseReply(reply);
  try {
    for await (const frames of result.frames) {
      if (sse.closed) break;
      await sse.write(frames);
    }
  } finally {
    closeSseReply(reply, sse);
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
      // The AbortSignal is made only if something asks for it (a route through a ChatModel); the relay uses `gone`.
      const gone = new ClientGone(reply);
      const ctx = { caller: req.caller, requestId: req.id, gone, get signal() { return gone.signal; } };
      return sendChatResult(reply, await createChatCompletion(deps, ctx, body));
    });

    app.post<{ Params: { assistant_id: string } }>('/assistants/:assistant_id/chat', async (req, reply) => {
      const body = validateAssistantChatRequest(req.body);
      const ctx = { caller: req.caller, assistantId: req.params.assistant_id, apiBaseUrl: apiBaseUrl(req) };
      return sendChatResult(reply, await chatWithAssistant(deps, ctx, body));
    });
  };
}
