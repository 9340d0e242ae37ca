import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import type { AssistantToolChoiceOption } from 'openai/resources/beta/threads/threads';
import type { CreateThreadAndRunParams } from './runs.service.js';
import type { OrNull } from './request-params.js';

/** The Chat Completions settings the one-call assistant chat hands to its run. */
export type ChatRunSettings = OrNull<
  Pick<
    ChatCompletionCreateParamsBase,
    'temperature' | 'top_p' | 'max_tokens' | 'max_completion_tokens' | 'response_format' | 'tool_choice' | 'parallel_tool_calls'
  >
>;

type RunOverrides = Pick<
  CreateThreadAndRunParams,
  'temperature' | 'top_p' | 'max_completion_tokens' | 'response_format' | 'tool_choice' | 'parallel_tool_calls'
>;

/** A chat tool_choice as a run's: the same strings and named function; the chat-only forms have no run equivalent. */
function runToolChoice(choice: ChatRunSettings['tool_choice']): AssistantToolChoiceOption | undefined {
  if (choice === null || choice === undefined) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function') return { type: 'function', function: { name: choice.function.name } };
  return undefined;
}

/**
 * A chat request's settings as the overrides of the run that answers it (what a client such as the AI SDK's
 * generateObject or LangChain's withStructuredOutput counts on): sampling, the output budget, response_format and
 * tool_choice. Left out, the assistant's own defaults apply. The shapes are the same in both APIs.
 */
export function runOverridesOf(body: ChatRunSettings): RunOverrides {
  const overrides: RunOverrides = {};
  if (body.temperature != null) overrides.temperature = body.temperature;
  if (body.top_p != null) overrides.top_p = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) overrides.max_completion_tokens = maxTokens;
  if (body.response_format != null) overrides.response_format = body.response_format;
  const toolChoice = runToolChoice(body.tool_choice);
  if (toolChoice !== undefined) overrides.tool_choice = toolChoice;
  if (body.parallel_tool_calls != null) overrides.parallel_tool_calls = body.parallel_tool_calls;
  return overrides;
}
