import { createParser } from 'eventsource-parser';
import type { CompletionUsage } from 'openai/resources/completions';
import { DONE_PAYLOAD, SSE_DONE, sseData, sseError } from './sse.js';

/** What the relay learned from a stream, for metering. */
export interface ChatStreamSummary {
  usage: CompletionUsage | null;
  /** The raw `data:` payloads, kept only so usage can be counted when the upstream sent none. */
  payloads: string[];
  sawDone: boolean;
  error: string | null;
}

export const upstreamStreamError = (message: string): string =>
  sseError({ message, type: 'upstream_error', code: 'upstream_error' });

/** Cheap pre-check so only chunks that can carry a usage object are parsed. */
const mayCarryUsage = (data: string) => data.includes('"usage"') && !/"usage"\s*:\s*null/.test(data);

function handleUsageChunk(data: string, includeUsage: boolean, summary: ChatStreamSummary): string | null {
  let chunk: { usage?: CompletionUsage | null; choices?: unknown[] };
  try {
    chunk = JSON.parse(data);
  } catch {
    return data;
  }
  if (!chunk.usage || typeof chunk.usage !== 'object') return data;
  summary.usage = chunk.usage;
  if (includeUsage) return data;
  // The client did not ask for usage: we asked upstream for it only to meter the stream.
  if (Array.isArray(chunk.choices) && chunk.choices.length === 0) return null;
  delete chunk.usage;
  return JSON.stringify(chunk);
}

async function drain(source: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await source.next()).done);
  } catch {
    // The connection is gone; nothing to reuse.
  }
}

/**
 * Relays an upstream chat-completion SSE body as it arrives: each upstream read yields the
 * complete events it finished, re-framed as `data: …\n\n`. The usage chunk is dropped when the client
 * did not ask for it. A body that breaks or ends without `[DONE]` ends with an error event.
 */
export async function* relayChatStream(opts: {
  source: AsyncIterable<Uint8Array | string>;
  includeUsage: boolean;
  summary: ChatStreamSummary;
}): AsyncGenerator<string> {
  const { summary, includeUsage } = opts;
  let out = '';
  const parser = createParser({
    onEvent(event) {
      if (summary.sawDone) return;
      const data = event.data;
      if (data === DONE_PAYLOAD) {
        summary.sawDone = true;
        out += SSE_DONE;
        return;
      }
      summary.payloads.push(data);
      const relayed = mayCarryUsage(data) ? handleUsageChunk(data, includeUsage, summary) : data;
      if (relayed !== null) out += sseData(relayed);
    },
  });
  const decoder = new TextDecoder();
  const source = opts.source[Symbol.asyncIterator]();
  try {
    for (let r = await source.next(); !r.done; r = await source.next()) {
      parser.feed(typeof r.value === 'string' ? r.value : decoder.decode(r.value, { stream: true }));
      if (out) {
        const frames = out;
        out = '';
        yield frames;
      }
      if (summary.sawDone) {
        // The client's stream is complete. The rest of the body (normally nothing) is read in the
        // background: destroying it would close the upstream connection instead of reusing it.
        void drain(source);
        return;
      }
    }
  } catch (err) {
    summary.error = `The upstream stream broke off: ${(err as Error).message}`;
    yield upstreamStreamError(summary.error);
    return;
  }
  if (!summary.sawDone) {
    summary.error = 'The upstream stream ended before it was complete.';
    yield upstreamStreamError(summary.error);
  }
}
