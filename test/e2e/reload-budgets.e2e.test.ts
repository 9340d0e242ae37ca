import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { hashKey } from '../../src/config.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { testClock } from '../support/test-clock.js';

const [A, B] = TEST_KEYS.map((k) => 'key_' + hashKey(k).slice(0, 16)) as [string, string];
/** 1000 USD per million tokens: one answer of the fake upstream (17 tokens) costs 0.017 USD. */
const yaml = (budgets: string) => `prices:\n  gpt-4o: { input: 1000, output: 1000 }\nbudgets:\n${budgets}`;

for (const dialect of testDialects()) {
  describe(`budgets reloaded without a restart (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    const clock = testClock();
    /** What SIGHUP does (src/main.ts): the YAML read again, then the server's reload. */
    const reload = (budgets: string) => app.reload(yaml(budgets));

    const ask = (key: string) => app.client(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const quota = (err: unknown) => err instanceof OpenAI.RateLimitError && err.code === 'insufficient_quota';

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, yaml: yaml(`  ${A}: { usd_per_day: 0.001 }\n`), env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { clock } });
      // Both projects spend 0.017 USD today.
      await Promise.all([ask(TEST_KEYS[0]), ask(TEST_KEYS[1])]);
      await app.server.deps.usage.flush();
      clock.advance(1001); // past the spend cache's bound
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should admit a project whose budget a reload raised, and refuse one a reload gave a spent budget', async () => {
      await assert.rejects(ask(TEST_KEYS[0]), quota);
      await ask(TEST_KEYS[1]);
      await reload(`  ${A}: { usd_per_day: 1000 }\n  ${B}: { usd_per_month: 0.001 }\n`);
      await ask(TEST_KEYS[0]);
      await assert.rejects(ask(TEST_KEYS[1]), quota);
    });

    it('should lift a budget the reloaded YAML no longer has', async () => {
      await assert.rejects(ask(TEST_KEYS[1]), quota);
      await reload(`  ${A}: { usd_per_day: 1000 }\n`);
      await ask(TEST_KEYS[1]);
    });
  });
}
