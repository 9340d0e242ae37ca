/**
 * On SIGINT or SIGTERM, runs `cleanup` and exits 130; when the bench runs longer than `timeoutS`
 * (BENCH_TIMEOUT_S), runs it and exits 1. The timer does not keep the process alive; the function
 * returned stops it.
 */
export function cleanUpOnSignalOrTimeout(cleanup: () => Promise<void>, timeoutS: number, log: (msg: string) => void): () => void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      log(`${sig}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  const watchdog = setTimeout(() => {
    log(`BENCH_TIMEOUT_S (${timeoutS} s) exceeded: cleaning up`);
    void cleanup().finally(() => process.exit(1));
  }, timeoutS * 1000);
  watchdog.unref();
  return () => clearTimeout(watchdog);
}
