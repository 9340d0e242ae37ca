import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// fastify's own range matcher; what npm uses to decide on EBADENGINE.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (name: string) => JSON.parse(readFileSync(`${ROOT}/${name}`, 'utf8')) as Record<string, unknown>;

describe('package.json engines', () => {
  it('should be met by every locked package, so npm ci on the oldest promised Node prints no EBADENGINE', () => {
    const promised = (read('package.json').engines as { node: string }).node;
    const oldest = semver.minVersion(promised)!.version;
    const packages = read('package-lock.json').packages as Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    const refusing = Object.entries(packages)
      .filter(([path, p]) => path !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
      .map(([path, p]) => `${path}@${p.version} needs node ${(p.engines as { node: string }).node}`);
    assert.deepEqual(refusing, [], `Node ${oldest} (package.json engines '${promised}')`);
  });
});
