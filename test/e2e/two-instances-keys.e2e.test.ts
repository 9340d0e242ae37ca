import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { testClock } from '../support/test-clock.js';
import { waitFor } from '../support/until.js';

const ADMIN = 'sk-admin-two-instances-0001';

// Several instances share one database only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('two instances on one PostgreSQL database: keys and rate limits', () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let a: TestApp;
    let b: TestApp;
    let adminA: OpenAI;
    const clock = testClock();
    const as = (app: TestApp, key: string) => new OpenAI({ apiKey: key, baseURL: app.baseURL, maxRetries: 0 });

    /** A new project and its key, made through instance A's Admin API. */
    async function projectWithKey(name: string): Promise<{ projectId: string; key: string; keyId: string }> {
      const project = await adminA.admin.organization.projects.create({ name });
      const sa = await adminA.admin.organization.projects.serviceAccounts.create(project.id, { name: 'app' });
      return { projectId: project.id, key: sa.api_key!.value, keyId: sa.api_key!.id };
    }

    before(async () => {
      // At the start of a minute, so the minute window does not roll over during the suite.
      clock.advance(61_000 - (clock.now() % 60_000));
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl('postgres');
      const env = { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_ADMIN_KEY: ADMIN };
      // A small cache bound: what one instance changes holds on the other within 200 ms.
      const server = { clock, keyCacheTtlMs: 200 };
      a = await createTestApp({ databaseUrl: db.url, env, server });
      b = await createTestApp({ databaseUrl: db.url, env, server });
      adminA = new OpenAI({ apiKey: null, adminAPIKey: ADMIN, baseURL: a.baseURL, maxRetries: 0 });
    });
    after(async () => {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
      await fake.close();
    });

    it('should refuse on instance B a key deleted through instance A', async () => {
      const { projectId, key, keyId } = await projectWithKey('revoked');
      assert.equal((await as(b, key).models.list()).object, 'list');
      await adminA.admin.organization.projects.apiKeys.delete(keyId, { project_id: projectId });
      const refusedOnB = async () =>
        as(b, key).models.list().then(
          () => false,
          (err: unknown) => err instanceof OpenAI.AuthenticationError && err.code === 'invalid_api_key',
        );
      await waitFor(refusedOnB, 'instance B refuses the deleted key', 5_000);
    });

    it("should hold one project's requests-per-minute limit across both instances", async () => {
      const { projectId, key } = await projectWithKey('limited');
      await adminA.admin.organization.projects.rateLimits.updateRateLimit('rl-gpt-4o', { project_id: projectId, max_requests_per_1_minute: 3 });
      const ask = (app: TestApp) => as(app, key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: projectId }] }).withResponse();
      const remaining = [];
      for (const app of [a, b, a]) remaining.push((await ask(app)).response.headers.get('x-ratelimit-remaining-requests'));
      assert.deepEqual(remaining, ['2', '1', '0']);
      await assert.rejects(ask(b), (err: unknown) => {
        assert.ok(err instanceof OpenAI.RateLimitError, String(err));
        assert.equal(err.code, 'rate_limit_exceeded');
        assert.equal(err.type, 'requests');
        assert.equal(err.headers?.get('x-ratelimit-limit-requests'), '3');
        assert.equal(err.headers?.get('x-ratelimit-remaining-requests'), '0');
        assert.match(String(err.headers?.get('retry-after')), /^\d+$/);
        return true;
      });
      const sent = fake.calls.filter((c) => c.path === '/v1/chat/completions' && JSON.stringify(c.body).includes(projectId));
      assert.equal(sent.length, 3, 'the refused request never went upstream');
    });
  });
}
