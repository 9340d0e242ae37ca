import type { ChatCallOptions, ModelContentPart, ModelMessage, ModelTool, ModelToolChoice } from '../chat-model.js';
import { thinkingFor, type ThinkingSettings } from './thinking.js';

/** Anthropic Messages API request shapes (only what Switchboard sends). */
export type AnthropicImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: AnthropicImageSource }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicContentBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export type AnthropicToolChoice =
  | { type: 'auto' | 'any' | 'none'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean };

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  thinking?: ThinkingSettings['thinking'];
  stream: true;
}

/** Anthropic requires `max_tokens`; this is sent when the client gives none. */
export const DEFAULT_MAX_TOKENS = 4096;

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imageBlock(url: string): AnthropicContentBlock {
  const m = DATA_URL.exec(url);
  return m ? { type: 'image', source: { type: 'base64', media_type: m[1]!, data: m[2]! } } : { type: 'image', source: { type: 'url', url } };
}

/** Empty text blocks are left out: Anthropic refuses them. */
function userBlocks(content: string | ModelContentPart[]): AnthropicContentBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.flatMap((p): AnthropicContentBlock[] =>
    p.type === 'image_url' ? [imageBlock(p.image_url.url)] : p.text ? [{ type: 'text', text: p.text }] : [],
  );
}

/** Arguments as the model wrote them; a call whose arguments are not a JSON object replays as `{}`. */
function parseInput(args: string): unknown {
  try {
    const v: unknown = JSON.parse(args);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

function assistantBlocks(m: Extract<ModelMessage, { role: 'assistant' }>): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = m.content ? [{ type: 'text', text: m.content }] : [];
  for (const c of m.tool_calls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.function.name, input: parseInput(c.function.arguments) });
  return blocks;
}

/**
 * ModelMessage[] → Anthropic's `system` and `messages`: system messages join into the top-level
 * `system`; tool results become `tool_result` blocks of a user turn; consecutive turns of one role
 * merge into one (Anthropic wants user and assistant turns to alternate).
 */
export function convertMessages(messages: ModelMessage[]): { system?: string; messages: AnthropicMessage[] } {
  const system: string[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage['role'], content: AnthropicContentBlock[]) => {
    if (content.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...content);
    else out.push({ role, content });
  };
  for (const m of messages) {
    if (m.role === 'system') system.push(m.content);
    else if (m.role === 'user') push('user', userBlocks(m.content));
    else if (m.role === 'assistant') push('assistant', assistantBlocks(m));
    else push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: m.content }]);
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages: out };
}

export function convertTools(tools: ModelTool[]): AnthropicTool[] {
  return tools.map((t) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    input_schema: t.function.parameters ?? { type: 'object', properties: {} },
  }));
}

export function convertToolChoice(choice: ModelToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...noParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...noParallel };
  if (choice === 'required') return { type: 'any', ...noParallel };
  return { type: 'tool', name: choice.function.name, ...noParallel };
}

/** ChatCallOptions → the Messages API body, always streamed; `reasoningEffort` as extended thinking (thinking.ts). */
export function requestBody(modelId: string, opts: ChatCallOptions): AnthropicRequest {
  const body: AnthropicRequest = {
    model: modelId,
    max_tokens: opts.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...convertMessages(opts.messages),
    stream: true,
  };
  if (opts.tools && opts.tools.length > 0) {
    body.tools = convertTools(opts.tools);
    const choice = convertToolChoice(opts.toolChoice, opts.parallelToolCalls);
    if (choice) body.tool_choice = choice;
  }
  if (opts.stop && opts.stop.length > 0) body.stop_sequences = opts.stop;
  const thinking = thinkingFor(opts, DEFAULT_MAX_TOKENS);
  if (thinking) {
    // Anthropic refuses a temperature or top_p other than its own with thinking on: they are left out.
    body.thinking = thinking.thinking;
    body.max_tokens = thinking.maxTokens;
    return body;
  }
  if (opts.temperature != null) body.temperature = opts.temperature;
  if (opts.topP != null) body.top_p = opts.topP;
  return body;
}
