// What a thread page can do to a run that has not ended: type the outputs of the function calls it waits for and
// submit them, or cancel it. The page's polling then shows the run moving on.
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import { useState } from 'preact/hooks';
import { client } from '../../api.ts';
import { isTerminalRun } from '../../lib/run-timeline.ts';
import { ErrorNote } from './notes.tsx';
import { useAction } from './use-load.ts';

function ToolOutputsForm(props: { run: Run }) {
  const calls = props.run.required_action?.submit_tool_outputs.tool_calls ?? [];
  const [outputs, setOutputs] = useState<ReadonlyMap<string, string>>(new Map());
  const action = useAction();
  if (!calls.length) return null;
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const tool_outputs = calls.map((c) => ({ tool_call_id: c.id, output: outputs.get(c.id) ?? '' }));
    void action.run(async () => {
      await client().beta.threads.runs.submitToolOutputs(props.run.id, { thread_id: props.run.thread_id, tool_outputs });
    });
  };
  return (
    <form class="waiting" onSubmit={onSubmit}>
      <p>Waiting for tool outputs:</p>
      {calls.map((c) => (
        <div key={c.id}>
          <label for={`out-${c.id}`}>
            Output of {c.function.name} <code>{c.function.arguments}</code>
          </label>
          <textarea id={`out-${c.id}`} rows={2} value={outputs.get(c.id) ?? ''} onInput={(e) => setOutputs(new Map(outputs).set(c.id, e.currentTarget.value))} />
        </div>
      ))}
      <button type="submit" disabled={action.busy}>
        Submit tool outputs
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}

export function RunActions(props: { run: Run }) {
  const action = useAction();
  if (isTerminalRun(props.run.status) || props.run.status === 'cancelling') return null;
  const cancel = () => action.run(async () => void (await client().beta.threads.runs.cancel(props.run.id, { thread_id: props.run.thread_id })));
  return (
    <>
      <ToolOutputsForm run={props.run} />
      <div class="row">
        <button type="button" class="secondary danger" disabled={action.busy} onClick={() => void cancel()}>
          Cancel run
        </button>
      </div>
      <ErrorNote error={action.error} />
    </>
  );
}
