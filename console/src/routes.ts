import type { Route } from './router.tsx';
import { AssistantPage } from './pages/assistant.tsx';
import { AssistantsPage } from './pages/assistants.tsx';
import { ConversationPage } from './pages/conversation.tsx';
import { FilesPage } from './pages/files.tsx';
import { PlaygroundPage } from './pages/playground.tsx';
import { ResponsePage } from './pages/response.tsx';
import { ResponsesPage } from './pages/responses.tsx';
import { ThreadPage } from './pages/thread.tsx';
import { ThreadsPage } from './pages/threads.tsx';
import { UsagePage } from './pages/usage.tsx';
import { VectorStorePage } from './pages/vector-store.tsx';
import { VectorStoresPage } from './pages/vector-stores.tsx';

/** Every page of the console; '/' shows the playground. */
export const ROUTES: readonly Route[] = [
  { pattern: '', page: PlaygroundPage },
  { pattern: '/console', page: PlaygroundPage },
  { pattern: '/console/playground', page: PlaygroundPage },
  { pattern: '/console/assistants', page: AssistantsPage },
  { pattern: '/console/assistants/:id', page: AssistantPage },
  { pattern: '/console/threads', page: ThreadsPage },
  { pattern: '/console/threads/:id', page: ThreadPage },
  { pattern: '/console/responses', page: ResponsesPage },
  { pattern: '/console/responses/:id', page: ResponsePage },
  { pattern: '/console/conversations/:id', page: ConversationPage },
  { pattern: '/console/files', page: FilesPage },
  { pattern: '/console/vector-stores', page: VectorStoresPage },
  { pattern: '/console/vector-stores/:id', page: VectorStorePage },
  { pattern: '/console/usage', page: UsagePage },
];

/** The navigation's links, in order (their names are the tests' contract). */
export const NAV_LINKS: ReadonlyArray<{ href: string; label: string }> = [
  { href: '/console/playground', label: 'Playground' },
  { href: '/console/assistants', label: 'Assistants' },
  { href: '/console/threads', label: 'Threads' },
  { href: '/console/responses', label: 'Responses' },
  { href: '/console/files', label: 'Files' },
  { href: '/console/vector-stores', label: 'Vector stores' },
  { href: '/console/usage', label: 'Usage' },
];
