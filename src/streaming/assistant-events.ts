import type { FastifyReply } from 'fastify';
import type { RunEventBus } from '../engine/run-events.js';
import { RunEventQueue } from '../engine/run-event-queue.js';
import { SSE_DONE_EVENT, SSE_HEADERS, SseWriter } from './sse.js';

/**
 * Serves a run's events as OpenAI's Assistants SSE stream: `event: thread.run.created` / `data: {run}`
 * … until the run ends or waits on tool outputs, then `event: done` / `data: [DONE]`.
 *
 * `start` creates (or continues) the run and must call `subscribe(runId)` after its commit and
 * before the first event is published, so the stream misses nothing. A client that disconnects
 * only unsubscribes: the run goes on.
 */
export async function streamRunEvents(opts: {
  reply: FastifyReply;
  events: RunEventBus;
  start: (subscribe: (runId: string) => void) => Promise<unknown>;
}): Promise<void> {
  const { reply } = opts;
  const queue = new RunEventQueue(opts.events);
  try {
    await opts.start(queue.subscribe);
  } catch (err) {
    queue.close();
    throw err;
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { ...SSE_HEADERS, 'openai-processing-ms': String(Math.round(reply.elapsedTime)) });
  res.flushHeaders();
  const sse = new SseWriter(res);
  const onClose = () => queue.close();
  res.on('close', onClose);
  try {
    for await (const event of queue) await sse.writeEvent(event.event, JSON.stringify(event.data));
    if (!sse.closed) await sse.write(SSE_DONE_EVENT);
  } finally {
    res.off('close', onClose);
    queue.close();
    sse.end();
    reply.log.info({ statusCode: 200, ms: Math.round(reply.elapsedTime), stream: true }, 'request completed');
  }
}
