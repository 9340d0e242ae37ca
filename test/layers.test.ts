import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

// The layer rules of .dependency-cruiser.cjs, checked on the real tree (a breach fails `npm test`) and
// shown to catch forbidden imports on a miniature tree (test/fixtures/layers) that breaks each rule once.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/layers');
async function cruiseLayers(opts: { baseDir: string }): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  options.baseDir = opts.baseDir;
  const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
  const { output } = await cruise(['src'], options, {}, { tsConfig });
  return (output as ICruiseResult).summary.violations.filter((v) => v.rule.severity !== 'ignore');
}

/** One line per violation: `rule: from → to` (a cycle as its path). */
function describeViolation(v: IViolation): string {
  const to = v.cycle ? v.cycle.map((m) => m.name).join(' → ') : v.to;
  return `${v.rule.name}: ${v.from} → ${to}`;
}

/** A Kysely query started on a db or trx handle: it imports no driver, so the rules above cannot see it. */
const QUERY_BUILDER = /\.(selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto)\s*\(/;

/** `path:line` of every query-builder call in production files of `<baseDir>/src` outside store/. */
function queriesOutsideStore(baseDir: string): string[] {
  const files = readdirSync(join(baseDir, 'src'), { recursive: true, encoding: 'utf8' })
    .map((f) => join('src', f).replaceAll('\\', '/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('src/store/'));
  return files.flatMap((file) =>
    readFileSync(join(baseDir, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (QUERY_BUILDER.test(line) ? [`${file}:${i + 1}`] : [])),
  );
}

describe('layers (.dependency-cruiser.cjs)', () => {
  it('should find no import in src/ that breaks a layer rule', async () => {
    const violations = await cruiseLayers({ baseDir: ROOT });
    assert.deepEqual(violations.map(describeViolation), [], 'see the rule comments in .dependency-cruiser.cjs');
  });

  it('should find no query builder outside store/ in src/', () => {
    assert.deepEqual(queriesOutsideStore(ROOT), [], 'SQL belongs in store/repos (STYLE.md §1)');
  });

  it('should see a query builder outside store/, and none in store/', () => {
    assert.deepEqual(queriesOutsideStore(FIXTURE), ['src/engine/query-on-handle.ts:4']);
  });

  it('should report each kind of forbidden import, and no allowed one', async () => {
    const violations = await cruiseLayers({ baseDir: FIXTURE });
    const found = violations.map((v) => `${v.rule.name}: ${v.from}`).sort();
    assert.deepEqual(found, [
      'core-does-not-import-services-or-api: src/engine/calls-service.ts',
      'fastify-only-in-http-layer: src/services/uses-fastify.service.ts',
      'no-circular: src/engine/loop.ts',
      'no-test-code-in-src: src/tools/uses-bench.ts',
      'no-test-code-in-src: src/tools/uses-test-helper.ts',
      'nothing-below-api-imports-api: src/services/uses-schema.service.ts',
      'providers-do-not-import-embeddings: src/providers/uses-embeddings.ts',
      'sql-drivers-only-in-store: src/retrieval/raw-sql.ts',
      'store-is-the-bottom-layer: src/store/uses-provider.repo.ts',
      'streaming-without-fastify: src/streaming/encoder.ts',
    ]);
  });
});
