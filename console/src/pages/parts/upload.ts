// File uploads with progress. XMLHttpRequest, not fetch: Chromium reports no upload progress for fetch, and a
// streamed request body (ReadableStream + duplex: 'half') is refused over HTTP/1.1, which is what Switchboard
// serves; XHR's upload.onprogress works over HTTP/1.1 for any size, and the body streams from the File on disk.
import type { FileObject, FilePurpose } from 'openai/resources/files';
import { baseURL, ConsoleApiError, OPEN_MODE_KEY, storedKey } from '../../api.ts';

export interface UploadProgress {
  loaded: number;
  total: number;
}

function errorOf(xhr: XMLHttpRequest): ConsoleApiError {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: { message?: string; code?: string | null } };
    return new ConsoleApiError(xhr.status, body.error?.message ?? `${xhr.status} ${xhr.statusText}`, body.error?.code ?? null);
  } catch {
    return new ConsoleApiError(xhr.status, xhr.status ? `${xhr.status} ${xhr.statusText}` : 'The upload failed (network error).');
  }
}

/** POST /v1/files as multipart, calling `onProgress` as bytes leave; resolves with the file object. */
export function uploadFile(opts: { file: File; purpose: FilePurpose; onProgress: (p: UploadProgress) => void; signal?: AbortSignal }): Promise<FileObject> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${baseURL()}/files`);
    xhr.setRequestHeader('authorization', `Bearer ${storedKey() ?? OPEN_MODE_KEY}`);
    xhr.upload.onprogress = (e) => opts.onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : opts.file.size });
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(JSON.parse(xhr.responseText) as FileObject) : reject(errorOf(xhr)));
    xhr.onerror = () => reject(errorOf(xhr));
    xhr.onabort = () => reject(new ConsoleApiError(0, 'Upload cancelled.'));
    opts.signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('purpose', opts.purpose);
    form.append('file', opts.file, opts.file.name);
    xhr.send(form);
  });
}
