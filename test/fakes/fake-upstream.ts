/**
 * A scripted fake OpenAI-compatible upstream (node:http on 127.0.0.1).
 *
 * - Per-path FIFO queues of scripted responses (`enqueue`).
 * - When a path's queue is empty, fast built-in defaults answer
 *   /v1/chat/completions (stream and non-stream), /v1/models, /v1/embeddings.
 * - Every request is recorded (method, path, headers, parsed body) unless `record: false`.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DEFAULT_CONTENT,
  DEFAULT_USAGE,
  chatChunks,
  chatCompletion,
  defaultErrorBody,
  errorBody,
  nextCompletionId,
  nowSeconds,
} from './chunks.js';

export type Scripted =
  | { type: 'json'; status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  | {
      type: 'sse';
      chunks: Array<unknown | string>;
      /** Delay before each chunk (and before [DONE]). */
      delayMs?: number;
      /** Default true: send `data: [DONE]`. */
      done?: boolean;
      /** Destroy the socket after this many chunks (no [DONE]). */
      breakAfter?: number;
      status?: number;
      headers?: Record<string, string>;
    }
  | { type: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  | { type: 'hang' }
  | { type: 'destroy' }
  | { type: 'controlled'; handle: ControlledStream };

export interface ControlledStream {
  /** Send one SSE event: strings verbatim as `data: <string>\n\n`, objects JSON-stringified. Buffered until the request arrives. */
  write(chunk: unknown | string): void;
  /** Write raw bytes to the response body (e.g. partial SSE lines, comments). Buffered until the request arrives. */
  writeRaw(text: string): void;
  /** Finish the response; `done` (default true) sends `data: [DONE]` first. */
  end(done?: boolean): void;
  /** Resolves when the client goes away before `end()` (or the server is closed). */
  aborted: Promise<void>;
  isAborted(): boolean;
  /** Resolves when the request has arrived and the response headers were sent. */
  started: Promise<void>;
}

export interface RecordedCall {
  method: string;
  /** Pathname, without the query string. */
  path: string;
  /** Raw request URL (path + query). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON; the raw string if not JSON; undefined when the body is empty. */
  body: any;
}

export interface FakeUpstream {
  /** 'http://127.0.0.1:<port>/v1' */
  url: string;
  port: number;
  calls: RecordedCall[];
  /** FIFO per path ('/v1/chat/completions', '/v1/models', ...); matched on pathname regardless of method. */
  enqueue(path: string, ...responses: Scripted[]): void;
  /** Number of scripted responses still queued (for a path, or all). */
  pending(path?: string): number;
  /** Clear queues and calls. */
  reset(): void;
  /** Close the server, destroying open sockets. */
  close(): Promise<void>;
}

export interface StartFakeUpstreamOpts {
  port?: number;
  /** Default true; the benchmark passes false. */
  record?: boolean;
}

// ---------------------------------------------------------------------------
// Controlled streams

const ATTACH = Symbol('fake-upstream.attach');

interface ControlledInternal extends ControlledStream {
  [ATTACH](res: ServerResponse, status: number): void;
}

function sseData(chunk: unknown): string {
  return 'data: ' + (typeof chunk === 'string' ? chunk : JSON.stringify(chunk)) + '\n\n';
}

const DONE_EVENT = 'data: [DONE]\n\n';

export function controlledStream(): ControlledStream {
  let res: ServerResponse | undefined;
  let buffered: string[] = [];
  let endRequested: boolean | undefined; // value = done flag
  let ended = false;
  let abortedFlag = false;
  let resolveAborted!: () => void;
  let resolveStarted!: () => void;
  const aborted = new Promise<void>((r) => (resolveAborted = r));
  const started = new Promise<void>((r) => (resolveStarted = r));

  const doEnd = (done: boolean): void => {
    if (!res || ended) return;
    ended = true;
    if (res.destroyed) return;
    res.end(done ? DONE_EVENT : undefined);
  };

  const handle: ControlledInternal = {
    write(chunk) {
      this.writeRaw(sseData(chunk));
    },
    writeRaw(text) {
      if (ended || endRequested !== undefined) return;
      if (!res) buffered.push(text);
      else if (!res.destroyed) res.write(text);
    },
    end(done = true) {
      if (!res) {
        if (endRequested === undefined) endRequested = done;
        return;
      }
      doEnd(done);
    },
    aborted,
    isAborted: () => abortedFlag,
    started,
    [ATTACH](r, status) {
      if (res) throw new Error('fake-upstream: a controlled stream can only serve one request');
      res = r;
      r.on('close', () => {
        if (!r.writableFinished) {
          abortedFlag = true;
          resolveAborted();
        }
      });
      r.writeHead(status, SSE_HEADERS);
      r.flushHeaders();
      for (const text of buffered) r.write(text);
      buffered = [];
      resolveStarted();
      if (endRequested !== undefined) doEnd(endRequested);
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------
// Pre-serialized defaults

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

const MODELS_BODY = JSON.stringify({
  object: 'list',
  data: [
    { id: 'fake-model', object: 'model', created: 1700000000, owned_by: 'fake' },
    { id: 'fake-model-2', object: 'model', created: 1700000000, owned_by: 'fake' },
  ],
});
const MODEL_BODIES = new Map<string, string>(
  (JSON.parse(MODELS_BODY) as { data: Array<{ id: string }> }).data.map((m) => [m.id, JSON.stringify(m)]),
);

/** Serialize an object after stripping id/object/created/model; result starts with ',' (or is '}'). */
function tailOf(obj: object): string {
  const { id: _id, object: _object, created: _created, model: _model, ...rest } = obj as Record<string, unknown>;
  const s = JSON.stringify(rest);
  return s === '{}' ? '}' : ',' + s.slice(1);
}

function head(id: string, object: string, created: number, modelJson: string): string {
  return '{"id":"' + id + '","object":"' + object + '","created":' + created + ',"model":' + modelJson;
}

function completionTail(content: string): string {
  return tailOf(chatCompletion({ content }));
}
function chunkTails(content: string, includeUsage: boolean): string[] {
  return chatChunks({ content, includeUsage, usage: includeUsage ? DEFAULT_USAGE : null }).map(tailOf);
}

const DEFAULT_COMPLETION_TAIL = completionTail(DEFAULT_CONTENT);
const DEFAULT_CHUNK_TAILS = chunkTails(DEFAULT_CONTENT, false);
const DEFAULT_CHUNK_TAILS_USAGE = chunkTails(DEFAULT_CONTENT, true);

let requestCounter = 0;

// ---------------------------------------------------------------------------
// Helpers

function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  extraHeaders?: Record<string, string>,
): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': 'req_fake' + (++requestCounter).toString(36),
  };
  if (extraHeaders) for (const k of Object.keys(extraHeaders)) headers[k.toLowerCase()] = extraHeaders[k]!;
  res.writeHead(status, headers);
  res.end(body);
}

function serialize(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body ?? null);
}

function notFound(res: ServerResponse, method: string, path: string): void {
  sendJson(res, 404, JSON.stringify(errorBody(`Invalid URL (${method} ${path})`)));
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function echoContent(body: Record<string, any>): string | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObject(m) && m.role === 'user') {
      if (typeof m.content === 'string' && m.content.startsWith('echo:')) return m.content.slice(5);
      return undefined;
    }
  }
  return undefined;
}

/** Deterministic unit-length 8-d vector from text (FNV-1a seeded xorshift). */
export function fakeEmbedding(text: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  let x = h >>> 0 || 1;
  const v: number[] = [];
  for (let i = 0; i < 8; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    v.push((x / 0xffffffff) * 2 - 1);
  }
  const norm = Math.sqrt(v.reduce((s, n) => s + n * n, 0)) || 1;
  // Round through float32 so base64 and float encodings agree exactly.
  return v.map((n) => Math.fround(n / norm));
}

function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

// ---------------------------------------------------------------------------
// Default handlers

function defaultChat(res: ServerResponse, body: unknown): void {
  if (!isObject(body)) {
    sendJson(
      res,
      400,
      JSON.stringify(
        errorBody(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
        ),
      ),
    );
    return;
  }
  const model = typeof body.model === 'string' ? body.model : 'fake-model';
  const modelJson = JSON.stringify(model);
  const echo = echoContent(body);
  const id = nextCompletionId();
  const created = nowSeconds();

  if (body.stream === true) {
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
    const tails =
      echo === undefined
        ? includeUsage
          ? DEFAULT_CHUNK_TAILS_USAGE
          : DEFAULT_CHUNK_TAILS
        : chunkTails(echo, includeUsage);
    const h = head(id, 'chat.completion.chunk', created, modelJson);
    let out = '';
    for (const t of tails) out += 'data: ' + h + t + '\n\n';
    out += DONE_EVENT;
    res.writeHead(200, SSE_HEADERS);
    res.end(out);
    return;
  }

  const tail = echo === undefined ? DEFAULT_COMPLETION_TAIL : completionTail(echo);
  sendJson(res, 200, head(id, 'chat.completion', created, modelJson) + tail);
}

function defaultEmbeddings(res: ServerResponse, body: unknown): void {
  if (!isObject(body) || body.input === undefined) {
    sendJson(res, 400, JSON.stringify(errorBody("'input' is a required property", 'invalid_request_error', null, 'input')));
    return;
  }
  const input = body.input as unknown;
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.every((x) => typeof x === 'number')) texts = [input.join(',')];
  else if (Array.isArray(input)) texts = input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  else texts = [JSON.stringify(input)];

  const base64 = body.encoding_format === 'base64';
  let tokens = 0;
  const data = texts.map((text, index) => {
    tokens += approxTokens(text);
    const vec = fakeEmbedding(text);
    const embedding = base64 ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
    return { object: 'embedding', index, embedding };
  });
  sendJson(
    res,
    200,
    JSON.stringify({
      object: 'list',
      data,
      model: typeof body.model === 'string' ? body.model : 'fake-embedding',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    }),
  );
}

function handleDefault(req: IncomingMessage, res: ServerResponse, path: string, body: unknown): void {
  const method = req.method ?? 'GET';
  if (method === 'POST' && path === '/v1/chat/completions') return defaultChat(res, body);
  if (method === 'GET' && path === '/v1/models') return sendJson(res, 200, MODELS_BODY);
  if (method === 'POST' && path === '/v1/embeddings') return defaultEmbeddings(res, body);
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const m = MODEL_BODIES.get(decodeURIComponent(path.slice('/v1/models/'.length)));
    if (m) return sendJson(res, 200, m);
    return sendJson(
      res,
      404,
      JSON.stringify(errorBody(`The model '${path.slice(11)}' does not exist`, 'invalid_request_error', 'model_not_found', 'model')),
    );
  }
  notFound(res, method, path);
}

// ---------------------------------------------------------------------------
// Server

export async function startFakeUpstream(opts: StartFakeUpstreamOpts = {}): Promise<FakeUpstream> {
  const record = opts.record ?? true;
  const queues = new Map<string, Scripted[]>();
  const calls: RecordedCall[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const normalize = (p: string): string => {
    const q = p.indexOf('?');
    const s = q === -1 ? p : p.slice(0, q);
    return s.startsWith('/') ? s : '/' + s;
  };

  const runScripted = (req: IncomingMessage, res: ServerResponse, s: Scripted): void => {
    switch (s.type) {
      case 'json': {
        const send = (): void => {
          if (!res.destroyed) sendJson(res, s.status ?? 200, serialize(s.body), s.headers);
        };
        if (s.delayMs && s.delayMs > 0) later(s.delayMs, send);
        else send();
        return;
      }
      case 'error':
        sendJson(res, s.status, serialize(s.body === undefined ? defaultErrorBody(s.status) : s.body), s.headers);
        return;
      case 'hang':
        return; // never answer; close() or the client tears the socket down
      case 'destroy':
        req.socket.destroy();
        return;
      case 'controlled':
        (s.handle as ControlledInternal)[ATTACH](res, 200);
        return;
      case 'sse': {
        const headers: Record<string, string> = { ...SSE_HEADERS };
        if (s.headers) for (const k of Object.keys(s.headers)) headers[k.toLowerCase()] = s.headers[k]!;
        res.writeHead(s.status ?? 200, headers);
        res.flushHeaders();
        const chunks = s.chunks;
        const breakAfter = s.breakAfter;
        const delay = s.delayMs ?? 0;
        let i = 0;
        const step = (): void => {
          if (res.destroyed) return;
          if (breakAfter !== undefined && i >= breakAfter) {
            // Everything written so far has been flushed (we only get here from a write callback
            // or before any write); now kill the connection mid-response.
            req.socket.destroy();
            return;
          }
          if (i < chunks.length) {
            const data = sseData(chunks[i++]);
            if (breakAfter !== undefined && i >= breakAfter) {
              res.write(data, () => step());
            } else {
              res.write(data);
              schedule();
            }
            return;
          }
          if (breakAfter !== undefined) {
            // breakAfter beyond the chunk count: break after all chunks, still no [DONE].
            req.socket.destroy();
            return;
          }
          res.end(s.done === false ? undefined : DONE_EVENT);
        };
        const schedule = (): void => {
          if (delay > 0) later(delay, step);
          else step();
        };
        schedule();
        return;
      }
    }
  };

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
      const raw = parts.length === 0 ? '' : parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
      const body = parseBody(raw);
      if (record) {
        calls.push({ method: req.method ?? 'GET', path, url: rawUrl, headers: { ...req.headers }, body });
      }
      const queue = queues.get(path);
      const scripted = queue?.shift();
      if (scripted) runScripted(req, res, scripted);
      else handleDefault(req, res, path, body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Client-side connection errors (e.g. resets) must not crash the test process.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    calls,
    enqueue(path, ...responses) {
      const key = normalize(path);
      let q = queues.get(key);
      if (!q) queues.set(key, (q = []));
      q.push(...responses);
    },
    pending(path) {
      if (path !== undefined) return queues.get(normalize(path))?.length ?? 0;
      let n = 0;
      for (const q of queues.values()) n += q.length;
      return n;
    },
    reset() {
      queues.clear();
      calls.length = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
