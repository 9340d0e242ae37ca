import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What can be checked of the deployment guide without building an image: every npm script, Debian
 * package and repository file that the README's "Deploying" section and the Dockerfile's RUN lines
 * use exists; the systemd unit passes `systemd-analyze verify`; with a Docker daemon, the Dockerfile
 * passes `docker build --check`.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
/** npm's own commands the guide uses (not scripts). */
const NPM_COMMANDS = new Set(['ci', 'rebuild', 'prune', 'run', 'start', 'test']);

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** The README's `## Deploying` section. */
function deployingSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Deploying\n');
  assert.ok(start >= 0, 'README.md has a "Deploying" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The ```sh blocks of a piece of Markdown, one after the other. */
const shBlocksOf = (markdown: string): string => [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');

/** Shell lines with `\` continuations joined, split into simple commands (at && || ; | and `for … do`). */
function commandsOf(shell: string): string[][] {
  return shell
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .map((l) => l.replace(/\s#.*$/, ''))
    .flatMap((l) => l.split(/&&|\|\||;|\|/))
    .map((c) => c.trim().replace(/^(do|then)\s+/, ''))
    .filter(Boolean)
    .map((c) => c.split(/\s+/));
}

/** What the commands need: npm scripts or commands, Debian packages, repository files. */
function needsOf(commands: string[][]) {
  const npm: string[] = [];
  const packages: string[] = [];
  const files: string[] = [];
  for (const words of commands) {
    if (words[0] === 'npm') npm.push(words[1] === 'run' ? `run ${words[2]}` : words[1]!);
    if (words[0] === 'apt-get' && words[1] === 'install') packages.push(...words.slice(2).filter((w) => !w.startsWith('-')));
    for (const w of words) if (/^(deploy|src|scripts|bin)\/[\w./@-]+$/.test(w)) files.push(w);
  }
  return { npm, packages, files };
}

function assertNeedsMet(what: string, needs: ReturnType<typeof needsOf>): void {
  for (const n of needs.npm) {
    if (n.startsWith('run ')) assert.ok(Object.hasOwn(scripts, n.slice(4)), `${what}: npm ${n}: no such script in package.json`);
    else assert.ok(NPM_COMMANDS.has(n) && (n !== 'start' || scripts.start), `${what}: npm ${n}: not an npm command`);
  }
  for (const f of needs.files) assert.ok(existsSync(join(ROOT, f)), `${what}: ${f} does not exist`);
}

/** Packages `apt-cache show` does not know (asked in one call: each call reads apt's whole cache). */
function unknownPackages(packages: string[]): string[] {
  const out = spawnSync('apt-cache', ['show', '--no-all-versions', ...new Set(packages)], { encoding: 'utf8' }).stdout;
  const known = new Set([...out.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]!));
  return packages.filter((p) => !known.has(p));
}

/** The Dockerfile's RUN lines, continuations joined. */
function dockerRunLines(): string {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .filter((l) => /^RUN\s/.test(l))
    .map((l) => l.replace(/^RUN\s+/, ''))
    .join('\n');
}

describe('the deployment guide', () => {
  const readme = needsOf(commandsOf(shBlocksOf(deployingSection())));
  const docker = needsOf(commandsOf(dockerRunLines()));

  it("should use only npm scripts and repository files that exist (README's Deploying, Dockerfile RUN lines)", () => {
    assert.ok(readme.npm.includes('ci') && readme.npm.includes('run build:console'), 'the README installs and builds the console');
    assert.ok(docker.npm.includes('run build:console'), 'the Dockerfile builds the console');
    assertNeedsMet('README', readme);
    assertNeedsMet('Dockerfile', docker);
  });

  it('should install only Debian packages that apt knows', { skip: !has('apt-cache') && 'apt-cache is not installed' }, () => {
    for (const p of ['bubblewrap', 'python3-numpy', 'python3-pandas', 'python3-matplotlib'])
      assert.ok(docker.packages.includes(p), `the Dockerfile installs ${p}`);
    assert.deepEqual(unknownPackages([...readme.packages, ...docker.packages]), []);
  });

  it('should have a systemd unit that systemd-analyze verifies without a warning', { skip: !has('systemd-analyze') && 'systemd-analyze is not installed' }, () => {
    const unit = join(ROOT, 'deploy', 'switchboard.service');
    assert.match(readFileSync(unit, 'utf8'), /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    const about = r.stderr.split('\n').filter((l) => l.includes('switchboard.service'));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(about, []);
  });

  const daemon = has('docker') && spawnSync('docker', ['info'], { timeout: 10_000 }).status === 0;
  it('should have a Dockerfile that docker build --check accepts', { skip: !daemon && 'no Docker daemon' }, () => {
    const r = spawnSync('docker', ['build', '--check', ROOT], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
