// File bytes come from /v1/files/{id}/content with the key (an <a href> or <img src> could not send it): fetched as
// a blob and shown through an object URL, revoked when no longer needed.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { client, errorMessage } from '../../api.ts';

async function fileBlob(fileId: string): Promise<Blob> {
  const res = await client().files.content(fileId);
  return res.blob();
}

/** Saves a file to the user's downloads under `name` (default: the file's own name). */
export async function downloadFile(fileId: string, name?: string): Promise<void> {
  const filename = name ?? (await client().files.retrieve(fileId)).filename;
  const url = URL.createObjectURL(await fileBlob(fileId));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A link-styled button that downloads the file (citations link to their files this way). */
export function FileLink(props: { fileId: string; name?: string; children?: ComponentChildren }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const onClick = () => downloadFile(props.fileId, props.name).catch((err) => setError(errorMessage(err)));
  return (
    <>
      <button type="button" class="link" title={`Download ${props.name ?? props.fileId}`} onClick={onClick}>
        {props.children ?? props.name ?? props.fileId}
      </button>
      {error ? <span class="error"> {error}</span> : null}
    </>
  );
}

/** An image file (code_interpreter output, image_file content) shown inline. */
export function FileImage(props: { fileId: string; alt: string }) {
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let objectUrl: string | undefined;
    let live = true;
    fileBlob(props.fileId).then(
      (blob) => {
        objectUrl = URL.createObjectURL(blob);
        if (live) setUrl(objectUrl);
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [props.fileId]);
  if (error) return <p class="error">Image {props.fileId}: {error}</p>;
  return url ? <img class="file-image" src={url} alt={props.alt} /> : <p class="hint">Loading image {props.fileId}…</p>;
}
