import net from 'node:net';

/**
 * A minimal HTTP/1.1 keep-alive client for load generation: one socket, one request at a time, the request's
 * bytes encoded once. It reads just enough of each answer to know where it ends (content-length, or chunked
 * framing for SSE) and its status; much lighter than a general client, so the load generator takes less of the
 * CPU it shares with the servers under test, and its connections stay open across many short measurement slices
 * (autocannon opens new ones per run).
 */

const CRLF2 = Buffer.from('\r\n\r\n');

/** Encodes one POST request with a JSON body. */
export function encodeRequest(o: { host: string; path: string; headers: Record<string, string>; body: string }): Buffer {
  const body = Buffer.from(o.body);
  const lines = [`POST ${o.path} HTTP/1.1`, `host: ${o.host}`, `content-length: ${body.length}`];
  for (const [k, v] of Object.entries(o.headers)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body]);
}

/** Where a response ends in `buf` (its length), or -1 when more bytes are needed. Throws on what it cannot frame. */
export function responseEnd(buf: Buffer): { end: number; status: number } | undefined {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    return buf.length >= end ? { end, status } : undefined;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error(`unframed response: ${head.slice(0, 200)}`);
  for (let pos = bodyStart; ; ) {
    const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    // A chunk: size line, data, CRLF. The last one (size 0) has no data and ends with an empty trailer line.
    const next = lineEnd + 2 + size + 2;
    if (buf.length < next) return undefined;
    if (size === 0) return { end: next, status };
    pos = next;
  }
}

/** One keep-alive connection; `send` resolves with the status once the whole answer has arrived. */
export class RawConnection {
  #socket: net.Socket | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #pending: { resolve: (status: number) => void; reject: (err: Error) => void } | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#connected().write(request);
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connected(): net.Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (d: Buffer) => this.#onData(d));
    const fail = (err: Error) => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#buf = Buffer.alloc(0);
      const p = this.#pending;
      this.#pending = undefined;
      p?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.#socket = socket;
    return socket;
  }

  #onData(d: Buffer): void {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    let done: { end: number; status: number } | undefined;
    try {
      done = responseEnd(this.#buf);
    } catch (err) {
      this.#socket?.destroy(err as Error);
      return;
    }
    if (!done) return;
    this.#buf = this.#buf.subarray(done.end);
    const p = this.#pending;
    this.#pending = undefined;
    p?.resolve(done.status);
  }
}
