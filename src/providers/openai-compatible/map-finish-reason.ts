import type { FinishReason } from '../chat-model.js';

/** An OpenAI `finish_reason` as a FinishReason; the legacy 'function_call' counts as 'tool_calls'. */
export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
