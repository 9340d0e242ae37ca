import { createParser } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import type { ChatCallOptions, StreamPart } from './chat-model.js';
import { ProviderError, isTimeoutError } from './provider-error.js';

type Body = Dispatcher.ResponseData['body'];

/** A provider's decoder of its SSE events into StreamParts (queued in `state.parts`). */
export interface PartDecoder {
  readonly state: {
    parts: StreamPart[];
    /** Set by the event that ends the answer, by an error event, or by fail(). */
    ended: boolean;
    /** The answer ended as the protocol says (`[DONE]`, `message_stop`): the body's rest may be drained. */
    complete: boolean;
  };
  /** One SSE event's data. */
  event(data: string): void;
  /** Ends the stream with an error part (once). */
  fail(error: Error): void;
}

export interface PartStreamOptions {
  provider: string;
  idleTimeoutMs: number;
  body: Body;
  decoder: PartDecoder;
  /** What a body that ends too early ended before: "it was complete (no [DONE])", "message_stop". */
  endMarker: string;
  signal?: AbortSignal;
  onUsage?: ChatCallOptions['onUsage'];
}

/** Why a body stopped delivering bytes, as the error that ends the stream. */
function brokeOff(opts: PartStreamOptions, cause: unknown): Error {
  const { provider, signal } = opts;
  // The engine aborts with a word ('cancel', 'lease_lost'…): an AbortError, counted as `cancelled` (telemetry/error-type.ts).
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new DOMException('The call was aborted.', 'AbortError');
  if (isTimeoutError(cause))
    return new ProviderError({
      provider,
      kind: 'timeout',
      cause,
      message: `The upstream '${provider}' sent nothing for ${opts.idleTimeoutMs} ms mid-stream (idle_timeout_ms).`,
    });
  return new ProviderError({ provider, kind: 'stream', cause, message: `The upstream '${provider}' broke off the stream: ${(cause as Error)?.message ?? String(cause)}` });
}

/** Reads what is left of a finished body so its connection can be reused. */
function drain(iterator: AsyncIterator<unknown>): void {
  void (async () => {
    try {
      while (!(await iterator.next()).done);
    } catch {
      // The connection is gone either way.
    }
  })();
}

/**
 * The one pump from an upstream's SSE body to a ChatModel's stream, for every provider that speaks
 * SSE: bytes → eventsource-parser → the provider's decoder → StreamParts, pulled as the consumer
 * reads (back-pressure), with aborts, idle timeouts, a body that breaks or ends early, and the
 * body's release (drained for reuse after a complete answer, destroyed otherwise) handled once.
 */
export function ssePartStream(opts: PartStreamOptions): ReadableStream<StreamPart> {
  const { body, signal, decoder } = opts;
  const { state } = decoder;
  const parser = createParser({ onEvent: (e) => decoder.event(e.data) });
  const text = new TextDecoder();
  const iterator: AsyncIterator<Uint8Array | string> = body[Symbol.asyncIterator]();
  let closed = false;
  const onAbort = () => body.destroy(signal?.reason instanceof Error ? signal.reason : undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const finish = () => {
    closed = true;
    signal?.removeEventListener('abort', onAbort);
  };

  return new ReadableStream<StreamPart>({
    async pull(controller) {
      try {
        while (state.parts.length === 0 && !state.ended) {
          const next = await iterator.next();
          if (!next.done) parser.feed(typeof next.value === 'string' ? next.value : text.decode(next.value, { stream: true }));
          else {
            parser.feed(text.decode());
            const message = `The upstream '${opts.provider}' ended the stream before ${opts.endMarker}.`;
            if (!state.ended) decoder.fail(new ProviderError({ provider: opts.provider, kind: 'stream', message }));
          }
        }
      } catch (cause) {
        decoder.fail(brokeOff(opts, cause));
      }
      if (closed) return;
      for (const part of state.parts.splice(0)) {
        if (part.type === 'finish' && part.usage) opts.onUsage?.(part.usage);
        controller.enqueue(part);
      }
      if (!state.ended) return;
      finish();
      controller.close();
      if (state.complete) drain(iterator);
      else body.destroy();
    },
    cancel() {
      finish();
      body.destroy();
    },
  });
}
