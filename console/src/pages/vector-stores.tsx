// /console/vector-stores: the key's vector stores with their file counts, create one by name, delete.
import type { VectorStore } from 'openai/resources/vector-stores/vector-stores';
import { useState } from 'preact/hooks';
import { client } from '../api.ts';
import { formatBytes, formatTime } from '../lib/format.ts';
import { Link, navigate } from '../router.tsx';
import { DataTable, LoadMore } from './parts/data-table.tsx';
import { ErrorNote, Loading } from './parts/notes.tsx';
import { usePagedList } from './parts/paged-list.ts';
import { useAction } from './parts/use-load.ts';

function counts(s: VectorStore): string {
  const c = s.file_counts;
  return `${c.completed}/${c.total} ready${c.in_progress ? `, ${c.in_progress} indexing` : ''}${c.failed ? `, ${c.failed} failed` : ''}`;
}

function StoreRow(props: { s: VectorStore; onDelete: () => void }) {
  const { s } = props;
  const name = s.name || s.id;
  return (
    <tr>
      <td>
        <Link href={`/console/vector-stores/${s.id}`}>{name}</Link>
        <div class="hint">
          <code>{s.id}</code>
        </div>
      </td>
      <td>{counts(s)}</td>
      <td>{s.status}</td>
      <td>{formatBytes(s.usage_bytes)}</td>
      <td>{formatTime(s.created_at)}</td>
      <td>
        <button type="button" class="secondary" aria-label={`Delete ${name}`} onClick={props.onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

function CreateForm() {
  const [name, setName] = useState('');
  const action = useAction();
  const onSubmit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const store = await client().vectorStores.create({ name: name.trim() || undefined });
      navigate(`/console/vector-stores/${store.id}`);
    });
  };
  return (
    <form class="row" onSubmit={onSubmit}>
      <div>
        <label for="vs-name">Vector store name</label>
        <input id="vs-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <button type="submit" disabled={action.busy}>
        Create vector store
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}

export function VectorStoresPage() {
  const list = usePagedList((after) => client().vectorStores.list({ limit: 20, after }), []);
  const action = useAction();
  const remove = (s: VectorStore) =>
    action.run(async () => {
      await client().vectorStores.delete(s.id);
      list.remove(s.id);
    });
  return (
    <section class="page">
      <h1>Vector stores</h1>
      <CreateForm />
      <ErrorNote error={list.error ?? action.error} />
      <Loading when={list.loading && !list.items.length} />
      <DataTable
        label="Vector stores"
        columns={['Name', 'Files', 'Status', 'Size', 'Created']}
        items={list.items}
        row={(s) => <StoreRow key={s.id} s={s} onDelete={() => void remove(s)} />}
        empty="No vector stores yet."
        loading={list.loading}
      />
      <LoadMore list={list} />
    </section>
  );
}
