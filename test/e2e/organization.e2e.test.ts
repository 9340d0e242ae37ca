import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { hashKey } from '../../src/config.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { testClock } from '../support/test-clock.js';
import { waitFor } from '../support/until.js';

const ADMIN = 'sk-admin-bootstrap-test-0001';
const idOf = (key: string) => 'key_' + hashKey(key).slice(0, 16);

/** `at` lies within [from, now] on the clock, in unix seconds (the clock runs on between a call and the check). */
function within(at: number | null | undefined, from: number, clock: { now(): number }): void {
  assert.ok(typeof at === 'number' && at >= from && at <= Math.floor(clock.now() / 1000), `${at} not in [${from}, now]`);
}
const seconds = (clock: { now(): number }) => Math.floor(clock.now() / 1000);

/** A 401 with OpenAI's "insufficient permissions" message naming the scope, and no code. */
async function lacksScope(p: Promise<unknown>, scope: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.code, null);
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, new RegExp(`^401 You have insufficient permissions for this operation. Missing scopes: ${scope.replace('.', '\\.')}\\.`));
    return true;
  });
}

async function refused(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
    assert.equal(err.code, 'invalid_api_key');
    return true;
  });
}

for (const dialect of testDialects()) {
  describe(`organization API: projects, service accounts, keys (${dialect})`, () => {
    let app: TestApp;
    let admin: OpenAI;
    const clock = testClock();
    /** Past the key cache's 1 s bound. */
    const pastCacheBound = () => clock.advance(1000);

    before(async () => {
      app = await createTestApp({ dialect, env: { SWITCHBOARD_ADMIN_KEY: ADMIN }, server: { clock } });
      admin = new OpenAI({ apiKey: null, adminAPIKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
    });
    after(() => app.close());

    it("should show the configured keys' tenants as projects, with the same ids after a restart", async () => {
      const ids = async () => (await admin.admin.organization.projects.list()).data.map((p) => [p.id, p.name, p.status]);
      const expected = TEST_KEYS.map((k) => [idOf(k), idOf(k), 'active']);
      assert.deepEqual(await ids(), expected);
      await app.stop();
      app = await createTestApp({ databaseUrl: app.databaseUrl, env: { SWITCHBOARD_ADMIN_KEY: ADMIN }, server: { clock } });
      admin = new OpenAI({ apiKey: null, adminAPIKey: ADMIN, baseURL: app.baseURL, maxRetries: 0 });
      assert.deepEqual(await ids(), expected);
      const keys = await admin.admin.organization.projects.apiKeys.list(idOf(TEST_KEYS[0]));
      assert.deepEqual(
        keys.data.map((k) => [k.id, k.redacted_value, k.owner.type, k.owner.service_account?.id]),
        [[idOf(TEST_KEYS[0]), 'sk-…0001', 'service_account', 'svc_acct_' + hashKey(TEST_KEYS[0]).slice(0, 16)]],
      );
    });

    it('should create, retrieve, modify, list and archive a project in OpenAI’s shape', async () => {
      const projects = admin.admin.organization.projects;
      const from = seconds(clock);
      const created = await projects.create({ name: 'Alpha' });
      assert.match(created.id, /^proj_[A-Za-z0-9]{24}$/);
      assert.deepEqual(created, {
        id: created.id,
        object: 'organization.project',
        name: 'Alpha',
        created_at: created.created_at,
        archived_at: null,
        status: 'active',
      });
      within(created.created_at, from, clock);
      assert.deepEqual(await projects.retrieve(created.id), created);
      assert.deepEqual(await projects.update(created.id, { name: 'Alpha 2' }), { ...created, name: 'Alpha 2' });
      const archived = await projects.archive(created.id);
      assert.equal(archived.status, 'archived');
      within(archived.archived_at, from, clock);
      const listed = async (include_archived?: boolean) => {
        const ids: string[] = [];
        for await (const p of projects.list({ limit: 1, ...(include_archived !== undefined && { include_archived }) })) ids.push(p.id);
        return ids;
      };
      assert.ok(!(await listed()).includes(created.id));
      assert.deepEqual((await listed(true)).slice(-1), [created.id]);
      await rejectsWith(projects.update(created.id, { name: 'again' }), { status: 400, code: 'project_archived' });
      await rejectsWith(projects.retrieve('proj_missing'), { status: 404, message: "No project found with id 'proj_missing'." });
    });

    it('should create a service account with its key, returned once, which works on its project only', async () => {
      const project = await admin.admin.organization.projects.create({ name: 'Beta' });
      const sa = await admin.admin.organization.projects.serviceAccounts.create(project.id, { name: 'Production App' });
      assert.match(sa.id, /^svc_acct_/);
      assert.ok(sa.api_key);
      assert.match(sa.api_key.value, /^sk-svcacct-[A-Za-z0-9]{48}$/);
      assert.deepEqual(sa, {
        object: 'organization.project.service_account',
        id: sa.id,
        name: 'Production App',
        role: 'member',
        created_at: sa.created_at,
        api_key: {
          object: 'organization.project.service_account.api_key',
          value: sa.api_key.value,
          name: 'Secret Key',
          created_at: sa.created_at,
          id: sa.api_key.id,
          expires_at: null,
        },
      });
      const key = sa.api_key;
      const mine = await app.client(key.value).beta.assistants.create({ model: 'gpt-4o-mini', name: 'beta' });
      const other = app.client(TEST_KEYS[0]);
      await rejectsWith(other.beta.assistants.retrieve(mine.id), { status: 404 });
      assert.ok(!(await other.beta.assistants.list()).data.some((a) => a.id === mine.id));
      assert.deepEqual((await app.client(key.value).beta.assistants.list()).data.map((a) => a.id), [mine.id]);

      const shown = await admin.admin.organization.projects.apiKeys.retrieve(key.id, { project_id: project.id });
      assert.deepEqual(shown, {
        object: 'organization.project.api_key',
        redacted_value: `sk-svcacct-…${key.value.slice(-4)}`,
        name: 'Secret Key',
        created_at: key.created_at,
        last_used_at: shown.last_used_at,
        id: key.id,
        owner_project_access: 'active',
        owner: { type: 'service_account', service_account: { id: sa.id, name: 'Production App', created_at: sa.created_at, role: 'member' } },
        expires_at: null,
      });
      await waitFor(
        async () => (await admin.admin.organization.projects.apiKeys.retrieve(key.id, { project_id: project.id })).last_used_at !== null,
        'last_used_at',
      );
      await rejectsWith(admin.admin.organization.projects.apiKeys.retrieve(key.id, { project_id: idOf(TEST_KEYS[0]) }), { status: 404 });
      const accounts = await admin.admin.organization.projects.serviceAccounts.list(project.id);
      assert.deepEqual(accounts.data, [{ object: 'organization.project.service_account', id: sa.id, name: 'Production App', role: 'member', created_at: sa.created_at }]);
    });

    it('should refuse a deleted key, a deleted service account’s key and an archived project’s key within the cache bound', async () => {
      const projects = admin.admin.organization.projects;
      const project = await projects.create({ name: 'Gamma' });
      const one = await projects.serviceAccounts.create(project.id, { name: 'one' });
      const two = await projects.serviceAccounts.create(project.id, { name: 'two' });
      const three = await projects.serviceAccounts.create(project.id, { name: 'three' });
      const use = (sa: typeof one) => app.client(sa.api_key!.value).models.list();
      await Promise.all([use(one), use(two), use(three)]);

      assert.deepEqual(await projects.apiKeys.delete(one.api_key!.id, { project_id: project.id }), {
        object: 'organization.project.api_key.deleted',
        id: one.api_key!.id,
        deleted: true,
      });
      assert.deepEqual(await projects.serviceAccounts.delete(two.id, { project_id: project.id }), {
        object: 'organization.project.service_account.deleted',
        id: two.id,
        deleted: true,
      });
      pastCacheBound();
      await refused(use(one));
      await refused(use(two));
      await use(three);
      await rejectsWith(projects.apiKeys.retrieve(two.api_key!.id, { project_id: project.id }), { status: 404 });

      await projects.archive(project.id);
      pastCacheBound();
      await refused(use(three));
      await rejectsWith(projects.serviceAccounts.create(project.id, { name: 'late' }), { status: 400, code: 'project_archived' });
    });

    it('should create a service account without a key, then a named key for it', async () => {
      const project = await admin.admin.organization.projects.create({ name: 'Epsilon' });
      const accounts = admin.admin.organization.projects.serviceAccounts;
      const bare = await accounts.create(project.id, { name: 'bare', create_service_account_only: true });
      assert.deepEqual([bare.role, bare.api_key], ['none', null]);
      const key = await accounts.apiKeys.create(bare.id, { project_id: project.id, name: 'second' });
      assert.deepEqual(key, {
        object: 'organization.project.service_account.api_key',
        value: key.value,
        name: 'second',
        created_at: key.created_at,
        id: key.id,
        expires_at: null,
      });
      await app.client(key.value).models.list();
      const listed = await admin.admin.organization.projects.apiKeys.list(project.id);
      assert.deepEqual(listed.data.map((k) => [k.id, k.name, k.owner.service_account?.id]), [[key.id, 'second', bare.id]]);
      await rejectsWith(accounts.apiKeys.create('svc_acct_nope', { project_id: project.id }), { status: 404 });
      const renamed = await accounts.update(bare.id, { project_id: project.id, name: 'renamed' });
      assert.deepEqual(renamed, { object: 'organization.project.service_account', id: bare.id, name: 'renamed', role: 'none', created_at: bare.created_at });
      assert.equal((await accounts.retrieve(bare.id, { project_id: project.id })).name, 'renamed');
    });

    it('should refuse a key past the expires_at it was created with (a Switchboard extension)', async () => {
      const project = await admin.admin.organization.projects.create({ name: 'Delta' });
      const expires_at = Math.floor(clock.now() / 1000) + 60;
      const res = await fetch(`${app.baseURL}/organization/projects/${project.id}/service_accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'temporary', expires_at }),
      });
      assert.equal(res.status, 200);
      const sa = (await res.json()) as { api_key: { value: string; expires_at: number } };
      assert.equal(sa.api_key.expires_at, expires_at);
      await app.client(sa.api_key.value).models.list();
      clock.advance(60_000);
      await refused(app.client(sa.api_key.value).models.list());
    });

    it("should give OpenAI's 401 for a project key on the admin routes and an admin key on a project's", async () => {
      const asProject = new OpenAI({ apiKey: null, adminAPIKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 });
      await lacksScope(asProject.admin.organization.projects.list(), 'api.management.read');
      await lacksScope(asProject.admin.organization.projects.create({ name: 'x' }), 'api.management.write');
      await lacksScope(asProject.admin.organization.adminAPIKeys.list(), 'api.management.read');
      const asAdmin = app.client(ADMIN);
      await lacksScope(asAdmin.models.list(), 'api.model.read');
      await lacksScope(asAdmin.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }), 'model.request');
      await lacksScope(asAdmin.beta.assistants.list(), 'api.assistants.read');
      const costs = await fetch(`${app.baseURL}/organization/costs?start_time=0`, { headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(costs.status, 200);
    });

    it('should list, create, retrieve and delete admin keys, the secret shown once', async () => {
      const keys = admin.admin.organization.adminAPIKeys;
      const from = seconds(clock);
      const created = await keys.create({ name: 'New Admin Key', expires_in_seconds: 3600 });
      assert.match(created.value, /^sk-admin-[A-Za-z0-9]{48}$/);
      within(created.created_at, from, clock);
      const now = created.created_at;
      const owner = { type: 'user', object: 'organization.user', id: 'user_owner', name: 'owner', created_at: now, role: 'owner' };
      assert.deepEqual(created, {
        object: 'organization.admin_api_key',
        id: created.id,
        name: 'New Admin Key',
        redacted_value: `sk-admin-…${created.value.slice(-4)}`,
        created_at: now,
        expires_at: now + 3600,
        last_used_at: null,
        owner,
        value: created.value,
      });
      const { value: _value, ...shown } = created;
      assert.deepEqual(await keys.retrieve(created.id), shown);
      const second = new OpenAI({ apiKey: null, adminAPIKey: created.value, baseURL: app.baseURL, maxRetries: 0 });
      const all: string[] = [];
      for await (const k of second.admin.organization.adminAPIKeys.list({ limit: 1 })) all.push(k.id);
      assert.deepEqual(all, [idOf(ADMIN), created.id]);
      const desc = await keys.list({ order: 'desc', limit: 1 });
      assert.deepEqual([desc.data.map((k) => k.id), desc.has_more], [[created.id], true]);
      assert.deepEqual(await keys.delete(created.id), { id: created.id, object: 'organization.admin_api_key.deleted', deleted: true });
      pastCacheBound();
      await refused(second.admin.organization.adminAPIKeys.list());
      await rejectsWith(keys.retrieve(created.id), { status: 404 });
    });
  });
}

for (const dialect of testDialects()) {
  describe(`open mode with keys as data (${dialect})`, () => {
    let app: TestApp;
    const clock = testClock();
    before(async () => {
      app = await createTestApp({ dialect, env: { SWITCHBOARD_API_KEYS: '' }, server: { clock } });
    });
    after(() => app.close());

    it('should serve every caller as the tenant default until a key is stored, then require keys within a second', async () => {
      const anyone = new OpenAI({ apiKey: 'anything', adminAPIKey: 'anything', baseURL: app.baseURL, maxRetries: 0 });
      const asst = await anyone.beta.assistants.create({ model: 'm' });
      const projects = await anyone.admin.organization.projects.list();
      assert.deepEqual(projects.data.map((p) => p.id), ['default']);
      const sa = await anyone.admin.organization.projects.serviceAccounts.create('default', { name: 'first' });
      clock.advance(1000);
      await refused(anyone.beta.assistants.list());
      const first = app.client(sa.api_key!.value);
      assert.deepEqual((await first.beta.assistants.list()).data.map((a) => a.id), [asst.id], "open mode's data is the project default's");
    });
  });
}
