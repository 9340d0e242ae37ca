import type { CompactedResponse, ResponseCompactionItem } from 'openai/resources/responses/responses';
import type { Caller, Deps } from '../deps.js';
import { loadCounter } from '../metering/count-tokens.js';
import type { ModelMessage, Usage } from '../providers/chat-model.js';
import { INPUT_IMAGE_URL, type ListedItem } from '../store/serialize-items.js';
import { toResponseUsage } from '../streaming/response-object.js';
import { storedMessage } from './conversation-items-append.js';
import { toConversationItems } from './conversation-items.service.js';
import type { CreateResponseRequest } from './responses-convert.js';
import { promptTokenCount, stagePrompt } from './responses-tokens.js';
import { checkModel } from './runs.service.js';
import { providerFailure } from './upstream-errors.js';

/** What the model is asked, after the conversation, to make the compaction item's summary. */
export const COMPACT_INSTRUCTION =
  'Summarise the conversation so far for your own later use: keep every fact, decision, name, number, open question ' +
  'and the state of any task, so that the conversation can continue from this summary alone. Answer with the summary only.';

/** The compacted response: the items (the user messages, then one compaction item) as the spec's CompactResource. */
export type CompactedResponseBody = Omit<CompactedResponse, 'output'> & { output: Array<ListedItem | ResponseCompactionItem> };

/**
 * POST /v1/responses/compact: the history the request names (input, previous_response_id or conversation, as a
 * response would read it; nothing is kept) is sent to the model with a summarising instruction; the answer is
 * every user message of that history, then one `compaction` item whose `encrypted_content` is the model's summary
 * (plain text: Switchboard has no key to seal it with). The call is metered as any model call.
 */
export async function compactResponse(deps: Deps, caller: Caller, request: CreateResponseRequest): Promise<CompactedResponseBody> {
  checkModel(deps, request.model);
  const staged = await stagePrompt(deps, caller, request);
  const users = staged.threadMessages.filter((m) => m.role === 'user').map(storedMessage);
  // Whole, image URLs included: the client sends these items back as the next request's input.
  const userItems = await toConversationItems(deps.store.db, caller.tenantId, users, [INPUT_IMAGE_URL]);
  const prompt = staged.messages;
  const messages: ModelMessage[] = [...prompt, { role: 'user', content: COMPACT_INSTRUCTION }];
  const model = deps.providers.chatModel(request.model);
  const result = await model.generate({ messages, requestId: deps.ids('req') }).catch((err: unknown) => {
    throw providerFailure(err);
  });
  const usage = result.usage ?? (await estimate(messages, result.text));
  deps.usage.record({
    tenantId: caller.tenantId,
    apiKeyId: caller.apiKeyId,
    model: request.model,
    upstreamModel: model.modelId,
    at: deps.clock.now(),
    inputTokens: usage.promptTokens,
    cachedTokens: usage.cachedTokens,
    outputTokens: usage.completionTokens,
    reasoningTokens: usage.reasoningTokens,
  });
  const compaction: ResponseCompactionItem = { id: deps.ids('cmp'), type: 'compaction', encrypted_content: result.text };
  return {
    id: deps.ids('resp'),
    object: 'response.compaction',
    created_at: Math.floor(deps.clock.now() / 1000),
    output: [...userItems, compaction],
    usage: toResponseUsage({
      input_tokens: usage.promptTokens,
      output_tokens: usage.completionTokens,
      cached_tokens: usage.cachedTokens,
      reasoning_tokens: usage.reasoningTokens,
    }),
  };
}

/** An upstream that reports no usage: the prompt and the summary counted with the project tokenizer. */
async function estimate(messages: ModelMessage[], text: string): Promise<Usage> {
  const promptTokens = await promptTokenCount({ messages, tools: [] });
  const completionTokens = (await loadCounter())(text);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, cachedTokens: 0, reasoningTokens: 0 };
}
