// A file input, an Upload button and a progress bar named "Upload progress"; `onUploaded` gets the new file.
import type { FileObject, FilePurpose } from 'openai/resources/files';
import { useRef, useState } from 'preact/hooks';
import { formatBytes } from '../../lib/format.ts';
import { ErrorNote } from './notes.tsx';
import { useAction } from './use-load.ts';
import { uploadFile, type UploadProgress } from './upload.ts';

const PURPOSES: readonly FilePurpose[] = ['assistants', 'user_data', 'vision', 'batch', 'fine-tune', 'evals'];

export function UploadForm(props: { label: string; withPurpose?: boolean; onUploaded: (file: FileObject) => Promise<void> | void }) {
  const input = useRef<HTMLInputElement>(null);
  const [purpose, setPurpose] = useState<FilePurpose>('assistants');
  const [progress, setProgress] = useState<UploadProgress | undefined>(undefined);
  const action = useAction();
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    void action.run(async () => {
      setProgress({ loaded: 0, total: file.size });
      const uploaded = await uploadFile({ file, purpose, onProgress: setProgress });
      if (input.current) input.current.value = '';
      await props.onUploaded(uploaded);
    });
  };
  const id = `upload-${props.label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <form class="upload row" onSubmit={onSubmit}>
      <div>
        <label for={id}>{props.label}</label>
        <input id={id} type="file" ref={input} required />
      </div>
      {props.withPurpose ? (
        <div>
          <label for={`${id}-purpose`}>Purpose</label>
          <select id={`${id}-purpose`} value={purpose} onChange={(e) => setPurpose(PURPOSES.find((p) => p === e.currentTarget.value) ?? 'assistants')}>
            {PURPOSES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <button type="submit" disabled={action.busy}>
        Upload
      </button>
      {progress ? (
        <div class="progress">
          <progress aria-label="Upload progress" max={progress.total || 1} value={progress.loaded} />
          <span class="hint">
            {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
            {action.busy ? '' : ' · done'}
          </span>
        </div>
      ) : null}
      <ErrorNote error={action.error} />
    </form>
  );
}
