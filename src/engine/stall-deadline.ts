import { collectStream, type ChatCallOptions, type ChatModel, type StreamPart } from '../providers/chat-model.js';
import { ProviderError } from '../providers/provider-error.js';

/**
 * A run's model, with a deadline on silence: once the model has answered (its stream is open), the
 * first part and every next part must arrive within `ms`, or the call is torn down and the stream
 * ends with a `timeout` error part (the run fails with it). The wait for the answer itself (an
 * upstream's response headers, a local model's free sequence) is the provider's to bound.
 */
export function withStallDeadline(model: ChatModel, opts: { ms: number }): ChatModel {
  const stalled = () =>
    new ProviderError({
      provider: model.provider,
      kind: 'timeout',
      message: `The model '${model.modelId}' (provider '${model.provider}') sent nothing for ${formatMs(opts.ms)}; the run stopped waiting (runs.stall_timeout_ms).`,
    });

  async function stream(call: ChatCallOptions): Promise<{ stream: ReadableStream<StreamPart> }> {
    // The call's signal is forwarded to the watchdog's (not AbortSignal.any: two more signals, listeners and weak
    // references per model call, measurable on a short response), and no longer listened to once the stream ends.
    const watchdog = new AbortController();
    const outer = call.abortSignal;
    const forward = () => watchdog.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    const unlisten = () => outer?.removeEventListener('abort', forward);
    let inner: ReadableStreamDefaultReader<StreamPart>;
    try {
      inner = (await model.stream({ ...call, abortSignal: watchdog.signal })).stream.getReader();
    } catch (err) {
      unlisten();
      throw err;
    }
    // A timer for each wait for a part (no promise and no race per part), cleared as soon as the part comes: it counts
    // only while the run waits, and tears the call down when it fires. None is left between parts, so a stream its
    // reader drops keeps nothing alive.
    let silence: ProviderError | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onSilence = () => {
      silence = stalled();
      watchdog.abort(silence);
      void inner.cancel(silence).catch(() => undefined);
    };
    const end = (controller: ReadableStreamDefaultController<StreamPart>, err?: unknown) => {
      clearTimeout(timer);
      unlisten();
      if (err !== undefined) {
        watchdog.abort(err);
        void inner.cancel(err).catch(() => undefined);
        controller.enqueue({ type: 'error', error: err instanceof Error ? err : new Error(String(err)) });
      }
      controller.close();
    };
    const parts = new ReadableStream<StreamPart>(
      {
        async pull(controller) {
          timer = setTimeout(onSilence, opts.ms);
          try {
            const next = await inner.read();
            clearTimeout(timer);
            if (silence) end(controller, silence);
            else if (next.done) end(controller);
            else controller.enqueue(next.value);
          } catch (err) {
            end(controller, silence ?? err);
          }
        },
        cancel(reason) {
          clearTimeout(timer);
          unlisten();
          return inner.cancel(reason);
        },
      },
      // Pull only when the run asks for the next part: time it spends writing a part is not silence.
      { highWaterMark: 0 },
    );
    return { stream: parts };
  }

  return {
    provider: model.provider,
    modelId: model.modelId,
    stream,
    generate: async (call) => collectStream((await stream(call)).stream),
  };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
