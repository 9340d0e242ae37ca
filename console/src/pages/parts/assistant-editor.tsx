// The assistant form of the list page (create) and the assistant page (edit): model, name, instructions, the
// built-in tools as checkboxes with their tool resources, function tools as JSON, metadata rows.
import type { AssistantCreateParams } from 'openai/resources/beta/assistants';
import { useState } from 'preact/hooks';
import { client } from '../../api.ts';
import { toAssistantParams, type AssistantForm } from '../../lib/assistant-form.ts';
import { MetadataEditor } from './metadata-editor.tsx';
import { ErrorNote } from './notes.tsx';
import { useAction, useLoad } from './use-load.ts';

function ModelInput(props: { value: string; onInput: (v: string) => void }) {
  const models = useLoad(async () => (await client().models.list()).data.map((m) => m.id), []);
  return (
    <>
      <label for="assistant-model">Model</label>
      <input id="assistant-model" list="assistant-models" required value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} />
      <datalist id="assistant-models">
        {(models.data ?? []).map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
    </>
  );
}

function Field(props: { id: string; label: string; value: string; onInput: (v: string) => void; multiline?: boolean; hint?: string }) {
  const onInput = (e: { currentTarget: { value: string } }) => props.onInput(e.currentTarget.value);
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.multiline ? <textarea id={props.id} rows={4} value={props.value} onInput={onInput} /> : <input id={props.id} value={props.value} onInput={onInput} />}
      {props.hint ? <span class="hint">{props.hint}</span> : null}
    </>
  );
}

function ToolFields(props: { form: AssistantForm; set: (patch: Partial<AssistantForm>) => void }) {
  const { form, set } = props;
  return (
    <fieldset>
      <legend>Tools</legend>
      <label class="inline">
        <input type="checkbox" checked={form.fileSearch} onChange={(e) => set({ fileSearch: e.currentTarget.checked })} /> file_search
      </label>
      <label class="inline">
        <input type="checkbox" checked={form.codeInterpreter} onChange={(e) => set({ codeInterpreter: e.currentTarget.checked })} /> code_interpreter
      </label>
      {form.fileSearch ? <Field id="assistant-vs" label="Vector store ids" value={form.vectorStoreIds} onInput={(v) => set({ vectorStoreIds: v })} hint="vs_…, separated by commas" /> : null}
      {form.codeInterpreter ? <Field id="assistant-files" label="Code interpreter file ids" value={form.fileIds} onInput={(v) => set({ fileIds: v })} hint="file-…, separated by commas" /> : null}
      <Field id="assistant-functions" label="Function tools (JSON)" multiline value={form.functions} onInput={(v) => set({ functions: v })} hint='[{"name": "get_weather", "parameters": {"type": "object", "properties": {}}}]' />
    </fieldset>
  );
}

/** Edits `initial`; `onSave` gets the validated params (create and update take the same fields here). */
export function AssistantEditor(props: { initial: AssistantForm; submitLabel: string; onSave: (params: AssistantCreateParams) => Promise<void> }) {
  const [form, setForm] = useState(props.initial);
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const action = useAction();
  const set = (patch: Partial<AssistantForm>) => setForm((f) => ({ ...f, ...patch }));
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const params = toAssistantParams(form);
    if (typeof params === 'string') return setInvalid(params);
    setInvalid(undefined);
    void action.run(() => props.onSave(params));
  };
  return (
    <form class="editor card" onSubmit={onSubmit}>
      <ModelInput value={form.model} onInput={(model) => set({ model })} />
      <Field id="assistant-name" label="Name" value={form.name} onInput={(name) => set({ name })} />
      <Field id="assistant-instructions" label="Instructions" multiline value={form.instructions} onInput={(instructions) => set({ instructions })} />
      <ToolFields form={form} set={set} />
      <MetadataEditor rows={form.metadata} onChange={(metadata) => set({ metadata })} />
      <ErrorNote error={invalid ?? action.error} />
      <div class="row">
        <button type="submit" disabled={action.busy}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
