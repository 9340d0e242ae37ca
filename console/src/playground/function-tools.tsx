import type { FunctionTool } from './driver.ts';

const EXAMPLE_SCHEMA = '{\n  "type": "object",\n  "properties": { "city": { "type": "string" } },\n  "required": ["city"]\n}';

/** Function tools declared in the page: name, description and a JSON schema of the arguments. */
export function FunctionToolsEditor(props: { tools: readonly FunctionTool[]; onChange: (tools: FunctionTool[]) => void }) {
  const set = (i: number, patch: Partial<FunctionTool>) =>
    props.onChange(props.tools.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const add = () => props.onChange([...props.tools, { name: '', description: '', parameters: EXAMPLE_SCHEMA }]);
  const remove = (i: number) => props.onChange(props.tools.filter((_, j) => j !== i));
  return (
    <fieldset class="tools-list">
      <legend>Function tools</legend>
      {props.tools.map((t, i) => (
        <fieldset key={i} class="card" aria-label={`Function ${i + 1}`}>
          <label for={`fn-name-${i}`}>Name</label>
          <input id={`fn-name-${i}`} value={t.name} onInput={(e) => set(i, { name: e.currentTarget.value })} />
          <label for={`fn-desc-${i}`}>Description</label>
          <input id={`fn-desc-${i}`} value={t.description} onInput={(e) => set(i, { description: e.currentTarget.value })} />
          <label for={`fn-params-${i}`}>Parameters (JSON schema)</label>
          <textarea
            id={`fn-params-${i}`}
            class="code"
            rows={5}
            value={t.parameters}
            onInput={(e) => set(i, { parameters: e.currentTarget.value })}
          />
          <button type="button" class="secondary" onClick={() => remove(i)}>
            Remove function {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" class="secondary" onClick={add}>
        Add function
      </button>
    </fieldset>
  );
}
