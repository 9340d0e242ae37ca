/**
 * A scripted S3-compatible fake (node:http on 127.0.0.1), path-style, enough of S3 for the AWS SDK's
 * PutObject, lib-storage's multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload), GetObject and DeleteObject. Signatures are not checked. Bodies the SDK sends in
 * `aws-chunked` encoding (streamed, with trailing checksums) are decoded. Every request is recorded.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Call {
  method: string;
  /** `/bucket/key` */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Decoded body length. */
  bytes: number;
}

export interface FakeS3 {
  url: string;
  /** `bucket/key` → bytes of the stored objects. */
  objects: Map<string, Buffer>;
  /** Multipart uploads begun and neither completed nor aborted. */
  pendingUploads(): number;
  calls: S3Call[];
  close(): Promise<void>;
}

/** `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n\r\n` → the data. */
function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!size) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  const raw = Buffer.concat(parts);
  const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
  return chunked ? decodeAwsChunked(raw) : raw;
}

const xml = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};
const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  const calls: S3Call[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const path = decodeURIComponent(url.pathname);
    const body = await bodyOf(req);
    calls.push({ method: req.method ?? '', path, query, headers: req.headers, bytes: body.length });
    const name = path.slice(1);
    const key = name.slice(name.indexOf('/') + 1);
    if (req.method === 'POST' && 'uploads' in query) {
      const id = randomBytes(8).toString('hex');
      uploads.set(id, new Map());
      return xml(res, 200, `<InitiateMultipartUploadResult><Bucket>${name.split('/')[0]}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    }
    const upload = query.uploadId ? uploads.get(query.uploadId) : undefined;
    if (query.uploadId && !upload) return xml(res, 404, '<Error><Code>NoSuchUpload</Code><Message>No such upload.</Message></Error>');
    if (req.method === 'PUT' && upload) {
      upload.set(Number(query.partNumber), body);
      res.writeHead(200, { etag: etag(body) });
      return void res.end();
    }
    if (req.method === 'POST' && upload) {
      const parts = [...upload.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
      objects.set(name, Buffer.concat(parts));
      uploads.delete(query.uploadId!);
      return xml(res, 200, `<CompleteMultipartUploadResult><Key>${key}</Key><ETag>"done"</ETag></CompleteMultipartUploadResult>`);
    }
    if (req.method === 'DELETE' && upload) {
      uploads.delete(query.uploadId!);
      res.writeHead(204);
      return void res.end();
    }
    if (req.method === 'PUT') {
      objects.set(name, body);
      res.writeHead(200, { etag: etag(body) });
      return void res.end();
    }
    if (req.method === 'GET') {
      const obj = objects.get(name);
      if (!obj) return xml(res, 404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key></Error>`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': obj.length, etag: etag(obj) });
      return void res.end(obj);
    }
    if (req.method === 'DELETE') {
      objects.delete(name);
      res.writeHead(204);
      return void res.end();
    }
    xml(res, 400, '<Error><Code>NotImplemented</Code><Message>Not in the fake.</Message></Error>');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => xml(res, 500, `<Error><Code>InternalError</Code><Message>${String(err)}</Message></Error>`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    pendingUploads: () => uploads.size,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
