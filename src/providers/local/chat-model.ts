import type {
  ChatModelFunctions,
  ChatWrapper,
  LLamaChatGenerateResponseOptions,
  LlamaChatResponse,
  LlamaChatResponseFunctionCall,
  LlamaContextSequence,
  LlamaTextInputValue,
} from 'node-llama-cpp';
import type { NodeLlamaCpp } from './runtime.js';
import { newId } from '../../ids.js';
import { collectStream } from '../chat-model.js';
import type { ChatCallOptions, ChatModel, FinishReason, StreamPart, Usage } from '../chat-model.js';
import type { LocalModelHost, ModelSession } from './local-model-host.js';
import { ToolCallStream } from './tool-call-stream.js';
import { planTurn, type TurnPlan } from './turn-plan.js';

/** OpenAI's sampling defaults (as vLLM's): temperature 1, top_p 1, no top-k or min-p truncation. */
const SAMPLING = { temperature: 1, topP: 1 };

export function mapStopReason(res: Pick<LlamaChatResponse<ChatModelFunctions>, 'metadata' | 'functionCalls'>): FinishReason {
  if ((res.functionCalls?.length ?? 0) > 0) return 'tool_calls';
  switch (res.metadata.stopReason) {
    case 'maxTokens':
      return 'length';
    case 'abort':
      return 'other';
    default:
      return 'stop';
  }
}

/**
 * A completed call's arguments as the model wrote them: its raw text (the wrapper's call syntax)
 * without the call prefix, name, params prefix and suffix. Falls back to the parsed params as JSON.
 */
export function callArguments(
  fc: LlamaChatResponseFunctionCall<ChatModelFunctions>,
  opts: { nlc: Pick<NodeLlamaCpp, 'LlamaText'>; chatWrapper: ChatWrapper },
): string {
  const canonical = fc.params === undefined ? '{}' : JSON.stringify(fc.params);
  const { call } = opts.chatWrapper.settings.functions;
  const text = (t: LlamaTextInputValue) => opts.nlc.LlamaText(t).toString().replaceAll('{{functionName}}', fc.functionName);
  const full = opts.nlc.LlamaText.fromJSON(fc.raw).toString();
  const head = text([call.prefix, fc.functionName, call.paramsPrefix]);
  const tail = text(call.suffix);
  if (!full.startsWith(head) || !full.endsWith(tail) || full.length < head.length + tail.length) return canonical;
  const raw = full.slice(head.length, full.length - tail.length).trim();
  try {
    return JSON.stringify(JSON.parse(raw)) === JSON.stringify(fc.params ?? {}) ? raw : canonical;
  } catch {
    return canonical;
  }
}

type CommonOptions = Pick<
  LLamaChatGenerateResponseOptions,
  'maxTokens' | 'temperature' | 'topP' | 'seed' | 'customStopTriggers' | 'repeatPenalty' | 'signal' | 'onTextChunk'
>;

function samplingOptions(call: ChatCallOptions, plan: TurnPlan): CommonOptions {
  const penalties = call.presencePenalty || call.frequencyPenalty;
  return {
    maxTokens: plan.maxTokens,
    temperature: call.temperature ?? SAMPLING.temperature,
    topP: call.topP ?? SAMPLING.topP,
    ...(call.seed != null ? { seed: call.seed } : {}),
    ...(call.stop?.length ? { customStopTriggers: call.stop } : {}),
    // OpenAI applies no repetition penalty unless asked; node-llama-cpp's default is 1.1.
    repeatPenalty: penalties
      ? { penalty: 1, presencePenalty: call.presencePenalty ?? 0, frequencyPenalty: call.frequencyPenalty ?? 0 }
      : false,
  };
}

/**
 * Runs one generation on a leased sequence, pushing StreamParts as node-llama-cpp produces them.
 * Cancelling the stream or aborting the call's signal stops generation; the sequence goes back to
 * the pool and the session ends whichever way generation ends.
 */
function generationStream(opts: {
  modelId: string;
  session: ModelSession;
  sequence: LlamaContextSequence;
  plan: TurnPlan;
  call: ChatCallOptions;
}): ReadableStream<StreamPart> {
  const { modelId, session, sequence, plan, call } = opts;
  const abort = new AbortController();
  const onCallerAbort = () => abort.abort(call.abortSignal?.reason);
  call.abortSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let controller!: ReadableStreamDefaultController<StreamPart>;
  let closed = false;
  const push = (part: StreamPart) => {
    if (!closed) controller.enqueue(part);
  };

  async function run(): Promise<void> {
    const chat = new session.loaded.nlc.LlamaChat({ contextSequence: sequence, chatWrapper: plan.chatWrapper, autoDisposeSequence: false });
    // The last prompt token is always evaluated again, for its logits.
    const cachedTokens = Math.min(sequence.compareContextTokens(plan.promptTokens).firstDifferentIndex, plan.promptTokens.length - 1);
    const meter = sequence.tokenMeter.getState();
    const usage = (): Usage => {
      const completionTokens = sequence.tokenMeter.diff(meter).usedOutputTokens;
      const promptTokens = plan.promptTokens.length;
      return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, cachedTokens, reasoningTokens: 0 };
    };
    const { nlc, chatWrapper } = session.loaded;
    const calls = new ToolCallStream({ newId: () => newId('call'), push, argumentsOf: (fc) => callArguments(fc, { nlc, chatWrapper }) });
    // Under a grammar the answer is JSON: a U+FFFD there is a byte sequence llama.cpp's grammar let
    // through but that does not decode (see runtime.ts), not text the model meant.
    const clean = plan.grammar ? (t: string) => t.replace(/\uFFFD/g, '') : (t: string) => t;
    try {
      const common: CommonOptions = {
        ...samplingOptions(call, plan),
        signal: abort.signal,
        onTextChunk: (chunk) => {
          const delta = clean(chunk);
          if (delta) push({ type: 'text-delta', delta });
        },
      };
      const res = plan.functions
        ? await chat.generateResponse(plan.history, {
            ...common,
            functions: plan.functions,
            documentFunctionParams: true,
            // A named tool_choice asks for that one call; after a call node-llama-cpp would otherwise keep
            // generating "between calls" until the template's section ends (or the context does).
            ...(call.parallelToolCalls === false || typeof call.toolChoice === 'object' ? { maxParallelFunctionCalls: 1 } : {}),
            onFunctionCallParamsChunk: (c) => calls.chunk(c),
          })
        : await chat.generateResponse(plan.history, { ...common, ...(plan.grammar ? { grammar: plan.grammar } : {}) });
      calls.finish(res.functionCalls ?? []);
      push({ type: 'finish', finishReason: mapStopReason(res), usage: usage() });
    } catch (err) {
      const error = abort.signal.aborted
        ? new Error('The generation was aborted.')
        : new Error(`The local model '${modelId}' failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      push({ type: 'error', error });
    } finally {
      call.onUsage?.(usage());
      chat.dispose({ disposeSequence: false });
      call.abortSignal?.removeEventListener('abort', onCallerAbort);
      session.close();
      if (!closed) {
        closed = true;
        controller.close();
      }
    }
  }

  return new ReadableStream<StreamPart>({
    start(c) {
      controller = c;
      void run();
    },
    cancel(reason) {
      closed = true;
      abort.abort(reason instanceof Error ? reason : new Error('The stream was cancelled.'));
    },
  });
}

/** A ChatModel over an in-process GGUF model. */
export function createLocalChatModel(host: LocalModelHost): ChatModel {
  const modelId = host.config.id;

  async function stream(call: ChatCallOptions): Promise<{ stream: ReadableStream<StreamPart> }> {
    call.abortSignal?.throwIfAborted();
    const session = await host.open();
    try {
      const plan = await planTurn(session.loaded, call);
      const sequence = await session.acquireSequence(plan.promptTokens, call.abortSignal);
      return { stream: generationStream({ modelId, session, sequence, plan, call }) };
    } catch (err) {
      session.close();
      throw err;
    }
  }

  return {
    provider: 'local',
    modelId,
    stream,
    generate: async (call) => collectStream((await stream(call)).stream),
  };
}
