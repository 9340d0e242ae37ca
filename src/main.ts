import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config, type UnsetVariable } from './config.js';
import { startErrorLine } from './cli/start-error.js';
import { createLogger, prettyDestination } from './logger.js';
import { startServer, type RunningServer } from './server.js';
import { checkUpstreams } from './server/upstream-check.js';

/** The configuration, and the `${VAR}`s of the YAML that were unset; an invalid one exits with its message. */
function readConfig(): { config: Readonly<Config>; unset: UnsetVariable[] } {
  const unset: UnsetVariable[] = [];
  try {
    return { config: loadConfig(process.env, { onUnsetVariable: (u) => unset.push(u) }), unset };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`switchboard: invalid configuration\n${err.message}\n`);
    process.exit(1);
  }
}

/** SIGTERM / SIGINT: a graceful close, then exit; a second signal exits at once. */
function closeOnSignals(server: RunningServer, log: Logger): void {
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

/**
 * SIGHUP: the YAML (and environment) read again; its keys, prices, routes, budgets and metrics settings applied. A file that fails
 * validation is refused with one line, and the configuration in force stays.
 */
function reloadOnSighup(server: RunningServer, log: Logger): void {
  const onUnsetVariable = ({ variable, field }: UnsetVariable) =>
    log.warn({ variable, field }, `SWITCHBOARD_CONFIG: ${field} uses \${${variable}}, which is not set: it reads as an empty string`);
  const reload = async () => {
    try {
      await server.reload(loadConfig(process.env, { onUnsetVariable }));
    } catch (err) {
      // A reload never stops the server: whatever went wrong, the configuration in force stays.
      if (err instanceof ConfigError) log.error(`reload refused, the configuration in force stays: ${err.message.replaceAll('\n', '; ')}`);
      else log.error({ err }, 'reload failed, the configuration in force stays');
    }
  };
  process.on('SIGHUP', () => void reload());
}

/** Boot only: config → server → graceful close on SIGTERM/SIGINT, reload on SIGHUP. */
async function main(): Promise<void> {
  const { config, unset } = readConfig();
  const pretty = config.logFormat ? config.logFormat === 'pretty' : process.stdout.isTTY === true;
  const log = createLogger(config.logLevel, pretty ? prettyDestination(process.stdout.isTTY === true) : undefined);
  for (const { variable, field } of unset)
    log.warn({ variable, field }, `SWITCHBOARD_CONFIG: ${field} uses \${${variable}}, which is not set: it reads as an empty string`);
  const server = await startServer(config, log);
  reloadOnSighup(server, log);
  closeOnSignals(server, log);
  // In the background: an upstream that is down or misaddressed gets one warning line, not a failed call later.
  void checkUpstreams(config.providers, log);
}

main().catch((err: unknown) => {
  process.stderr.write(`${startErrorLine(err)}\n`);
  process.exit(1);
});
