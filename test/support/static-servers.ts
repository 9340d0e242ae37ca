import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * Plain static file servers of the kind people pull models from, for download tests:
 * Python's `http.server` (HTTP/1.0 answers, Content-Length, no Range, the connection closed after
 * each response) and a raw HTTP/1.0 server whose body has no length and ends when it closes.
 */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** `python3 -m http.server 0 --bind 127.0.0.1` serving `dir`. */
export async function startPythonHttpServer(dir: string): Promise<StaticServer> {
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = once(child, 'exit');
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /port (\d+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then(([code]) => reject(new Error(`python3 -m http.server exited with ${String(code)}`)));
    child.on('error', reject); // no python3 on PATH
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Answers every request `HTTP/1.0 200` with `content` and no Content-Length: the body ends when the connection does. */
export async function startCloseDelimitedServer(content: Buffer): Promise<StaticServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', () => {
      socket.write('HTTP/1.0 200 OK\r\ncontent-type: application/octet-stream\r\n\r\n');
      socket.end(content);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
