// /console/vector-stores/:id: a store's files with their ingestion status and last_error (refreshed every second
// while one is indexing), adding an existing file or uploading a new one into it, removing one, and search.
import type { FileObject } from 'openai/resources/files';
import type { VectorStoreFile } from 'openai/resources/vector-stores/files';
import { useCallback, useState } from 'preact/hooks';
import { client } from '../api.ts';
import { formatBytes, formatTime } from '../lib/format.ts';
import { navigate, useParams } from '../router.tsx';
import { DataTable } from './parts/data-table.tsx';
import { ErrorNote, Facts, Loading } from './parts/notes.tsx';
import { StoreSearch } from './parts/store-search.tsx';
import { allPages } from './parts/thread-view.ts';
import { UploadForm } from './parts/upload-form.tsx';
import { useAction, useInterval, useLoad } from './parts/use-load.ts';

async function loadStore(id: string) {
  const c = client();
  const [store, files, all] = await Promise.all([
    c.vectorStores.retrieve(id),
    allPages(c.vectorStores.files.list(id, { limit: 100 })),
    allPages(c.files.list({ limit: 100 })),
  ]);
  return { store, files, names: new Map(all.map((f) => [f.id, f.filename])), all };
}

function StoreFileRow(props: { f: VectorStoreFile; name: string; onRemove: () => void }) {
  const { f } = props;
  return (
    <tr>
      <td>
        {props.name}
        <div class="hint">
          <code>{f.id}</code>
        </div>
      </td>
      <td>
        <span class={`badge ${f.status}`}>{f.status}</span>
        {f.last_error ? (
          <div class="error">
            {f.last_error.code}: {f.last_error.message}
          </div>
        ) : null}
      </td>
      <td>{formatBytes(f.usage_bytes)}</td>
      <td>{formatTime(f.created_at)}</td>
      <td>
        <button type="button" class="secondary" aria-label={`Remove ${props.name}`} onClick={props.onRemove}>
          Remove
        </button>
      </td>
    </tr>
  );
}

function AddExisting(props: { files: readonly FileObject[]; onAdd: (fileId: string) => void }) {
  const [fileId, setFileId] = useState('');
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (fileId) props.onAdd(fileId);
      }}
    >
      <div>
        <label for="vs-add-file">File to add</label>
        <select id="vs-add-file" value={fileId} onChange={(e) => setFileId(e.currentTarget.value)}>
          <option value="">Pick an uploaded file…</option>
          {props.files.map((f) => (
            <option key={f.id} value={f.id}>
              {f.filename} ({f.id})
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Add file</button>
    </form>
  );
}

export function VectorStorePage() {
  const id = useParams().id ?? '';
  const view = useLoad(() => loadStore(id), [id]);
  const action = useAction();
  const indexing = !!view.data?.files.some((f) => f.status === 'in_progress');
  const tick = useCallback(() => void (view.loading || view.reload()), [view.loading, view.reload]);
  useInterval(tick, 1000, indexing);
  const add = (fileId: string) =>
    action.run(async () => {
      await client().vectorStores.files.create(id, { file_id: fileId });
      await view.reload();
    });
  const remove = (fileId: string) =>
    action.run(async () => {
      await client().vectorStores.files.delete(fileId, { vector_store_id: id });
      await view.reload();
    });
  const removeStore = () =>
    action.run(async () => {
      await client().vectorStores.delete(id);
      navigate('/console/vector-stores');
    });
  const v = view.data;
  const inStore = new Set(v?.files.map((f) => f.id));
  return (
    <section class="page">
      <div class="row page-head">
        <h1>{v?.store.name || id}</h1>
        <button type="button" class="secondary danger" disabled={!v} onClick={() => void removeStore()}>
          Delete vector store
        </button>
      </div>
      <ErrorNote error={view.error ?? action.error} />
      <Loading when={view.loading && !v} />
      {v ? (
        <>
          <Facts
            items={[
              ['Id', <code>{v.store.id}</code>],
              ['Status', v.store.status],
              ['Size', formatBytes(v.store.usage_bytes)],
              ['Created', formatTime(v.store.created_at)],
            ]}
          />
          <h2>Files</h2>
          <UploadForm label="Upload a file into this store" onUploaded={(f) => add(f.id)} />
          <AddExisting files={v.all.filter((f) => !inStore.has(f.id))} onAdd={(fileId) => void add(fileId)} />
          <DataTable
            label="Files in this store"
            columns={['File', 'Status', 'Size', 'Added']}
            items={v.files}
            row={(f) => <StoreFileRow key={f.id} f={f} name={v.names.get(f.id) ?? f.id} onRemove={() => void remove(f.id)} />}
            empty="No files in this store yet."
          />
          <StoreSearch storeId={id} />
        </>
      ) : null}
    </section>
  );
}
