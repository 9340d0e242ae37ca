import { invalidRequest } from '../errors.js';
import type { ChatCallOptions, ModelContentPart, ModelMessage, ModelTool, ModelToolCall, ModelToolChoice } from '../providers/chat-model.js';

/**
 * A validated Chat Completions body → ChatCallOptions, for providers that take the parts rather than
 * the wire body (local models). The schema has already rejected what OpenAI rejects; what a
 * ChatModel cannot express (custom tools, audio or file inputs) is refused here with a 400.
 */

type Wire = Record<string, unknown>;
const isWire = (v: unknown): v is Wire => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: unknown) => (isWire(p) && typeof p.text === 'string' ? p.text : isWire(p) && typeof p.refusal === 'string' ? p.refusal : ''))
    .join('');
}

function userContent(content: unknown, i: number): string | ModelContentPart[] {
  if (typeof content === 'string') return content;
  const parts: ModelContentPart[] = [];
  for (const p of Array.isArray(content) ? content : []) {
    if (!isWire(p)) continue;
    if (p.type === 'text' && typeof p.text === 'string') parts.push({ type: 'text', text: p.text });
    else if (p.type === 'image_url' && isWire(p.image_url) && typeof p.image_url.url === 'string')
      parts.push({ type: 'image_url', image_url: { url: p.image_url.url } });
    else throw invalidRequest(`Content parts of type '${String(p.type)}' are not supported by this model.`, `messages[${i}].content`);
  }
  return parts;
}

function toolCalls(calls: unknown): ModelToolCall[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isWire).flatMap((c): ModelToolCall[] => {
    const fn = isWire(c.function) ? c.function : undefined;
    if (!fn || typeof c.id !== 'string' || typeof fn.name !== 'string') return [];
    return [{ id: c.id, type: 'function', function: { name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : '{}' } }];
  });
}

export function toModelMessages(messages: readonly unknown[]): ModelMessage[] {
  return messages.filter(isWire).map((m, i): ModelMessage => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: text(m.content) };
      case 'user':
        return { role: 'user', content: userContent(m.content, i) };
      case 'assistant': {
        const calls = toolCalls(m.tool_calls);
        return { role: 'assistant', content: text(m.content) || null, ...(calls.length ? { tool_calls: calls } : {}) };
      }
      case 'tool':
        return { role: 'tool', tool_call_id: String(m.tool_call_id), content: text(m.content) };
      default:
        // The deprecated `function` role: its result, keyed by the function's name.
        return { role: 'tool', tool_call_id: `function:${String(m.name)}`, content: text(m.content) };
    }
  });
}

function toTools(tools: unknown): ModelTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.filter(isWire).map((t, i): ModelTool => {
    if (t.type !== 'function' || !isWire(t.function))
      throw invalidRequest(`Tools of type '${String(t.type)}' are not supported by this model.`, `tools[${i}].type`);
    const fn = t.function;
    return {
      type: 'function',
      function: {
        name: String(fn.name),
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        ...(isWire(fn.parameters) ? { parameters: fn.parameters } : {}),
      },
    };
  });
}

/** tool_choice → ModelToolChoice; `allowed_tools` narrows the tools to its list. */
function toToolChoice(choice: unknown, tools: ModelTool[]): { toolChoice?: ModelToolChoice; tools: ModelTool[] } {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return { toolChoice: choice, tools };
  if (!isWire(choice)) return { tools };
  if (choice.type === 'function' && isWire(choice.function) && typeof choice.function.name === 'string')
    return { toolChoice: { type: 'function', function: { name: choice.function.name } }, tools };
  if (choice.type === 'allowed_tools' && isWire(choice.allowed_tools)) {
    const allowed = Array.isArray(choice.allowed_tools.tools) ? choice.allowed_tools.tools.filter(isWire) : [];
    const names = new Set(allowed.map((t) => (isWire(t.function) ? t.function.name : undefined)));
    const mode = choice.allowed_tools.mode === 'required' ? 'required' : 'auto';
    return { toolChoice: mode, tools: tools.filter((t) => names.has(t.function.name)) };
  }
  throw invalidRequest(`tool_choice of type '${String(choice.type)}' is not supported by this model.`, 'tool_choice');
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function toChatCallOptions(body: Wire & { messages: unknown[] }): ChatCallOptions {
  const { toolChoice, tools } = toToolChoice(body.tool_choice, toTools(body.tools));
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === 'string' && s !== '') : [];
  return {
    messages: toModelMessages(body.messages),
    ...(tools.length ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(typeof body.parallel_tool_calls === 'boolean' ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    temperature: num(body.temperature),
    topP: num(body.top_p),
    maxTokens: num(body.max_completion_tokens) ?? num(body.max_tokens),
    responseFormat: body.response_format ?? undefined,
    seed: num(body.seed),
    stop: stop.length ? stop : null,
    presencePenalty: num(body.presence_penalty),
    frequencyPenalty: num(body.frequency_penalty),
  };
}
