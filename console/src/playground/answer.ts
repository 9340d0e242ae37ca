// Streams one answer into the transcript: text as it arrives, notes for built-in tools, then usage and latency
// (first token, total) on the answer's last line; Stop aborts it.
import type { Outcome, Sink, Usage } from './driver.ts';

export type Role = 'user' | 'assistant' | 'tool' | 'output' | 'note' | 'error';
export interface TurnView {
  key: number;
  role: Role;
  text: string;
  meta?: string;
}

export interface Transcript {
  add(role: Role, text: string): number;
  append(key: number, text: string): void;
  setMeta(key: number, meta: string): void;
}

export function formatMeta(usage: Usage | undefined, firstMs: number | undefined, totalMs: number): string {
  const tokens = usage ? `${usage.input} in · ${usage.output} out · ${usage.total} tokens` : 'no usage reported';
  const first = firstMs === undefined ? '' : ` · first token ${Math.round(firstMs)} ms`;
  return `${tokens}${first} · total ${Math.round(totalMs)} ms`;
}

/** A sink writing into the transcript; `last()` is the key of the answer's last turn (for its meta line). */
export function transcriptSink(t: Transcript): Sink & { last(): number | undefined; firstMs(): number | undefined } {
  const start = performance.now();
  let first: number | undefined;
  let current: number | undefined;
  let last: number | undefined;
  return {
    text(delta) {
      first ??= performance.now() - start;
      if (current === undefined) last = current = t.add('assistant', '');
      t.append(current, delta);
    },
    note(text) {
      first ??= performance.now() - start;
      last = t.add('note', text);
      current = undefined;
    },
    last: () => last,
    firstMs: () => first,
  };
}

/** Runs `answer`, writing it into the transcript; resolves with its outcome, or undefined when stopped or failed. */
export async function streamAnswer(opts: {
  transcript: Transcript;
  signal: AbortSignal;
  answer: (sink: Sink) => Promise<Outcome>;
}): Promise<Outcome | undefined> {
  const { transcript: t } = opts;
  const start = performance.now();
  const sink = transcriptSink(t);
  const stopped = () => {
    t.setMeta(sink.last() ?? t.add('assistant', ''), `stopped after ${Math.round(performance.now() - start)} ms`);
    return undefined;
  };
  try {
    const outcome = await opts.answer(sink);
    // The SDK's stream ends quietly (no exception) when its request is aborted.
    if (opts.signal.aborted) return stopped();
    let key = sink.last();
    for (const call of outcome.toolCalls) key = t.add('tool', `${call.name}(${call.arguments})`);
    t.setMeta(key ?? t.add('assistant', ''), formatMeta(outcome.usage, sink.firstMs(), performance.now() - start));
    return outcome;
  } catch (err) {
    if (opts.signal.aborted) return stopped();
    throw err;
  }
}
