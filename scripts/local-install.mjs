// Installs the optional local-inference part (node-llama-cpp for in-process GGUF models) into
// local-inference/node_modules, with only this machine's prebuilt binary:
//
//   npm run local:install            install (or reinstall) it
//   node scripts/local-install.mjs --if-missing   install only when it is not there (npm test does this)
//   node scripts/local-install.mjs --check        exit 0 when installed, 1 when not
//
// A plain `npm install node-llama-cpp` pulls the prebuilt binaries of every platform and GPU that
// match the machine's os/cpu (on linux-x64: CPU, CUDA, CUDA extension and Vulkan, ~680 MB). On
// linux-x64 (glibc) this installs from local-inference/package-lock.json with optional dependencies
// omitted: node-llama-cpp plus @node-llama-cpp/linux-x64 (the CPU binary), ~80 MB. Install scripts
// are skipped: node-llama-cpp's postinstall would only try to build llama.cpp from source when no
// prebuilt binary fits, and Switchboard loads it with `build: 'never'`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_LLAMA_CPP_VERSION = '3.21.1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const partDir = path.join(root, 'local-inference');

/** The prebuilt-binary package for this platform (CPU or the platform's default GPU API), or undefined. */
export function binaryPackage(platform = process.platform, arch = process.arch) {
  const table = {
    'linux-x64': '@node-llama-cpp/linux-x64',
    'linux-arm64': '@node-llama-cpp/linux-arm64',
    'linux-arm': '@node-llama-cpp/linux-armv7l',
    'darwin-arm64': '@node-llama-cpp/mac-arm64-metal',
    'darwin-x64': '@node-llama-cpp/mac-x64',
    'win32-x64': '@node-llama-cpp/win-x64',
    'win32-arm64': '@node-llama-cpp/win-arm64',
  };
  return table[`${platform}-${arch}`];
}

function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(partDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** True when node-llama-cpp and this platform's binary are installed at the pinned version. */
export function isInstalled() {
  const binary = binaryPackage();
  return (
    installedVersion('node-llama-cpp') === NODE_LLAMA_CPP_VERSION &&
    binary !== undefined &&
    installedVersion(binary) === NODE_LLAMA_CPP_VERSION
  );
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = ['--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional'];

function run(args, cwd) {
  const result = spawnSync(npm, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status === 0;
}

const isGlibc = () => process.platform === 'linux' && Boolean(process.report?.getReport().header.glibcVersionRuntime);

/** Installs the part; returns true on success. */
export function install(log = console.log) {
  const binary = binaryPackage();
  if (!binary) {
    log(`[local] no prebuilt node-llama-cpp binary for ${process.platform}-${process.arch}`);
    return false;
  }
  const started = performance.now();
  log(`[local] installing node-llama-cpp ${NODE_LLAMA_CPP_VERSION} with ${binary} into local-inference/ …`);
  let ok;
  if (binary === '@node-llama-cpp/linux-x64' && isGlibc()) {
    // The lock pins every package; --omit=optional drops the other platforms' and GPU binaries.
    ok = run(['ci', ...quiet], partDir);
  } else {
    // Another platform: resolve in a scratch folder (the lock is linux-x64's), then move node_modules in place.
    const scratch = mkdtempSync(path.join(partDir, '.install-'));
    try {
      writeFileSync(
        path.join(scratch, 'package.json'),
        JSON.stringify({ private: true, dependencies: { 'node-llama-cpp': NODE_LLAMA_CPP_VERSION, [binary]: NODE_LLAMA_CPP_VERSION } }),
      );
      ok = run(['install', ...quiet, '--no-package-lock'], scratch);
      if (ok) {
        rmSync(path.join(partDir, 'node_modules'), { recursive: true, force: true });
        renameSync(path.join(scratch, 'node_modules'), path.join(partDir, 'node_modules'));
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  ok &&= isInstalled();
  log(`[local] ${ok ? 'installed' : 'install FAILED'} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  return ok;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) process.exit(isInstalled() ? 0 : 1);
  if (args.includes('--if-missing') && isInstalled()) process.exit(0);
  if (!existsSync(path.join(partDir, 'package.json'))) {
    console.error('[local] local-inference/package.json is missing');
    process.exit(1);
  }
  process.exit(install() ? 0 : 1);
}
