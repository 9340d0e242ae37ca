import type { Usage } from '../providers/chat-model.js';
import type { StepUsage } from './run-writer.js';

/** A model call's usage as a step's (and, summed, a run's): the three counts and the cached and reasoning details. */
export const toStepUsage = (u: Usage | null): StepUsage | null =>
  u
    ? {
        prompt_tokens: u.promptTokens,
        completion_tokens: u.completionTokens,
        total_tokens: u.totalTokens,
        prompt_tokens_details: { cached_tokens: u.cachedTokens },
        completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
      }
    : null;

/** The run's tokens so far and a turn's, summed (details included: usage stored before them counts none). */
export function addUsage(a: StepUsage | null, b: StepUsage | null): StepUsage | null {
  if (!a) return b;
  if (!b) return a;
  const cached = (u: StepUsage) => u.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = (u: StepUsage) => u.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    prompt_tokens_details: { cached_tokens: cached(a) + cached(b) },
    completion_tokens_details: { reasoning_tokens: reasoning(a) + reasoning(b) },
  };
}
