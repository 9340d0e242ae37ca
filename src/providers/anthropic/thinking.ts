import type { ChatCallOptions, ModelMessage } from '../chat-model.js';

/**
 * OpenAI's `reasoning_effort` as Anthropic's extended thinking budget. Anthropic takes a token budget of at
 * least 1,024 and advises batch processing past 32k; the levels between follow the budgets CLIProxyAPI documents
 * (low 1,024 · medium 8,192 · high 24,576 · xhigh 32,768). `none` sends no thinking.
 */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
  max: 32768,
};

/** Anthropic's smallest thinking budget. */
const MIN_BUDGET = 1024;

export interface ThinkingSettings {
  thinking: { type: 'enabled'; budget_tokens: number };
  /** `max_tokens` counts the thinking: the answer's tokens on top of the budget unless the client capped both. */
  maxTokens: number;
}

/**
 * The thinking a call asks for, or none: no effort (or `none`), a forced tool (Anthropic refuses thinking with
 * `tool_choice` any/tool), a cap too small for the minimum budget, or a prompt that continues a tool-use turn
 * (Anthropic wants that turn's signed thinking block back, which Switchboard does not keep).
 */
export function thinkingFor(opts: ChatCallOptions, defaultMaxTokens: number): ThinkingSettings | undefined {
  const budget = opts.reasoningEffort ? THINKING_BUDGETS[opts.reasoningEffort] : undefined;
  if (budget === undefined) return undefined;
  const forced = opts.toolChoice === 'required' || typeof opts.toolChoice === 'object';
  if ((forced && opts.tools?.length) || continuesToolUse(opts.messages)) return undefined;
  if (opts.maxTokens == null) return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens: budget + defaultMaxTokens };
  if (opts.maxTokens <= MIN_BUDGET) return undefined;
  return { thinking: { type: 'enabled', budget_tokens: Math.min(budget, opts.maxTokens - 1) }, maxTokens: opts.maxTokens };
}

/** The prompt ends with tool results answering the last assistant turn's calls. */
function continuesToolUse(messages: readonly ModelMessage[]): boolean {
  let i = messages.length - 1;
  while (i >= 0 && messages[i]!.role === 'tool') i--;
  const last = messages[i];
  return i < messages.length - 1 && last?.role === 'assistant' && (last.tool_calls?.length ?? 0) > 0;
}
