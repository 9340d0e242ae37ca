/**
 * The "floor": the cheapest reasonable HTTP proxy in Node, used by the benchmark as the baseline a
 * gateway is compared against. It forwards every request to the upstream over a keep-alive agent
 * and pipes bodies both ways without parsing anything.
 *
 *   UPSTREAM_URL=http://127.0.0.1:1234 node --import tsx bench/floor-proxy.ts  → prints `PORT=<port>`
 *
 * Env: UPSTREAM_URL (origin; any path is ignored), PORT (default 0 = ephemeral).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface FloorProxy {
  port: number;
  close(): Promise<void>;
}

export async function startFloorProxy(upstreamUrl: string, port = 0): Promise<FloorProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const server = http.createServer((req, res) => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // Request headers go through as they are, only `host` is rewritten.
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

// Run as a process when executed directly (not when imported).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = process.env.UPSTREAM_URL;
  if (!target) {
    process.stderr.write('floor-proxy: UPSTREAM_URL is required\n');
    process.exit(2);
  }
  const proxy = await startFloorProxy(target, Number(process.env.PORT ?? 0));
  process.stdout.write(`PORT=${proxy.port}\n`);
  const stop = (): void => void proxy.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
