import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';
import { createRunEventBus, type RunEvent, type RunEventBus } from '../engine/run-events.js';
import { encodeAssistantEvent } from '../streaming/assistant-stream.js';
import type { RunRow, RunStatus } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { createToolRegistry } from '../tools/registry.js';
import { streamRunEvents } from './run-stream.js';
import { waitFor } from '../../test/support/until.js';

const tools = createToolRegistry();
const runRow = (id: string, status: RunStatus) => ({ id, status, tools: '[]', metadata: '{}' }) as RunRow;
const stepRow = (id: string) =>
  ({ id, type: 'tool_calls', status: 'in_progress', step_details: '{"type":"tool_calls","tool_calls":[]}' }) as RunStepRow;

/** The engine event the stream shows as the Assistants event `name` (a new run: created, then queued). */
function ev(name: AssistantStreamEvent['event'], id: string): RunEvent {
  if (name === 'thread.run.created') return { type: 'run.created', run: runRow(id, 'queued') };
  if (name === 'thread.run.step.created') return { type: 'step.started', step: stepRow(id) };
  return { type: 'run.status', run: runRow(id, name.slice('thread.run.'.length) as RunStatus) };
}
const frame = (e: RunEvent) =>
  encodeAssistantEvent(e, tools)
    .map((a) => `event: ${a.event}\ndata: ${JSON.stringify(a.data)}\n\n`)
    .join('');
const DONE = 'event: done\ndata: [DONE]\n\n';

/** A bus that counts live subscriptions, so a test can tell whether a stream let go of its run. */
function countingBus(): RunEventBus & { active(): number } {
  const inner = createRunEventBus();
  let active = 0;
  return {
    publish: (runId, event) => inner.publish(runId, event),
    hasSubscribers: (runId) => inner.hasSubscribers(runId),
    subscribe(runId, listener) {
      const unsubscribe = inner.subscribe(runId, listener);
      active += 1;
      let done = false;
      return () => {
        if (!done) active -= 1;
        done = true;
        unsubscribe();
      };
    },
    active: () => active,
  };
}

type Start = (subscribe: (runId: string) => void) => Promise<unknown>;

describe('streamRunEvents (the Assistants stream over the engine events)', () => {
  let app: FastifyInstance;
  let base: string;
  const bus = countingBus();
  /** The start() the next request's route uses. */
  let start: Start = async () => {};

  before(async () => {
    // Closes the keep-alive sockets the SSE responses leave open, so the suite ends promptly.
    app = Fastify({ forceCloseConnections: true });
    app.setErrorHandler((err: Error, _req, reply) => reply.status(400).send({ error: { message: err.message } }));
    app.get('/stream', async (_req, reply) => streamRunEvents({ reply, events: bus, tools, start: (subscribe) => start(subscribe) }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await app.close();
  });

  /** A start() that subscribes to runId, then publishes `events` on a later turn of the event loop. */
  function startPublishing(runId: string, events: RunEvent[]): Start {
    return async (subscribe) => {
      subscribe(runId);
      setImmediate(() => {
        for (const e of events) bus.publish(runId, e);
      });
      return { id: runId };
    };
  }

  it('should send each event as an SSE frame in order and end with done after a terminal event', async () => {
    const events = [
      ev('thread.run.created', 'run_a'),
      ev('thread.run.queued', 'run_a'),
      ev('thread.run.in_progress', 'run_a'),
      ev('thread.run.completed', 'run_a'),
    ];
    start = startPublishing('run_a', events);
    const res = await fetch(`${base}/stream`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(await res.text(), events.map(frame).join('') + DONE);
  });

  it('should end the stream with done after requires_action', async () => {
    const events = [ev('thread.run.in_progress', 'run_b'), ev('thread.run.requires_action', 'run_b')];
    start = startPublishing('run_b', events);
    const res = await fetch(`${base}/stream`);
    assert.equal(await res.text(), events.map(frame).join('') + DONE);
  });

  it('should send nothing published after the terminal event', async () => {
    const events = [ev('thread.run.failed', 'run_c'), ev('thread.run.step.created', 'run_c')];
    start = startPublishing('run_c', events);
    const res = await fetch(`${base}/stream`);
    assert.equal(await res.text(), frame(events[0]!) + DONE);
  });

  it('should not send events published before subscribe but send those after', async () => {
    const early = ev('thread.run.created', 'run_d');
    const late = [ev('thread.run.in_progress', 'run_d'), ev('thread.run.completed', 'run_d')];
    start = async (subscribe) => {
      bus.publish('run_d', early);
      subscribe('run_d');
      setImmediate(() => late.forEach((e) => bus.publish('run_d', e)));
    };
    const res = await fetch(`${base}/stream`);
    assert.equal(await res.text(), late.map(frame).join('') + DONE);
  });

  it('should send events published during start() after subscribing', async () => {
    const events = [ev('thread.run.created', 'run_e'), ev('thread.run.completed', 'run_e')];
    start = async (subscribe) => {
      subscribe('run_e');
      bus.publish('run_e', events[0]!);
      bus.publish('run_e', events[1]!);
    };
    const res = await fetch(`${base}/stream`);
    assert.equal(await res.text(), events.map(frame).join('') + DONE);
  });

  it('should send other runs\' events to nobody', async () => {
    const mine = [ev('thread.run.created', 'run_f'), ev('thread.run.completed', 'run_f')];
    start = async (subscribe) => {
      subscribe('run_f');
      setImmediate(() => {
        bus.publish('run_f', mine[0]!);
        bus.publish('run_other', ev('thread.run.created', 'run_other'));
        bus.publish('run_f', mine[1]!);
      });
    };
    const res = await fetch(`${base}/stream`);
    assert.equal(await res.text(), mine.map(frame).join('') + DONE);
  });

  it('should answer with a JSON error when start() throws after subscribing', async () => {
    start = async (subscribe) => {
      subscribe('run_g');
      throw new Error('Thread thread_1 already has an active run');
    };
    const res = await fetch(`${base}/stream`);
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { error: { message: 'Thread thread_1 already has an active run' } });
  });

  it('should leave no subscription behind when start() throws', async () => {
    const activeBefore = bus.active();
    start = async (subscribe) => {
      subscribe('run_h');
      throw new Error('nope');
    };
    await (await fetch(`${base}/stream`)).text();
    assert.equal(bus.active(), activeBefore);
    assert.equal(bus.hasSubscribers('run_h'), false);
  });

  it('should answer with a JSON error when start() throws before subscribing', async () => {
    start = async () => {
      throw new Error('No thread found');
    };
    const res = await fetch(`${base}/stream`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: { message: 'No thread found' } });
  });

  it('should unsubscribe when the stream ends', async () => {
    start = startPublishing('run_i', [ev('thread.run.completed', 'run_i')]);
    await (await fetch(`${base}/stream`)).text();
    await waitFor(() => bus.active() === 0, 'the stream to unsubscribe', 2000);
  });

  it('should unsubscribe when the client disconnects mid-stream', async () => {
    start = startPublishing('run_j', [ev('thread.run.in_progress', 'run_j')]);
    const abort = new AbortController();
    const res = await fetch(`${base}/stream`, { signal: abort.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    assert.equal(received, frame(ev('thread.run.in_progress', 'run_j')));
    assert.equal(bus.active(), 1);
    abort.abort();
    await reader.closed.catch(() => {});
    await waitFor(() => bus.active() === 0, 'the server to unsubscribe after the disconnect', 2000);
    assert.equal(bus.hasSubscribers('run_j'), false);
    // The run goes on: publishing to it afterwards is harmless.
    assert.doesNotThrow(() => bus.publish('run_j', ev('thread.run.completed', 'run_j')));
  });
});
