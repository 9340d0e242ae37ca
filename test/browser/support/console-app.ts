// A real Switchboard (SQLite: the browser tests judge the page, not the store) over the scripted fake upstream,
// serving the built console, and one headless Chromium for the test file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { startFakeUpstream, type FakeUpstream } from '../../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../../support/create-test-app.js';
import { launchBrowser } from './browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ConsoleApp {
  app: TestApp;
  fake: FakeUpstream;
  browser: Browser;
  /** A key of the app's first tenant. */
  key: string;
  /** http://127.0.0.1:port */
  url: string;
  close(): Promise<void>;
}

/** The newest modification time of the console's sources (console/, but its dist). */
function newestSource(dir = `${ROOT}console`): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.name !== 'dist')
      .map((e) => (e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)),
  );
}

/** Builds console/dist when it is missing or older than its sources (npm test builds it first; this covers `node --test`). */
function ensureBuilt(): void {
  const index = `${ROOT}console/dist/index.html`;
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource()) return;
  const built = spawnSync(process.execPath, ['scripts/build-console.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build:console failed');
}

/** `env` and `yaml` go to createTestApp (e.g. `SWITCHBOARD_API_KEYS: ''` for open mode). */
export async function startConsoleApp(opts: { env?: Record<string, string>; yaml?: string } = {}): Promise<ConsoleApp> {
  ensureBuilt();
  const fake = await startFakeUpstream();
  const app = await createTestApp({ dialect: 'sqlite', env: { SWITCHBOARD_UPSTREAM_URL: fake.url, ...opts.env }, yaml: opts.yaml });
  const browser = await launchBrowser();
  return {
    app,
    fake,
    browser,
    key: TEST_KEYS[0],
    url: app.url,
    close: async () => {
      await browser.close();
      await app.close();
      await fake.close();
    },
  };
}
