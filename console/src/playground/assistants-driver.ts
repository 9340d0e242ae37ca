import type { AssistantStream } from 'openai/lib/AssistantStream';
import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import { client } from '../api.ts';
import { rememberId } from '../pages/parts/recent.tsx';
import { parsedFunctions, type Driver, type Outcome, type Settings, type Sink, type ToolCall } from './driver.ts';

/** The run's tools when the page declares any (they replace the assistant's for this run), else undefined. */
function toolOverride(settings: Settings): AssistantTool[] | undefined {
  const list: AssistantTool[] = parsedFunctions(settings.functions).map((f) => ({ type: 'function', function: f }));
  if (settings.vectorStoreId) list.push({ type: 'file_search' });
  if (settings.codeInterpreter) list.push({ type: 'code_interpreter' });
  return list.length ? list : undefined;
}

/** Streams one run (or its continuation) into the sink, ending at completed, requires_action, or an error. */
async function follow(stream: AssistantStream, sink: Sink, onRun: (run: Run) => void): Promise<Outcome> {
  let run: Run | undefined;
  for await (const event of stream) {
    if (event.event === 'thread.message.delta')
      for (const part of event.data.delta.content ?? []) if (part.type === 'text' && part.text?.value) sink.text(part.text.value);
    if (event.event === 'thread.run.step.completed' && event.data.step_details.type === 'tool_calls')
      for (const call of event.data.step_details.tool_calls) {
        if (call.type === 'code_interpreter') sink.note(`code_interpreter:\n${call.code_interpreter.input}`);
        if (call.type === 'file_search') sink.note(`file_search (${call.file_search.results?.length ?? 0} results)`);
      }
    if (event.event === 'thread.run.failed') throw new Error(event.data.last_error?.message ?? 'The run failed.');
    if (event.event === 'error') throw new Error(event.data.message ?? 'The stream failed.');
    if (event.event.startsWith('thread.run.') && !event.event.startsWith('thread.run.step.')) {
      run = event.data as Run;
      onRun(run);
    }
  }
  const calls = run?.status === 'requires_action' ? (run.required_action?.submit_tool_outputs.tool_calls ?? []) : [];
  const toolCalls: ToolCall[] = calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
  const usage = run?.usage && { input: run.usage.prompt_tokens, output: run.usage.completion_tokens, total: run.usage.total_tokens };
  return { toolCalls, ...(usage && { usage }) };
}

/** An Assistants thread: created on the first message and reused; runs are streamed with the SDK's runs.stream. */
export function assistantsDriver(): Driver {
  let threadId: string | undefined;
  let run: Pick<Run, 'id' | 'status'> | undefined;
  const onRun = (r: Run) => {
    run = { id: r.id, status: r.status };
  };

  async function thread(settings: Settings): Promise<string> {
    if (threadId) return threadId;
    const resources = settings.vectorStoreId ? { file_search: { vector_store_ids: [settings.vectorStoreId] } } : undefined;
    threadId = (await client().beta.threads.create(resources ? { tool_resources: resources } : {})).id;
    await rememberId('threads', threadId); // the Threads page lists what this browser made (the API cannot list threads)
    return threadId;
  }

  return {
    async send(text, settings, sink, signal) {
      if (!settings.assistantId) throw new Error('Pick an assistant first.');
      const id = await thread(settings);
      await client().beta.threads.messages.create(id, { role: 'user', content: text });
      const tools = toolOverride(settings);
      const stream = client().beta.threads.runs.stream(
        id,
        { assistant_id: settings.assistantId, ...(settings.system.trim() && { instructions: settings.system }), ...(tools && { tools }) },
        { signal },
      );
      return follow(stream, sink, onRun);
    },
    async submit(outputs, _settings, sink, signal) {
      if (!threadId || run?.status !== 'requires_action') throw new Error('No run is waiting for tool outputs.');
      const tool_outputs = outputs.map((o) => ({ tool_call_id: o.id, output: o.output }));
      const stream = client().beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: threadId, tool_outputs }, { signal });
      return follow(stream, sink, onRun);
    },
    async stopped() {
      // The aborted stream only unsubscribed; the run itself goes on unless cancelled.
      const active = run && ['queued', 'in_progress', 'requires_action'].includes(run.status);
      if (threadId && run && active) await client().beta.threads.runs.cancel(run.id, { thread_id: threadId }).catch(() => undefined);
    },
  };
}
