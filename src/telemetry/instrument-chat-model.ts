import { collectStream, type ChatModel, type StreamPart } from '../providers/chat-model.js';
import { errorTypeOf } from './error-type.js';
import { metrics } from './metrics.js';
import { ModelCall } from './model-call.js';
import { tracing } from './tracing.js';

/** Reads the parts through, measuring: the first part is the first token, the finish part carries the usage. */
function observed(source: ReadableStream<StreamPart>, call: ModelCall): ReadableStream<StreamPart> {
  const reader = source.getReader();
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      let r: ReadableStreamReadResult<StreamPart>;
      try {
        r = await reader.read();
      } catch (err) {
        call.end({ error: errorTypeOf(err) });
        throw err;
      }
      if (r.done) {
        call.end();
        return controller.close();
      }
      const part = r.value;
      if (part.type === 'error') call.end({ error: errorTypeOf(part.error) });
      else if (part.type === 'finish') {
        const u = part.usage;
        call.end({ usage: u ? { input: u.promptTokens, output: u.completionTokens } : null });
      } else call.firstToken();
      controller.enqueue(part);
    },
    cancel(reason) {
      call.end({ error: 'cancelled' });
      return reader.cancel(reason);
    },
  });
}

/**
 * A ChatModel whose calls are measured (ModelCall): every path that talks to a model through one
 * (runs, Responses, local and native providers) gets its duration, first token and span. Returns the
 * model itself when neither metrics nor traces are on.
 */
export function instrumentChatModel(model: ChatModel): ChatModel {
  if (!metrics.enabled && !tracing.active) return model;
  const instrumented: ChatModel = {
    provider: model.provider,
    modelId: model.modelId,
    async stream(opts) {
      const call = new ModelCall({ provider: model.provider, model: model.modelId, requestId: opts.requestId });
      try {
        const { stream } = await model.stream(opts);
        return { stream: observed(stream, call) };
      } catch (err) {
        call.end({ error: errorTypeOf(err) });
        throw err;
      }
    },
    generate: async (opts) => collectStream((await instrumented.stream(opts)).stream),
  };
  return instrumented;
}
