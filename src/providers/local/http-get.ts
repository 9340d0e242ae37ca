import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One GET through Node's own HTTP client, for downloads. Not undici: undici 7's HTTP/1 client
 * asserts `!this.paused` and crashes the process when a server closes the connection while the
 * body is paused under back-pressure (nodejs/undici#5360, fixed only in undici 8, which needs
 * Node 22) — exactly what a plain static server (HTTP/1.0, `Connection: close`) does to a download
 * that writes to disk slower than the network delivers. node:http pauses the socket instead.
 */

export class HttpGetError extends Error {
  override name = 'HttpGetError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A socket that stays silent this long fails the download. */
const IDLE_TIMEOUT_MS = 60_000;

const unreachable = (url: URL, err: NodeJS.ErrnoException): HttpGetError =>
  new HttpGetError(`Could not reach ${url.host} (${err.code ?? err.message})`, err.code);

export function httpGet(opts: { url: string; headers: Record<string, string>; signal?: AbortSignal; idleTimeoutMs?: number }): Promise<IncomingMessage> {
  const url = new URL(opts.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: opts.headers, signal: opts.signal }, (res) => {
      res.on('error', () => {}); // the reader of the body sees it through its pipeline
      resolve(res);
    });
    req.setTimeout(opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS, () =>
      req.destroy(new HttpGetError(`${url.host} sent nothing for ${Math.round((opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS) / 1000)} s`, 'ETIMEDOUT')),
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof HttpGetError || err.name === 'AbortError' ? err : unreachable(url, err)));
    req.end();
  });
}
