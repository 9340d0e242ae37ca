// /console/files: upload (with a progress bar), the key's files (newest first, "Load more"), download, delete.
import type { FileObject } from 'openai/resources/files';
import { client } from '../api.ts';
import { formatBytes, formatTime } from '../lib/format.ts';
import { downloadFile } from './parts/file-content.tsx';
import { DataTable, LoadMore } from './parts/data-table.tsx';
import { ErrorNote, Loading } from './parts/notes.tsx';
import { usePagedList } from './parts/paged-list.ts';
import { UploadForm } from './parts/upload-form.tsx';
import { useAction } from './parts/use-load.ts';

function FileRow(props: { f: FileObject; onDelete: () => void; onDownload: () => void }) {
  const { f } = props;
  return (
    <tr>
      <td>
        {f.filename}
        <div class="hint">
          <code>{f.id}</code>
        </div>
      </td>
      <td>{formatBytes(f.bytes)}</td>
      <td>{f.purpose}</td>
      <td>{formatTime(f.created_at)}</td>
      <td class="actions">
        <button type="button" class="secondary" aria-label={`Download ${f.filename}`} onClick={props.onDownload}>
          Download
        </button>
        <button type="button" class="secondary" aria-label={`Delete ${f.filename}`} onClick={props.onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

export function FilesPage() {
  const list = usePagedList((after) => client().files.list({ limit: 20, after, order: 'desc' }), []);
  const action = useAction();
  const remove = (f: FileObject) =>
    action.run(async () => {
      await client().files.delete(f.id);
      list.remove(f.id);
    });
  return (
    <section class="page">
      <h1>Files</h1>
      <UploadForm label="File to upload" withPurpose onUploaded={(f) => list.prepend(f)} />
      <ErrorNote error={list.error ?? action.error} />
      <Loading when={list.loading && !list.items.length} />
      <DataTable
        label="Files"
        columns={['Name', 'Size', 'Purpose', 'Created']}
        items={list.items}
        row={(f) => <FileRow key={f.id} f={f} onDelete={() => void remove(f)} onDownload={() => void action.run(() => downloadFile(f.id, f.filename))} />}
        empty="No files yet."
        loading={list.loading}
      />
      <LoadMore list={list} />
    </section>
  );
}
