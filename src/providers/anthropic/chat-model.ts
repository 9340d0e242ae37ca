import { createParser } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import { collectStream } from '../chat-model.js';
import type { ChatCallOptions, ChatModel, StreamPart } from '../chat-model.js';
import type { OpenAICompatibleClient } from '../openai-compatible/client.js';
import { ProviderError, isTimeoutError } from '../provider-error.js';
import { requestBody } from './convert-messages.js';
import { responseError } from './errors.js';
import { createEventDecoder } from './stream-decoder.js';

type Body = Dispatcher.ResponseData['body'];

/** Why a body stopped delivering bytes, as the part that ends the stream. */
function brokeOff(opts: { provider: string; idleTimeoutMs: number; cause: unknown; signal?: AbortSignal }): Error {
  const { provider, cause, signal } = opts;
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error('The call was aborted.');
  if (isTimeoutError(cause))
    return new ProviderError({
      provider,
      kind: 'timeout',
      cause,
      message: `The upstream '${provider}' sent nothing for ${opts.idleTimeoutMs} ms mid-stream (idle_timeout_ms).`,
    });
  return new ProviderError({ provider, kind: 'stream', cause, message: `The upstream '${provider}' broke off the stream: ${(cause as Error)?.message ?? String(cause)}` });
}

function partStream(opts: {
  provider: string;
  idleTimeoutMs: number;
  body: Body;
  signal?: AbortSignal;
  onUsage?: ChatCallOptions['onUsage'];
}): ReadableStream<StreamPart> {
  const { provider, body, signal } = opts;
  const decoder = createEventDecoder(provider);
  const parser = createParser({ onEvent: (e) => decoder.event(e.data) });
  const text = new TextDecoder();
  const iterator: AsyncIterator<Uint8Array | string> = body[Symbol.asyncIterator]();
  const onAbort = () => body.destroy(signal?.reason instanceof Error ? signal.reason : undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const done = () => {
    signal?.removeEventListener('abort', onAbort);
    body.destroy();
  };

  return new ReadableStream<StreamPart>({
    async pull(controller) {
      try {
        while (decoder.state.parts.length === 0 && !decoder.state.ended) {
          const next = await iterator.next();
          if (!next.done) parser.feed(typeof next.value === 'string' ? next.value : text.decode(next.value, { stream: true }));
          else if (!decoder.state.ended) {
            parser.feed(text.decode());
            decoder.fail(new ProviderError({ provider, kind: 'stream', message: `The upstream '${provider}' ended the stream before message_stop.` }));
          }
        }
      } catch (cause) {
        decoder.fail(brokeOff({ ...opts, cause }));
      }
      for (const part of decoder.state.parts.splice(0)) {
        if (part.type === 'finish' && part.usage) opts.onUsage?.(part.usage);
        controller.enqueue(part);
      }
      if (!decoder.state.ended) return;
      done();
      controller.close();
    },
    cancel: done,
  });
}

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
      stream: partStream({ provider: client.name, idleTimeoutMs: client.idleTimeoutMs, body: res.body, signal: call.abortSignal, onUsage: call.onUsage }),
    };
  }

  return { provider: client.name, modelId, stream, generate: async (call) => collectStream((await stream(call)).stream) };
}
