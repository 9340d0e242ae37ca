import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import { invalidRequest } from '../../errors.js';
import type { ModelContentPart, ModelMessage } from '../chat-model.js';

function userText(content: string | ModelContentPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text') return part.text;
      throw invalidRequest('Image inputs are not supported by local models.', 'messages', 'unsupported_content');
    })
    .join('\n');
}

/** Arguments as the model wrote them: parsed when they are JSON, the raw string otherwise. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Chat Completions messages → node-llama-cpp's chat history. An assistant turn and the tool results
 * that answer its calls become one model response (node-llama-cpp keeps each call's result on the
 * call), so a text answer after tool results continues the same model turn. The history always ends
 * with a model response for the generation to fill: an empty one after a user or system message,
 * or the turn whose tool results just came back, which the model continues.
 */
export function toChatHistory(messages: readonly ModelMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  let turn: ChatModelResponse | undefined;
  const calls = new Map<string, ChatModelFunctionCall>();
  const openTurn = (): ChatModelResponse => {
    if (!turn) {
      turn = { type: 'model', response: [] };
      history.push(turn);
    }
    return turn;
  };

  for (const m of messages) {
    switch (m.role) {
      case 'system':
        turn = undefined;
        history.push({ type: 'system', text: m.content });
        break;
      case 'user':
        turn = undefined;
        history.push({ type: 'user', text: userText(m.content) });
        break;
      case 'assistant': {
        const t = openTurn();
        if (m.content) t.response.push(m.content);
        (m.tool_calls ?? []).forEach((tc, i) => {
          const call: ChatModelFunctionCall = {
            type: 'functionCall',
            name: tc.function.name,
            params: parseArguments(tc.function.arguments),
            result: '',
            startsNewChunk: i === 0,
          };
          calls.set(tc.id, call);
          t.response.push(call);
        });
        break;
      }
      case 'tool': {
        const call = calls.get(m.tool_call_id);
        if (call) call.result = m.content;
        else {
          // A result without its call: keep the information as a user turn.
          turn = undefined;
          history.push({ type: 'user', text: `Result of tool call ${m.tool_call_id}:\n${m.content}` });
        }
        break;
      }
    }
  }
  const last = history.at(-1);
  const lastPart = last?.type === 'model' ? last.response.at(-1) : undefined;
  if (typeof lastPart !== 'object' || lastPart.type !== 'functionCall') history.push({ type: 'model', response: [] });
  return history;
}
