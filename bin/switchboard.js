#!/usr/bin/env node
// The `switchboard` command: `switchboard [serve]` starts the server, `pull` downloads a GGUF model,
// `local install` installs the optional local-inference part; `--help` says how to configure it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELP = `Usage: switchboard [serve | pull <source> | local install | keys … | projects …] [--help] [--version]

Serves the OpenAI API (Chat Completions, Assistants v2) over any model.

Commands:
  serve            start the server (the default)
  pull <source>    download a GGUF model (hf:<owner>/<repo>/<file>.gguf or a URL) into <data dir>/models
  local install    install the optional local-inference part (node-llama-cpp, ~80 MB) for GGUF models
  keys create|list|revoke, projects list|create
                   manage API keys and projects in the database (switchboard keys --help)

Environment:
  PORT, HOST                      where to listen (default 8080, 127.0.0.1)
  SWITCHBOARD_DATABASE_URL        SQLite file path or postgres://… (default ./data/switchboard.db)
  SWITCHBOARD_UPSTREAM_URL        OpenAI-compatible base URL ending in /v1 (OpenAI, vLLM, Ollama, llama.cpp)
  SWITCHBOARD_UPSTREAM_API_KEY    the upstream's key
  SWITCHBOARD_API_KEYS            comma-separated client keys, one tenant each (unset: open mode, loopback only)
  SWITCHBOARD_ADMIN_KEY           an admin key for /v1/organization/… (projects, keys, every project's usage)
  SWITCHBOARD_CONFIG              YAML file: providers, model routes, local models, aliases, prices, keys
  SWITCHBOARD_LOCAL_MODEL         a GGUF file served in-process as the model \`local\`
  SWITCHBOARD_LOCAL_INFERENCE_DIR where the local-inference part is installed (default ./local-inference)
  SWITCHBOARD_BODY_LIMIT_MB       largest request body (default 32)
  SWITCHBOARD_FILE_LIMIT_MB       largest file upload (default 512)
  SWITCHBOARD_DATA_DIR            uploaded files and the default database (default ./data)
  SWITCHBOARD_LOG_LEVEL           fatal|error|warn|info|debug|trace|silent (default info)

See README.md for the YAML format and examples.`;

const args = process.argv.slice(2);
if (args[0] === 'pull') {
  const { register } = await import('tsx/esm/api');
  register();
  const { runPull } = await import('../src/cli/pull.ts');
  process.exitCode = await runPull(args.slice(1));
} else if (args[0] === 'keys' || args[0] === 'projects') {
  const { register } = await import('tsx/esm/api');
  register();
  const { runKeys } = await import('../src/cli/keys.ts');
  process.exitCode = await runKeys(args);
} else if (args[0] === 'local' && args[1] === 'install') {
  const { install } = await import('../scripts/local-install.mjs');
  process.exitCode = install() ? 0 : 1;
} else if (args.includes('--help') || args.includes('-h') || args[0] === 'help') {
  process.stdout.write(HELP + '\n');
} else if (args.includes('--version') || args.includes('-v')) {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
  process.stdout.write(`switchboard ${pkg.version}\n`);
} else if (args.length === 0 || args[0] === 'serve') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
} else {
  process.stderr.write(`switchboard: unknown command '${args[0]}'\n\n${HELP}\n`);
  process.exit(2);
}
