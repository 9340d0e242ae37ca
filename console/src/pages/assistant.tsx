// /console/assistants/:id: one assistant in the editor (Save updates it), and Delete.
import type { AssistantCreateParams } from 'openai/resources/beta/assistants';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { toAssistantForm } from '../lib/assistant-form.ts';
import { formatTime } from '../lib/format.ts';
import { navigate, useParams } from '../router.tsx';
import { AssistantEditor } from './parts/assistant-editor.tsx';
import { ErrorNote, Facts, Loading } from './parts/notes.tsx';
import { useAction, useLoad } from './parts/use-load.ts';

export function AssistantPage() {
  const id = useParams().id ?? '';
  const assistant = useLoad(() => client().beta.assistants.retrieve(id), [id]);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const action = useAction();
  const save = async (params: AssistantCreateParams) => {
    const updated = await client().beta.assistants.update(id, params);
    assistant.set(updated);
    setSaved(`Saved at ${formatTime(Math.floor(Date.now() / 1000))}.`);
  };
  const remove = () =>
    action.run(async () => {
      await client().beta.assistants.delete(id);
      navigate('/console/assistants');
    });
  const a = assistant.data;
  return (
    <section class="page">
      <div class="row page-head">
        <h1>{a?.name || id}</h1>
        <button type="button" class="secondary danger" onClick={() => void remove()} disabled={!a || action.busy}>
          Delete assistant
        </button>
      </div>
      <ErrorNote error={assistant.error ?? action.error} />
      <Loading when={assistant.loading && !a} />
      {a ? (
        <>
          <Facts items={[['Id', <code>{a.id}</code>], ['Created', formatTime(a.created_at)]]} />
          <AssistantEditor key={a.id} initial={toAssistantForm(a)} submitLabel="Save" onSave={save} />
          {saved ? (
            <p role="status" class="ok">
              {saved}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
