import { collectStream } from '../chat-model.js';
import type { ChatCallOptions, ChatModel, StreamPart } from '../chat-model.js';
import type { OpenAICompatibleClient } from '../openai-compatible/client.js';
import { ssePartStream } from '../sse-part-stream.js';
import { requestBody } from './convert-messages.js';
import { responseError } from './errors.js';
import { createEventDecoder } from './stream-decoder.js';

/** Anthropic's API version header; the Messages API shapes used here are those of this version. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** A ChatModel over Anthropic's Messages API (`POST /v1/messages`), always streaming. */
export function createAnthropicChatModel(opts: { client: OpenAICompatibleClient; modelId: string }): ChatModel {
  const { client, modelId } = opts;

  async function stream(call: ChatCallOptions): Promise<{ stream: ReadableStream<StreamPart> }> {
    const res = await client.request({
      path: '/v1/messages',
      body: JSON.stringify(requestBody(modelId, call)),
      signal: call.abortSignal,
      requestId: call.requestId,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text().catch(() => '');
      throw responseError({ provider: client.name, statusCode: res.statusCode, text });
    }
    return {
      stream: ssePartStream({
        provider: client.name,
        idleTimeoutMs: client.idleTimeoutMs,
        body: res.body,
        decoder: createEventDecoder(client.name),
        endMarker: 'message_stop',
        signal: call.abortSignal,
        onUsage: call.onUsage,
      }),
    };
  }

  return { provider: client.name, modelId, stream, generate: async (call) => collectStream((await stream(call)).stream) };
}
