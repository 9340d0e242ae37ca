import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ModelMessage } from '../chat-model.js';

/** ModelMessage[] → the Chat Completions `messages` array: the same shapes, copied field by field. */
export function convertMessages(messages: ModelMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return {
          role: 'user',
          content: typeof m.content === 'string' ? m.content : m.content.map((part) => ({ ...part })),
        };
      case 'assistant': {
        const toolCalls = m.tool_calls ?? [];
        if (toolCalls.length === 0) return { role: 'assistant', content: m.content ?? '' };
        return {
          role: 'assistant',
          content: m.content,
          tool_calls: toolCalls.map((tc) => ({
            id: tc.id,
            type: 'function' as const,
            function: { name: tc.function.name, arguments: tc.function.arguments },
          })),
        };
      }
      case 'tool':
        return { role: 'tool', tool_call_id: m.tool_call_id, content: m.content };
    }
  });
}
