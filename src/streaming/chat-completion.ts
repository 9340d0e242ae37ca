import type { ChatCompletion, ChatCompletionMessage, ChatCompletionMessageFunctionToolCall } from 'openai/resources/chat/completions';
import type { FinishReason, GeneratedToolCall, Usage } from '../providers/chat-model.js';
import { toCompletionUsage, toWireFinishReason } from './chat-chunks.js';

/**
 * The one chat.completion builder: every answer Switchboard composes (ChatModel routes, the one-call
 * assistant chat) becomes a chat.completion here, in OpenAI's shape: `refusal: null`, `annotations`
 * always present, `content: null` beside tool calls when the model wrote no text. Pure: no I/O.
 */

/** One choice's answer once the model is done. A GenerateResult is one. */
export interface ChatAnswer {
  text: string;
  annotations?: ChatCompletionMessage.Annotation[];
  toolCalls?: GeneratedToolCall[];
  finishReason: FinishReason;
}

export function toChatMessage(answer: ChatAnswer): ChatCompletionMessage {
  const annotations = answer.annotations ?? [];
  const toolCalls = (answer.toolCalls ?? []).map(
    (c): ChatCompletionMessageFunctionToolCall => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }),
  );
  return toolCalls.length
    ? { role: 'assistant', content: answer.text || null, refusal: null, annotations, tool_calls: toolCalls }
    : { role: 'assistant', content: answer.text, refusal: null, annotations };
}

/** A chat.completion with one choice per answer, in order; `usage` is left out when none is known. */
export function buildChatCompletion(opts: {
  id: string;
  created: number;
  model: string;
  answers: ChatAnswer[];
  usage: Usage | null;
}): ChatCompletion {
  return {
    id: opts.id,
    object: 'chat.completion',
    created: opts.created,
    model: opts.model,
    choices: opts.answers.map((answer, index) => ({
      index,
      message: toChatMessage(answer),
      logprobs: null,
      finish_reason: toWireFinishReason(answer.finishReason),
    })),
    ...(opts.usage ? { usage: toCompletionUsage(opts.usage) } : {}),
  };
}
