import type { Assistant } from 'openai/resources/beta/assistants';
import { useEffect, useState } from 'preact/hooks';
import { client, errorMessage } from '../api.ts';
import type { Mode } from './driver.ts';

const MODES: ReadonlyArray<[Mode, string]> = [
  ['chat', 'Chat Completions'],
  ['responses', 'Responses'],
  ['assistants', 'Assistants thread'],
];

export function ModeSwitch(props: { mode: Mode; onChange: (mode: Mode) => void }) {
  return (
    <fieldset class="modes">
      <legend>API</legend>
      {MODES.map(([mode, label]) => (
        <label key={mode} class="inline">
          <input type="radio" name="pg-mode" checked={props.mode === mode} onChange={() => props.onChange(mode)} /> {label}
        </label>
      ))}
    </fieldset>
  );
}

/** A list loaded once from the API: its items, or the server's error message. */
function useList<T>(load: () => Promise<T[]>): { items: T[]; error?: string } {
  const [state, setState] = useState<{ items: T[]; error?: string }>({ items: [] });
  useEffect(() => {
    load().then(
      (items) => setState({ items }),
      (err: unknown) => setState({ items: [], error: errorMessage(err) }),
    );
  }, []);
  return state;
}

/** The combobox "Model", from GET /v1/models; picks the first model when none is chosen. */
export function ModelPicker(props: { value: string; onChange: (id: string) => void; disabled?: boolean }) {
  const { items, error } = useList(async () => (await client().models.list()).data.map((m) => m.id));
  useEffect(() => {
    if (!props.value && items[0]) props.onChange(items[0]);
  }, [items]);
  return (
    <>
      <label for="pg-model">Model</label>
      <select id="pg-model" value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {items.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      {props.disabled && <p class="hint">Runs use the assistant's model.</p>}
      {error && <p class="error">{error}</p>}
    </>
  );
}

/** The combobox "Assistant" for the Assistants mode. */
export function AssistantPicker(props: { value: string | undefined; onChange: (id: string) => void }) {
  const { items, error } = useList(async () => (await client().beta.assistants.list({ limit: 100 })).data as Assistant[]);
  useEffect(() => {
    if (!props.value && items[0]) props.onChange(items[0].id);
  }, [items]);
  return (
    <>
      <label for="pg-assistant">Assistant</label>
      <select id="pg-assistant" value={props.value ?? ''} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {items.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name || a.id} ({a.model})
          </option>
        ))}
      </select>
      {items.length === 0 && !error && <p class="hint">No assistants yet: create one on the Assistants page.</p>}
      {error && <p class="error">{error}</p>}
    </>
  );
}
