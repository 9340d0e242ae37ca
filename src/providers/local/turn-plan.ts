import type { ChatHistoryItem, ChatModelFunctions, ChatWrapper, GbnfJsonSchema, LlamaGrammar, Token } from 'node-llama-cpp';
import { invalidRequest } from '../../errors.js';
import type { ChatCallOptions, ModelTool } from '../chat-model.js';
import { toChatHistory } from './convert-messages.js';
import { toGrammarSchema } from './json-schema.js';
import type { LoadedModel } from './local-model-host.js';

/**
 * Everything one generation needs, worked out before a sequence is taken: the history in
 * node-llama-cpp's shape, the functions offered (and whether a call is forced), the grammar of a
 * response_format, and the rendered prompt's tokens (for usage and the context-length check).
 */
export interface TurnPlan {
  history: ChatHistoryItem[];
  chatWrapper: ChatWrapper;
  functions: ChatModelFunctions | undefined;
  grammar: LlamaGrammar | undefined;
  promptTokens: Token[];
  /** Largest number of tokens to generate: the request's limit, or what is left of the context. */
  maxTokens: number;
}

/**
 * A chat wrapper that starts the answer with a function call: its context state tells LlamaChat to
 * inject the call prefix and go straight to the function-name grammar, so the model must produce a
 * valid call of one of the offered functions in its own call syntax.
 */
export function forcingFunctionCall(wrapper: ChatWrapper, nlc: LoadedModel['nlc']): ChatWrapper {
  const generateContextState: ChatWrapper['generateContextState'] = (options) => {
    const state = wrapper.generateContextState(options);
    return {
      contextText: state.contextText,
      stopGenerationTriggers: state.stopGenerationTriggers,
      noPrefixTrigger: { type: 'functionCall', inject: nlc.LlamaText(wrapper.settings.functions.call.prefix) },
    };
  };
  return new Proxy(wrapper, {
    get(target, prop) {
      if (prop === 'generateContextState') return generateContextState;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Tools → node-llama-cpp functions (exported for its test). Parameters without properties (and no additionalProperties) mean a call with `{}`. */
export function toFunctions(tools: readonly ModelTool[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const t of tools) {
    const p = t.function.parameters ?? {};
    const props = typeof p.properties === 'object' && p.properties !== null ? Object.keys(p.properties) : [];
    const takesParams = props.length > 0 || (p.additionalProperties !== undefined && p.additionalProperties !== false);
    const fn = {
      ...(t.function.description ? { description: t.function.description } : {}),
      ...(takesParams ? { params: toGrammarSchema({ type: 'object', ...p }) } : {}),
    };
    // The name is the client's: defined, never assigned, so `__proto__` is an entry and not the prototype.
    Object.defineProperty(functions, t.function.name, { value: fn, enumerable: true, writable: true, configurable: true });
  }
  return functions;
}

/** The functions offered, and whether the answer must be a call (tool_choice `required` or a named function). */
function offeredFunctions(call: ChatCallOptions): { functions: ChatModelFunctions | undefined; forced: boolean } {
  const tools = call.tools ?? [];
  const choice = call.toolChoice ?? 'auto';
  if (tools.length === 0 || choice === 'none') return { functions: undefined, forced: false };
  if (choice === 'auto') return { functions: toFunctions(tools), forced: false };
  if (choice === 'required') return { functions: toFunctions(tools), forced: true };
  const named = tools.filter((t) => t.function.name === choice.function.name);
  if (named.length === 0)
    throw invalidRequest(
      `Invalid value for 'tool_choice': function '${choice.function.name}' is not one of the tools.`,
      'tool_choice',
    );
  return { functions: toFunctions(named), forced: true };
}

async function responseGrammar(loaded: LoadedModel, format: unknown): Promise<LlamaGrammar | undefined> {
  if (typeof format !== 'object' || format === null) return undefined;
  const f = format as { type?: unknown; json_schema?: { schema?: unknown } };
  if (f.type === 'json_object') return loaded.llama.createGrammarForJsonSchema({ type: 'object', additionalProperties: true });
  if (f.type === 'json_schema') return loaded.llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(f.json_schema?.schema ?? {}));
  return undefined;
}

/** 400 context_length_exceeded, in OpenAI's words. */
const contextLengthExceeded = (limit: number, tokens: number) =>
  invalidRequest(
    `This model's maximum context length is ${limit} tokens. However, your messages resulted in ${tokens} tokens. ` +
      'Please reduce the length of the messages.',
    'messages',
    'context_length_exceeded',
  );

export async function planTurn(loaded: LoadedModel, call: ChatCallOptions): Promise<TurnPlan> {
  const history = toChatHistory(call.messages);
  let { functions, forced } = offeredFunctions(call);
  // node-llama-cpp takes either a grammar or functions. A forced call wins; otherwise the requested
  // response format is enforced and the tools are not offered on this turn.
  const grammar = forced ? undefined : await responseGrammar(loaded, call.responseFormat);
  if (grammar) functions = undefined;
  const rendered = loaded.chatWrapper.generateContextState({ chatHistory: history, availableFunctions: functions, documentFunctionParams: true });
  const promptTokens = rendered.contextText.tokenize(loaded.model.tokenizer);
  const room = loaded.contextSize - promptTokens.length;
  if (room < 1) throw contextLengthExceeded(loaded.contextSize, promptTokens.length);
  return {
    history,
    chatWrapper: forced && functions ? forcingFunctionCall(loaded.chatWrapper, loaded.nlc) : loaded.chatWrapper,
    functions,
    grammar,
    promptTokens,
    maxTokens: Math.min(call.maxTokens ?? room, room),
  };
}
