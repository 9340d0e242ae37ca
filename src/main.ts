import { ConfigError, loadConfig, type UnsetVariable } from './config.js';
import { startErrorLine } from './cli/start-error.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

/** Boot only: config → server → graceful close on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  const unset: UnsetVariable[] = [];
  try {
    config = loadConfig(process.env, { onUnsetVariable: (u) => unset.push(u) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchboard: invalid configuration\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  for (const { variable, field } of unset)
    log.warn({ variable, field }, `SWITCHBOARD_CONFIG: ${field} uses \${${variable}}, which is not set: it reads as an empty string`);
  const server = await startServer(config, log);
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => {
        log.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${startErrorLine(err)}\n`);
  process.exit(1);
});
