// /console/assistants: the key's assistants (newest first, "Load more" pages on), a form to create one, delete.
import type { Assistant, AssistantCreateParams } from 'openai/resources/beta/assistants';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { emptyAssistantForm } from '../lib/assistant-form.ts';
import { formatTime } from '../lib/format.ts';
import { Link, navigate } from '../router.tsx';
import { AssistantEditor } from './parts/assistant-editor.tsx';
import { DataTable, LoadMore } from './parts/data-table.tsx';
import { ErrorNote, Loading } from './parts/notes.tsx';
import { usePagedList } from './parts/paged-list.ts';
import { useAction } from './parts/use-load.ts';

function AssistantRow(props: { a: Assistant; onDelete: () => void }) {
  const { a } = props;
  const name = a.name || a.id;
  return (
    <tr>
      <td>
        <Link href={`/console/assistants/${a.id}`}>{name}</Link>
        <div class="hint">
          <code>{a.id}</code>
        </div>
      </td>
      <td>{a.model}</td>
      <td>{a.tools.map((t) => (t.type === 'function' ? t.function.name : t.type)).join(', ') || '—'}</td>
      <td>{formatTime(a.created_at)}</td>
      <td>
        <button type="button" class="secondary" aria-label={`Delete ${name}`} onClick={props.onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

export function AssistantsPage() {
  const list = usePagedList((after) => client().beta.assistants.list({ limit: 20, after }), []);
  const [creating, setCreating] = useState(false);
  const action = useAction();
  const remove = (a: Assistant) =>
    action.run(async () => {
      await client().beta.assistants.delete(a.id);
      list.remove(a.id);
    });
  const create = async (params: AssistantCreateParams) => {
    const created = await client().beta.assistants.create(params);
    navigate(`/console/assistants/${created.id}`);
  };
  return (
    <section class="page">
      <div class="row page-head">
        <h1>Assistants</h1>
        <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          New assistant
        </button>
      </div>
      {creating ? <AssistantEditor initial={emptyAssistantForm()} submitLabel="Create assistant" onSave={create} /> : null}
      <ErrorNote error={list.error ?? action.error} />
      <Loading when={list.loading && !list.items.length} />
      <DataTable
        label="Assistants"
        columns={['Name', 'Model', 'Tools', 'Created']}
        items={list.items}
        row={(a) => <AssistantRow key={a.id} a={a} onDelete={() => void remove(a)} />}
        empty="No assistants yet."
        loading={list.loading}
      />
      <LoadMore list={list} />
    </section>
  );
}
