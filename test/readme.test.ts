import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type OpenAI from 'openai';
import type { UsageCompletionsResponse, UsageCostsResponse } from 'openai/resources/admin/organization/usage';
import { startFakeUpstream, type FakeUpstream } from './fakes/fake-upstream.js';
import { createTestApp, type TestApp } from './support/create-test-app.js';
import { loadConfig } from '../src/config.js';
import { asFunctionBody, readmeBlocks, readmeTsBlocks, typeCheck, withPrelude } from './support/readme-blocks.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const blocks = readmeTsBlocks(join(ROOT, 'README.md'));

describe('README.md', () => {
  it('should have TypeScript examples that type-check as they are written', () => {
    assert.ok(blocks.length >= 5, `found ${blocks.length} ts blocks`);
    // Inside the repository, so `openai` and `@types/node` resolve as in a newcomer's project.
    const dir = mkdtempSync(join(ROOT, '.readme-check-'));
    try {
      const files = blocks.map((b) => {
        const file = join(dir, `readme-line-${b.line}.ts`);
        writeFileSync(file, withPrelude(b.code));
        return file;
      });
      assert.deepEqual(typeCheck(files), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should have YAML examples that the server accepts as they are written', () => {
    const yamls = readmeBlocks(join(ROOT, 'README.md'), 'yaml');
    assert.ok(yamls.length >= 3, `found ${yamls.length} yaml blocks`);
    const dir = mkdtempSync(join(ROOT, '.readme-check-'));
    try {
      for (const b of yamls) {
        const file = join(dir, `readme-line-${b.line}.yaml`);
        writeFileSync(file, b.code);
        const unset: string[] = [];
        assert.doesNotThrow(
          () => loadConfig({ SWITCHBOARD_CONFIG: file, OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-ant-x' }, { onUnsetVariable: (u) => unset.push(JSON.stringify(u)) }),
          `README.md line ${b.line}`,
        );
        assert.deepEqual(unset, [], `README.md line ${b.line} uses variables it does not name`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('usage example', () => {
    let fake: FakeUpstream;
    let app: TestApp;
    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      await app.client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      await app.server.deps.usage.flush();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it("should show today's usage and costs on the page it reads", async () => {
      const block = blocks.find((b) => b.code.includes('/organization/usage/completions'));
      assert.ok(block, 'no usage example');
      type Shown = { usage: UsageCompletionsResponse; costs: UsageCostsResponse };
      const run = new Function('client', `return (async () => {\n${asFunctionBody(block.code)}\nreturn { usage, costs };\n})();`) as (
        client: OpenAI,
      ) => Promise<Shown>;
      const { usage, costs } = await run(app.client());
      const today = Math.floor(Date.now() / 86_400_000) * 86_400;
      assert.equal(usage.data.at(-1)?.start_time, today, JSON.stringify(usage));
      assert.equal(usage.data.at(-1)?.results.length, 1, JSON.stringify(usage));
      assert.equal(costs.data.at(-1)?.start_time, today, JSON.stringify(costs));
    });
  });
});
