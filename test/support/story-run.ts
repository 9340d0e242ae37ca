import type OpenAI from 'openai';
import { controlledStream, type ControlledStream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { until } from './until.js';

/** The next model answer begins ("Once upon") and then waits on the test: the upstream call stays open. */
export function beginStory(fake: FakeUpstream): ControlledStream {
  const handle = controlledStream();
  fake.enqueue('/v1/chat/completions', { type: 'controlled', handle });
  const [role, text] = chatChunks({ content: ['Once upon'] });
  handle.write(role!);
  handle.write(text!);
  return handle;
}

/** An assistant and a thread that asks it for a story. */
export async function storyThread(client: OpenAI): Promise<{ assistant: OpenAI.Beta.Assistant; thread: OpenAI.Beta.Thread }> {
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
  return { assistant, thread };
}

/** A run on a story thread whose half-written answer (see beginStory) is in the database. */
export async function startStoryRun(client: OpenAI): Promise<{ thread: OpenAI.Beta.Thread; run: OpenAI.Beta.Threads.Run }> {
  const { assistant, thread } = await storyThread(client);
  const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await until(() => client.beta.threads.messages.list(thread.id), (p) => p.data.some((m) => m.role === 'assistant'));
  return { thread, run };
}
