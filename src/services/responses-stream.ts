import type { Caller, Deps } from '../deps.js';
import type { AbortEmitter } from '../providers/openai-compatible/client.js';
import { asApiError } from '../errors.js';
import { RunEventQueue } from '../engine/run-event-queue.js';
import { ResponseEventJson } from '../streaming/response-json.js';
import { ResponseStreamEncoder, toSseFrames } from '../streaming/response-stream.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import type { CreateResponseRequest } from './responses-convert.js';
import { startResponse } from './responses-create.js';
import { responseSnapshot } from './responses-read.js';
import { requestOf } from './responses-by-run.js';
import { takeForgotten } from './responses-unkept.js';

/**
 * POST /v1/responses with `stream: true`: the response is started as a non-stream one is (a 400 is answered before
 * any frame), then its run's events are served as OpenAI's `response.*` SSE events until the terminal one. A
 * client that leaves (`gone`) only stops listening, at once: the response goes on and is stored — unless
 * `store: false`: then it is forgotten (`forget` cancels its run, which stops its model call, and deletes its rows).
 */
export async function streamResponse(
  deps: Deps,
  caller: Caller,
  request: CreateResponseRequest,
  opts: { forget: (row: ResponseRow) => Promise<void>; gone?: AbortEmitter },
): Promise<AsyncGenerator<string>> {
  const { forget, gone } = opts;
  const queue = new RunEventQueue(deps.events);
  // A `store: false` stream needs nothing of its rows after its run's end: they go in its last transaction, or are
  // never written (responses-create.ts heldInMemory) — but a background one's, whose events are recorded from the rows
  // as they are published (responses-recorder.ts).
  const forgetAtEnd = request.background !== true;
  const { response, unwritten } = await startResponse(deps, caller, request, { subscribe: queue.subscribe, forgetAtEnd });
  // Ends the frames' pending wait for the next event (the model may say nothing for long).
  if (gone?.aborted) queue.close();
  else gone?.once('abort', () => queue.close());
  // The stream shows the response three times or more (created, in_progress, its end): its request is parsed once.
  const echo = requestOf(response);
  const json = new ResponseEventJson();
  const encoder = new ResponseStreamEncoder({
    snapshot: (run, output) => responseSnapshot(response, run, output, echo),
    tools: deps.tools,
    include: request.include ?? [],
  });
  // A stream left before its run's end: the rows are still there. A background one's are kept for polling, and go
  // when they lapse (responses-lapse.ts); its client leaving does not stop it. One written nowhere (its run is held in
  // memory) has only its run to stop, here: a no-op once the run has ended.
  const forgets = response.store === 0 && response.background === 0;
  const done = async () => {
    if (unwritten) deps.engine.cancel(response.run_id);
    else if (forgets && !takeForgotten(response.id)) await forget(response);
  };
  return frames({ queue, encoder, json, done });
}

async function* frames(opts: {
  queue: RunEventQueue;
  encoder: ResponseStreamEncoder;
  json: ResponseEventJson;
  done: () => Promise<void>;
}): AsyncGenerator<string> {
  const { encoder, json } = opts;
  try {
    // What the engine announced meanwhile leaves in one write.
    for await (const batch of opts.queue.batches()) {
      const events = batch.flatMap((event) => encoder.encode(event));
      if (events.length) yield toSseFrames(events, json);
    }
  } catch (err) {
    const e = asApiError(err, 'The response failed.');
    yield toSseFrames([encoder.error({ code: e.code ?? e.type, message: e.message, param: e.param ?? null })], json);
  } finally {
    opts.queue.close();
    await opts.done();
  }
}
