/**
 * A scripted fake of Anthropic's Messages API (node:http on 127.0.0.1), after fake-upstream.ts:
 * a FIFO queue of scripted answers for POST /v1/messages, and every request recorded. With an
 * empty queue it answers a short text stream; GET /v1/models lists one model.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type AnthropicScripted =
  /** An SSE stream: each event sent as `event: <type>` + `data: <json>`. */
  | { type: 'events'; events: Array<{ type: string; [field: string]: unknown }> }
  | { type: 'error'; status: number; body: unknown };

export interface AnthropicCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body. */
  body: Record<string, unknown>;
}

export interface FakeAnthropic {
  /** 'http://127.0.0.1:<port>' (no /v1: the provider adds it). */
  url: string;
  calls: AnthropicCall[];
  enqueue(...answers: AnthropicScripted[]): void;
  pending(): number;
  close(): Promise<void>;
}

type Usage = { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };

/** message_start … message_stop around content blocks. */
export function messageEvents(opts: {
  blocks?: Array<
    { type: 'text'; deltas: string[] } | { type: 'thinking'; deltas: string[] } | { type: 'tool_use'; id: string; name: string; jsonDeltas: string[] }
  >;
  stopReason?: string;
  usage?: Usage;
  outputTokens?: number;
}): Array<{ type: string; [field: string]: unknown }> {
  const events: Array<{ type: string; [field: string]: unknown }> = [
    {
      type: 'message_start',
      message: { id: 'msg_fake', type: 'message', role: 'assistant', model: 'claude-fake', content: [], stop_reason: null, usage: { input_tokens: 12, output_tokens: 1, ...opts.usage } },
    },
    { type: 'ping' },
  ];
  (opts.blocks ?? [{ type: 'text', deltas: ['Hello', ' from Claude'] }]).forEach((b, index) => {
    if (b.type === 'thinking') {
      // Extended thinking: thinking_delta pieces, then the block's signature.
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } });
      for (const thinking of b.deltas) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'EqQBCkgIARABGAIiQL2' } });
    } else if (b.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const text of b.deltas) events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
      for (const partial_json of b.jsonDeltas) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    { type: 'message_delta', delta: { stop_reason: opts.stopReason ?? 'end_turn', stop_sequence: null }, usage: { output_tokens: opts.outputTokens ?? 7 } },
    { type: 'message_stop' },
  );
  return events;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, s: AnthropicScripted): void {
  if (s.type === 'error') {
    res.writeHead(s.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(s.body));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(s.events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const queue: AnthropicScripted[] = [];
  const calls: AnthropicCall[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    void readBody(req).then((text) => {
      const path = (req.url ?? '/').split('?')[0]!;
      calls.push({ method: req.method ?? 'GET', path, headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      if (path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: [{ type: 'model', id: 'claude-fake-1', display_name: 'Claude Fake', created_at: '2025-01-01T00:00:00Z' }], has_more: false }));
        return;
      }
      if (path !== '/v1/messages') {
        answer(res, { type: 'error', status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'Not found' } } });
        return;
      }
      answer(res, queue.shift() ?? { type: 'events', events: messageEvents({}) });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    enqueue: (...answers) => queue.push(...answers),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
