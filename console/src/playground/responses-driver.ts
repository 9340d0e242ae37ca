import type { ResponseInput, ResponseStreamEvent, Tool } from 'openai/resources/responses/responses';
import { client } from '../api.ts';
import { rememberId } from '../pages/parts/recent.tsx';
import { parsedFunctions, type Driver, type Outcome, type Settings, type Sink } from './driver.ts';

function tools(settings: Settings): Tool[] {
  const list: Tool[] = parsedFunctions(settings.functions).map((f) => ({ type: 'function', strict: false, ...f }));
  if (settings.vectorStoreId) list.push({ type: 'file_search', vector_store_ids: [settings.vectorStoreId] });
  if (settings.codeInterpreter) list.push({ type: 'code_interpreter', container: { type: 'auto' } });
  return list;
}

/** What the transcript says about a finished built-in tool call. */
function noteOf(event: ResponseStreamEvent): string | undefined {
  if (event.type !== 'response.output_item.done') return undefined;
  const item = event.item;
  if (item.type === 'file_search_call') return `file_search: ${item.queries.join(', ')} (${item.results?.length ?? 0} results)`;
  if (item.type === 'code_interpreter_call') return `code_interpreter:\n${item.code ?? ''}`;
  return undefined;
}

/** Responses: each answer is stored and the next one continues from it (previous_response_id). */
export function responsesDriver(): Driver {
  let previous: string | undefined;

  async function turn(input: ResponseInput, settings: Settings, sink: Sink, signal: AbortSignal): Promise<Outcome> {
    const list = tools(settings);
    const stream = await client().responses.create(
      {
        model: settings.model,
        input,
        ...(settings.system.trim() && { instructions: settings.system }),
        ...(previous && { previous_response_id: previous }),
        ...(list.length && { tools: list }),
        store: true,
        stream: true,
      },
      { signal },
    );
    for await (const event of stream) {
      // The Responses page lists what this browser made (the API cannot list responses).
      if (event.type === 'response.created') await rememberId('responses', event.response.id);
      if (event.type === 'response.output_text.delta') sink.text(event.delta);
      const note = noteOf(event);
      if (note) sink.note(note);
      if (event.type === 'response.failed') throw new Error(event.response.error?.message ?? 'The response failed.');
      if (event.type === 'error') throw new Error(event.message);
      if (event.type === 'response.completed' || event.type === 'response.incomplete') {
        const r = event.response;
        previous = r.id;
        const toolCalls = r.output.flatMap((o) => (o.type === 'function_call' ? [{ id: o.call_id, name: o.name, arguments: o.arguments }] : []));
        const usage = r.usage && { input: r.usage.input_tokens, output: r.usage.output_tokens, total: r.usage.total_tokens };
        return { toolCalls, ...(usage && { usage }) };
      }
    }
    throw new Error('The stream ended before the response completed.');
  }

  return {
    send: (text, settings, sink, signal) => turn([{ role: 'user', content: text }], settings, sink, signal),
    submit: (outputs, settings, sink, signal) =>
      turn(
        outputs.map((o) => ({ type: 'function_call_output', call_id: o.id, output: o.output })),
        settings,
        sink,
        signal,
      ),
  };
}
