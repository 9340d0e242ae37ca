import { useState } from 'preact/hooks';
import type { ToolCall, ToolOutput } from './driver.ts';

/** The model called functions of the page: one output box per call, then the model goes on with them. */
export function ToolOutputsForm(props: { calls: readonly ToolCall[]; onSubmit: (outputs: ToolOutput[]) => void }) {
  // Keyed by the model's call ids: a Map, so no id can reach an object's prototype.
  const [values, setValues] = useState<ReadonlyMap<string, string>>(new Map());
  const submit = (e: Event) => {
    e.preventDefault();
    props.onSubmit(props.calls.map((c) => ({ id: c.id, output: values.get(c.id) ?? '' })));
  };
  return (
    <form class="card tool-outputs" onSubmit={submit} aria-label="Tool outputs">
      {props.calls.map((c) => (
        <div key={c.id}>
          <label for={`out-${c.id}`}>Output of {c.name}</label>
          <pre class="hint">
            {c.name}({c.arguments})
          </pre>
          <textarea
            id={`out-${c.id}`}
            rows={2}
            value={values.get(c.id) ?? ''}
            onInput={(e) => setValues(new Map(values).set(c.id, e.currentTarget.value))}
          />
        </div>
      ))}
      <button type="submit">Submit tool outputs</button>
    </form>
  );
}
