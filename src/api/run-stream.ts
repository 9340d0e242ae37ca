import type { FastifyReply } from 'fastify';
import type { RunEventBus } from '../engine/run-events.js';
import { RunEventQueue } from '../engine/run-event-queue.js';
import { encodeAssistantEvent } from '../streaming/assistant-stream.js';
import { SSE_DONE_EVENT } from '../streaming/sse.js';
import type { ToolRegistry } from '../tools/tool.js';
import { closeSseReply, openSseReply } from './sse-reply.js';

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
  /** The tools whose calls the stream shows (their step deltas). */
  tools: ToolRegistry;
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
  const sse = openSseReply(reply);
  const res = reply.raw;
  const onClose = () => queue.close();
  res.on('close', onClose);
  try {
    for await (const event of queue)
      for (const e of encodeAssistantEvent(event, opts.tools)) await sse.writeEvent(e.event, JSON.stringify(e.data));
    if (!sse.closed) await sse.write(SSE_DONE_EVENT);
  } finally {
    res.off('close', onClose);
    queue.close();
    closeSseReply(reply, sse);
  }
}
