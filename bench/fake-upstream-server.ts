/**
 * The fake OpenAI-compatible upstream as a standalone process for the benchmark, so it does not
 * share an event loop with the load generator or the gateway under test.
 *
 *   node --import tsx bench/fake-upstream-server.ts   → prints `PORT=<port>` on stdout
 *
 * Env: PORT (default 0 = ephemeral). Exits on SIGTERM/SIGINT.
 */
import { startFakeUpstream } from '../test/fakes/fake-upstream.js';

const upstream = await startFakeUpstream({ port: Number(process.env.PORT ?? 0), record: false });
process.stdout.write(`PORT=${upstream.port}\n`);

const stop = (): void => {
  upstream.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
