import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { HttpGetError, httpGet } from './http-get.js';

/**
 * Downloads a GGUF file from a model hub URI or a URL into a folder: `hf:owner/repo/file.gguf`
 * (optionally `#revision`) is Hugging Face's `resolve` URL. The bytes go to `<file>.partial` and are
 * hashed (sha256) as they arrive; an interrupted download resumes with an HTTP Range request; the
 * file gets its name only once its sha256 matches what was asked (`sha256`) and what the hub
 * reported (an `x-linked-etag` / `etag` that is a sha256, as Hugging Face sends for LFS files).
 */

export interface PullSource {
  url: string;
  fileName: string;
}

export interface PullProgress {
  /** Bytes on disk so far, including what a resumed download already had. */
  received: number;
  /** Total size, when the server said. */
  total: number | null;
  /** Bytes that were already there when this download resumed. */
  resumedFrom: number;
}

export interface PullResult {
  path: string;
  sha256: string;
  bytes: number;
  /** True when the file was already complete and nothing was downloaded. */
  alreadyPresent: boolean;
  resumedFrom: number;
}

export class PullError extends Error {
  override name = 'PullError';
}

const SHA256 = /^[0-9a-f]{64}$/;

/** `hf:owner/repo/path/file.gguf[#revision]` or an http(s) URL → the URL to fetch and the file's name. */
export function resolvePullSource(source: string, hfEndpoint = 'https://huggingface.co'): PullSource {
  if (source.startsWith('hf:')) {
    const [spec = '', revision = 'main'] = source.slice(3).split('#');
    const parts = spec.split('/').filter(Boolean);
    if (parts.length < 3 || !/\.gguf$/i.test(spec))
      throw new PullError(`Expected hf:<owner>/<repo>/<file>.gguf[#revision], got '${source}'.`);
    const [owner, repo, ...path] = parts;
    const encoded = path.map(encodeURIComponent).join('/');
    return {
      url: `${hfEndpoint.replace(/\/+$/, '')}/${owner}/${repo}/resolve/${encodeURIComponent(revision)}/${encoded}`,
      fileName: path.at(-1)!,
    };
  }
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new PullError(`'${source}' is neither an hf: URI nor a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PullError(`Only http(s) URLs can be pulled, got '${source}'.`);
  const fileName = decodeURIComponent(basename(url.pathname));
  if (!fileName) throw new PullError(`The URL '${source}' names no file.`);
  return { url: url.toString(), fileName };
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  await pipeline(createReadStream(path), new Writable({ write: (chunk: Buffer, _enc, done) => (hash.update(chunk), done()) }));
}

const header = (res: IncomingMessage, name: string): string | undefined => {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** A sha256 the hub reported for the file, if its etag is one (Hugging Face LFS files). */
function reportedSha256(res: IncomingMessage): string | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const v = header(res, name)?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
    if (v && SHA256.test(v)) return v;
  }
  return undefined;
}

/** GET with redirects followed by hand, so headers of every hop (the hub's etag) are seen. */
async function get(opts: { url: string; headers: Record<string, string>; signal?: AbortSignal }) {
  let url = opts.url;
  let sha256: string | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const res = await httpGet({ url, headers: opts.headers, signal: opts.signal }).catch((err: unknown) => {
      throw err instanceof HttpGetError ? new PullError(`${err.message}; check the URL and the network.`) : err;
    });
    const status = res.statusCode ?? 0;
    sha256 ??= reportedSha256(res);
    const location = header(res, 'location');
    if (status >= 300 && status < 400 && location) {
      res.resume();
      url = new URL(location, url).toString();
      continue;
    }
    return { res, sha256 };
  }
  throw new PullError(`Too many redirects for ${opts.url}.`);
}

function totalSize(res: IncomingMessage, offset: number): number | null {
  const range = header(res, 'content-range')?.match(/\/(\d+)$/);
  if (range) return Number(range[1]);
  const length = Number(header(res, 'content-length'));
  return Number.isFinite(length) && header(res, 'content-length') !== undefined ? length + offset : null;
}

function verify(actual: string, expected: string | undefined, what: string): void {
  if (expected && actual !== expected)
    throw new PullError(`sha256 mismatch: the download is ${actual}, but ${what} is ${expected}. The file was removed.`);
}

export async function pullModel(opts: {
  source: string;
  dir: string;
  sha256?: string;
  hfEndpoint?: string;
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
}): Promise<PullResult> {
  const expected = opts.sha256?.toLowerCase();
  if (expected !== undefined && !SHA256.test(expected)) throw new PullError('--sha256 must be 64 hex digits.');
  const { url, fileName } = resolvePullSource(opts.source, opts.hfEndpoint);
  mkdirSync(opts.dir, { recursive: true });
  const path = join(opts.dir, fileName);
  const partial = `${path}.partial`;

  if (existsSync(path)) {
    const hash = createHash('sha256');
    await hashFile(path, hash);
    const sha256 = hash.digest('hex');
    if (expected && sha256 !== expected) throw new PullError(`${path} exists with sha256 ${sha256}, not ${expected}; remove it to download again.`);
    return { path, sha256, bytes: statSync(path).size, alreadyPresent: true, resumedFrom: 0 };
  }

  let offset = existsSync(partial) ? statSync(partial).size : 0;
  const headers: Record<string, string> = { 'user-agent': 'switchboard-pull' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const { res, sha256: hubSha256 } = await get({ url, headers, signal: opts.signal });

  const status = res.statusCode ?? 0;
  if (status === 416 && offset > 0) {
    // The partial file already holds every byte.
    res.resume();
  } else if (status !== 200 && status !== 206) {
    res.resume();
    throw new PullError(`${url} answered ${status}${status === 401 || status === 403 ? ' (a gated model? set HF_TOKEN)' : ''}.`);
  } else if (status === 200 && offset > 0) {
    // The server ignored the range: start over.
    offset = 0;
  }
  const resumedFrom = offset;
  const hash = createHash('sha256');
  if (offset > 0) await hashFile(partial, hash);
  const total = status === 416 ? offset : totalSize(res, offset);
  let received = offset;
  if (status !== 416) {
    const out = createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' });
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        received += chunk.length;
        opts.onProgress?.({ received, total, resumedFrom });
        done(null, chunk);
      },
    });
    // The file stream is the pipeline's own (its errors are the pipeline's); after a failure its last write and its
    // close are waited for, so the .partial file holds what was hashed and nothing writes to it once this returns.
    await pipeline(res, counted, out).catch(async (err: unknown) => {
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      throw new PullError(`The download broke off at ${received} bytes (${(err as Error).message}); run the same command again to resume.`);
    });
  }
  if (total !== null && received !== total)
    throw new PullError(`The download ended at ${received} of ${total} bytes; run the same command again to resume.`);
  const sha256 = hash.digest('hex');
  try {
    verify(sha256, expected, '--sha256');
    verify(sha256, hubSha256, 'the hub reports');
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  renameSync(partial, path);
  return { path, sha256, bytes: received, alreadyPresent: false, resumedFrom };
}
