import type { Server } from 'node:http';
import type { Logger } from 'pino';

/** What shutdown needs of the HTTP app (a Fastify instance): no web framework is imported here. */
export interface ClosableApp {
  close(): PromiseLike<unknown>;
  readonly server: Pick<Server, 'closeAllConnections' | 'closeIdleConnections'>;
}

/**
 * Stops accepting and lets in-flight requests and streams finish, up to `graceMs`; then the
 * connections still open are closed.
 */
async function closeHttp(app: ClosableApp, opts: { graceMs: number; log: Logger }): Promise<void> {
  const deadline = setTimeout(() => {
    opts.log.warn({ graceMs: opts.graceMs }, 'grace period over: closing open connections');
    app.server.closeAllConnections();
  }, opts.graceMs);
  deadline.unref();
  // Connections that finish their last response during the grace period would otherwise idle
  // for the keep-alive timeout before close() returns.
  const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
    clearInterval(reaper);
  }
}

/**
 * The server's close(): HTTP first, then each of `closers` in turn (even if HTTP failed to
 * close cleanly), each once however often close() is called.
 */
export function shutdown(opts: {
  app: ClosableApp;
  graceMs: number;
  log: Logger;
  closers: ReadonlyArray<() => Promise<void>>;
}): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      try {
        await closeHttp(opts.app, opts);
      } finally {
        for (const close of opts.closers) await close();
      }
    })());
}
