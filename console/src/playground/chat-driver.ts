import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall, ChatCompletionTool } from 'openai/resources/chat/completions';
import { client } from '../api.ts';
import { parsedFunctions, type Driver, type Outcome, type Settings, type Sink, type ToolCall } from './driver.ts';

type FunctionCall = Extract<ChatCompletionMessageToolCall, { type: 'function' }>;

function tools(settings: Settings): ChatCompletionTool[] | undefined {
  const fns = parsedFunctions(settings.functions);
  return fns.length ? fns.map((f) => ({ type: 'function', function: f })) : undefined;
}

/** Chat Completions: the page keeps the history and sends it whole each turn; tool outputs are tool messages. */
export function chatDriver(): Driver {
  const history: ChatCompletionMessageParam[] = [];

  async function turn(settings: Settings, sink: Sink, signal: AbortSignal): Promise<Outcome> {
    const system: ChatCompletionMessageParam[] = settings.system.trim() ? [{ role: 'system', content: settings.system }] : [];
    const stream = await client().chat.completions.create(
      { model: settings.model, messages: [...system, ...history], tools: tools(settings), stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    let content = '';
    const calls: FunctionCall[] = [];
    let outcome: Outcome = { toolCalls: [] };
    try {
      for await (const chunk of stream) {
      if (chunk.usage)
        outcome = { ...outcome, usage: { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens, total: chunk.usage.total_tokens } };
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) {
        content += delta.content;
        sink.text(delta.content);
      }
      for (const tc of delta?.tool_calls ?? []) {
        const call = (calls[tc.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.function.name += tc.function.name;
        if (tc.function?.arguments) call.function.arguments += tc.function.arguments;
      }
      }
    } catch (err) {
      // Stopped or failed: keep what was said, so the next turn follows it.
      if (content) history.push({ role: 'assistant', content });
      throw err;
    }
    history.push({ role: 'assistant', content: content || null, ...(calls.length && { tool_calls: calls }) });
    const toolCalls: ToolCall[] = calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
    return { ...outcome, toolCalls };
  }

  return {
    send(text, settings, sink, signal) {
      history.push({ role: 'user', content: text });
      return turn(settings, sink, signal);
    },
    submit(outputs, settings, sink, signal) {
      for (const o of outputs) history.push({ role: 'tool', tool_call_id: o.id, content: o.output });
      return turn(settings, sink, signal);
    },
  };
}
