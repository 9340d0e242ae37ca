import type { VectorStore } from 'openai/resources/vector-stores/vector-stores';
import { useEffect, useState } from 'preact/hooks';
import { client, errorMessage } from '../api.ts';

interface Props {
  vectorStoreId: string | undefined;
  codeInterpreter: boolean;
  onVectorStore: (id: string | undefined) => void;
  onCodeInterpreter: (on: boolean) => void;
}

/** Uploads files into the vector store and waits for their ingestion; reports each file's status. */
function Upload(props: { vectorStoreId: string }) {
  const [status, setStatus] = useState<string[]>([]);
  const upload = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      setStatus((s) => [...s, `${file.name}: uploading…`]);
      const line = (text: string) => setStatus((s) => s.map((l) => (l.startsWith(`${file.name}:`) ? `${file.name}: ${text}` : l)));
      try {
        const vsFile = await client().vectorStores.files.uploadAndPoll(props.vectorStoreId, file);
        line(vsFile.status === 'completed' ? 'ready' : `${vsFile.status} ${vsFile.last_error?.message ?? ''}`.trim());
      } catch (err) {
        line(errorMessage(err));
      }
    }
  };
  return (
    <>
      <label for="pg-upload">Upload files</label>
      <input id="pg-upload" type="file" multiple onChange={(e) => void upload(e.currentTarget.files)} />
      <ul class="hint" aria-label="Uploads">
        {status.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </>
  );
}

function VectorStorePicker(props: { value: string | undefined; onChange: (id: string | undefined) => void }) {
  const [stores, setStores] = useState<VectorStore[]>([]);
  const [error, setError] = useState<string>();
  const { value, onChange } = props;
  useEffect(() => {
    client()
      .vectorStores.list({ limit: 100 })
      .then((page) => {
        setStores(page.data);
        if (!value && page.data[0]) onChange(page.data[0].id);
      }, (err: unknown) => setError(errorMessage(err)));
  }, []);
  const create = async () => {
    try {
      const vs = await client().vectorStores.create({ name: `Playground ${new Date().toISOString().slice(0, 16)}` });
      setStores((s) => [vs, ...s]);
      onChange(vs.id);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <>
      <label for="pg-vs">Vector store</label>
      <div class="row">
        <select id="pg-vs" value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
          <option value="">(none)</option>
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name || s.id}
            </option>
          ))}
        </select>
        <button type="button" class="secondary" onClick={() => void create()}>
          New vector store
        </button>
      </div>
      {error && <p class="error">{error}</p>}
      {value && <Upload vectorStoreId={value} />}
    </>
  );
}

/** The built-in tools for the Responses and Assistants modes: file_search over a vector store, code_interpreter. */
export function FileTools(props: Props) {
  const [fileSearch, setFileSearch] = useState(props.vectorStoreId !== undefined);
  const toggle = (on: boolean) => {
    setFileSearch(on);
    if (!on) props.onVectorStore(undefined);
  };
  return (
    <fieldset>
      <legend>Built-in tools</legend>
      <label class="inline">
        <input type="checkbox" checked={fileSearch} onChange={(e) => toggle(e.currentTarget.checked)} /> file_search
      </label>
      <label class="inline">
        <input type="checkbox" checked={props.codeInterpreter} onChange={(e) => props.onCodeInterpreter(e.currentTarget.checked)} />{' '}
        code_interpreter
      </label>
      {fileSearch && <VectorStorePicker value={props.vectorStoreId} onChange={props.onVectorStore} />}
    </fieldset>
  );
}
