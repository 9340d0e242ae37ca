import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP file server for download tests: serves one file at `/files/<name>` with HTTP Range
 * support, and at Hugging Face's `/<owner>/<repo>/resolve/<rev>/<name>` as a redirect carrying the
 * file's sha256 in `x-linked-etag` (as the hub does for LFS files). Behaviour can be scripted:
 * cut the next response off after some bytes, ignore Range, or report a wrong sha256.
 */
export interface FileServer {
  url: string;
  sha256: string;
  /** Every request: path and Range header. */
  requests: Array<{ path: string; range: string | undefined }>;
  /** The next file response stops after this many body bytes and the connection is destroyed. */
  cutNextAfter(bytes: number): void;
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange: boolean;
  /** The sha256 the redirect reports (default: the real one). */
  reportedSha256: string;
  close(): Promise<void>;
}

export async function startFileServer(opts: { name: string; content: Buffer }): Promise<FileServer> {
  const { name, content } = opts;
  const sha256 = createHash('sha256').update(content).digest('hex');
  let cutAfter: number | undefined;
  const state: FileServer = {
    url: '',
    sha256,
    requests: [],
    cutNextAfter: (bytes) => (cutAfter = bytes),
    ignoreRange: false,
    reportedSha256: sha256,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function sendFile(req: IncomingMessage, res: ServerResponse): void {
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (match && !state.ignoreRange) {
      start = Number(match[1]);
      if (start >= content.length) {
        res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-length': content.length - start,
        'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
        'accept-ranges': 'bytes',
      });
    } else {
      res.writeHead(200, { 'content-length': content.length, 'accept-ranges': 'bytes' });
    }
    const body = content.subarray(start);
    const cut = cutAfter;
    cutAfter = undefined;
    if (cut === undefined) {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, cut), () => {
      // Give the bytes time to leave before the connection drops.
      setTimeout(() => res.socket?.destroy(), 50);
    });
  }

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    state.requests.push({ path, range: req.headers.range });
    if (path === `/files/${name}`) return sendFile(req, res);
    if (new RegExp(`^/[^/]+/[^/]+/resolve/[^/]+/${name}$`).test(path)) {
      res.writeHead(302, { location: `/files/${name}`, 'x-linked-etag': `"${state.reportedSha256}"`, etag: '"0123abcd"' }).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
