import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { testClock } from '../support/test-clock.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

for (const dialect of testDialects()) {
  describe(`switchboard keys / projects on the CLI (${dialect})`, () => {
    let db: { url: string; drop(): Promise<void> };
    let env: Record<string, string>;
    let app: TestApp | undefined;
    const clock = testClock();

    async function cli(...args: string[]) {
      const child = spawn(process.execPath, ['bin/switchboard.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stdout, stderr };
    }

    before(async () => {
      db = await createTestDatabaseUrl(dialect);
      env = { PATH: process.env.PATH ?? '', SWITCHBOARD_DATABASE_URL: db.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-cli-')) };
    });
    after(async () => {
      await app?.stop();
      await db.drop();
    });

    it('should create the first key of a fresh install, which a server without configured keys then takes', async () => {
      const created = await cli('keys', 'create', '--name', 'first');
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /^sk-svcacct-[A-Za-z0-9]{48}\n$/);
      assert.match(created.stderr, /^created key key_\w+ for service account svc_acct_\w+ \(first\) in project default \(default\), expires -/);
      const key = created.stdout.trim();
      app = await createTestApp({ databaseUrl: db.url, env: { SWITCHBOARD_API_KEYS: '' }, server: { clock } });
      const asst = await app.client(key).beta.assistants.create({ model: 'm' });
      assert.match(asst.id, /^asst_/);
      await assert.rejects(new OpenAI({ apiKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 }).models.list(), OpenAI.AuthenticationError);
    });

    it('should create a project and a key in it by name, list it, and revoke it for the running server', async () => {
      const project = await cli('projects', 'create', 'Acme');
      assert.equal(project.code, 0, project.stderr);
      const projectId = project.stdout.trim();
      assert.match(projectId, /^proj_[A-Za-z0-9]{24}$/);
      const created = await cli('keys', 'create', '--project', 'Acme', '--name', 'ci', '--expires-in', '30');
      assert.equal(created.code, 0, created.stderr);
      const key = created.stdout.trim();
      const keyId = /created key (key_\w+)/.exec(created.stderr)![1]!;

      const listed = await cli('keys', 'list', '--project', projectId);
      assert.equal(listed.code, 0, listed.stderr);
      const lines = listed.stdout.trim().split('\n');
      assert.equal(lines[0], 'id\tproject\tservice account\tkey\tcreated\tlast used\texpires');
      assert.equal(lines.length, 2);
      const [id, proj, owner, redacted, , , expires] = lines[1]!.split('\t');
      assert.deepEqual([id, proj, owner, redacted], [keyId, projectId, 'ci', `sk-svcacct-…${key.slice(-4)}`]);
      assert.match(expires!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const projects = await cli('projects', 'list');
      assert.match(projects.stdout, new RegExp(`^${projectId}\tAcme\tactive\t`, 'm'));

      const client = app!.client(key);
      const mine = await client.beta.assistants.create({ model: 'm' });
      assert.deepEqual((await client.beta.assistants.list()).data.map((a) => a.id), [mine.id], "only the project's own assistants");
      const revoked = await cli('keys', 'revoke', keyId);
      assert.equal(revoked.code, 0, revoked.stderr);
      clock.advance(1000);
      await rejectsWith(client.models.list(), { status: 401, code: 'invalid_api_key' });
    });

    it('should answer --help, an unknown key and a wrong option with their exit codes', async () => {
      const help = await cli('keys', '--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: switchboard keys create \[--project <id\|name>\] \[--name <name>\] \[--expires-in <days>\]/);
      const missing = await cli('keys', 'revoke', 'key_nope');
      assert.deepEqual([missing.code, missing.stderr], [1, "switchboard keys: no key 'key_nope'\n"]);
      const wrong = await cli('keys', 'create', '--bogus');
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /Unknown option '--bogus'/);
    });
  });
}
