// Everything a thread page shows, loaded in one go (and again every second while a run is going).
import type { Thread } from 'openai/resources/beta/threads/threads';
import type { Message } from 'openai/resources/beta/threads/messages';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep } from 'openai/resources/beta/threads/runs/steps';
import { client } from '../../api.ts';
import { isTerminalRun } from '../../lib/run-timeline.ts';

export interface ThreadView {
  thread: Thread;
  messages: Message[];
  runs: Array<{ run: Run; steps: RunStep[] }>;
}

/** Asks for file_search results with their chunk text, so the timeline can show what was found. */
const STEP_INCLUDE = ['step_details.tool_calls[*].file_search.results[*].content'] as const;

/** Every item of a list across its pages (the SDK's PagePromise iterates them with for await). */
export async function allPages<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

export async function loadThreadView(threadId: string): Promise<ThreadView> {
  const c = client();
  // The thread first: an unknown id then costs one 404, not three.
  const thread = await c.beta.threads.retrieve(threadId);
  const [messages, runs] = await Promise.all([
    allPages<Message>(c.beta.threads.messages.list(threadId, { order: 'asc', limit: 100 })),
    allPages<Run>(c.beta.threads.runs.list(threadId, { order: 'asc', limit: 100 })),
  ]);
  const steps = await Promise.all(
    runs.map((run) => allPages<RunStep>(c.beta.threads.runs.steps.list(run.id, { thread_id: threadId, order: 'asc', limit: 100, include: [...STEP_INCLUDE] }))),
  );
  return { thread, messages, runs: runs.map((run, i) => ({ run, steps: steps[i] ?? [] })) };
}

/** True while some run of the thread can still change. */
export const isLive = (view: ThreadView | undefined): boolean => !!view?.runs.some((r) => !isTerminalRun(r.run.status));
