import { parseArgs } from 'node:util';
import { pullSettings } from '../config.js';
import { PullError, pullModel, type PullProgress } from '../providers/local/pull-model.js';

/**
 * `switchboard pull <hf:owner/repo/file.gguf[#rev] | URL> [--sha256 HEX] [--dir DIR]`: downloads a
 * GGUF model into <data dir>/models with a progress bar, resuming an interrupted download.
 */

export const PULL_HELP = `Usage: switchboard pull <source> [--sha256 <hex>] [--dir <folder>]

Downloads a GGUF model for local inference into <data dir>/models (SWITCHBOARD_DATA_DIR, default ./data).

  <source>         hf:<owner>/<repo>/<file>.gguf[#revision]   (Hugging Face; HF_TOKEN for gated models)
                   or an http(s) URL of a .gguf file
  --sha256 <hex>   the file's expected sha256 (the hub's own sha256 etag is checked too, when it sends one)
  --dir <folder>   where to save it instead

Run the same command again to resume an interrupted download. Then serve it with
SWITCHBOARD_LOCAL_MODEL=<file name or path>.`;

const mb = (n: number) => (n / 1_048_576).toFixed(1);

function formatProgress(p: PullProgress, startedAt: number, width = 30): string {
  const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
  const speed = (p.received - p.resumedFrom) / seconds;
  if (p.total === null) return `${mb(p.received)} MB  ${mb(speed)} MB/s`;
  const ratio = p.total > 0 ? Math.min(1, p.received / p.total) : 1;
  const filled = Math.round(ratio * width);
  const eta = speed > 0 ? Math.round((p.total - p.received) / speed) : 0;
  const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
  return `[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${mb(p.received)}/${mb(p.total)} MB  ${mb(speed)} MB/s  ETA ${eta}s`;
}

/** A progress reporter: a redrawn bar on a terminal, a line every few seconds otherwise. */
function progressReporter(out: NodeJS.WriteStream) {
  const startedAt = Date.now();
  let lastLine = 0;
  return {
    update(p: PullProgress) {
      const now = Date.now();
      if (out.isTTY) {
        if (now - lastLine < 100) return;
        lastLine = now;
        out.write(`\r${formatProgress(p, startedAt)}`);
      } else if (now - lastLine >= 5000) {
        lastLine = now;
        out.write(`${formatProgress(p, startedAt)}\n`);
      }
    },
    done(p: PullProgress | undefined) {
      if (p) out.write(`${out.isTTY ? '\r' : ''}${formatProgress(p, startedAt)}\n`);
    },
  };
}

/** What went wrong, in one line: a PullError's or a system error's message (disk full, no permission); a bug keeps its stack. */
function failureLine(err: unknown): string {
  if (err instanceof PullError) return err.message;
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export async function runPull(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { sha256: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`switchboard pull: ${(err as Error).message}\n\n${PULL_HELP}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${PULL_HELP}\n`);
    return 0;
  }
  const [source, ...extra] = parsed.positionals;
  if (!source || extra.length > 0) {
    process.stderr.write(`switchboard pull: expected one source\n\n${PULL_HELP}\n`);
    return 2;
  }
  const settings = pullSettings();
  const progress = progressReporter(process.stderr);
  let last: PullProgress | undefined;
  try {
    const result = await pullModel({
      source,
      dir: parsed.values.dir ?? settings.modelsDir,
      sha256: parsed.values.sha256,
      hfEndpoint: settings.hfEndpoint,
      token: settings.hfToken,
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
    });
    progress.done(last);
    if (result.resumedFrom > 0) process.stdout.write(`resumed at ${mb(result.resumedFrom)} MB\n`);
    process.stdout.write(
      `${result.alreadyPresent ? 'already downloaded' : 'downloaded'}: ${result.path} (${mb(result.bytes)} MB, sha256 ${result.sha256})\n` +
        `serve it with: SWITCHBOARD_LOCAL_MODEL=${result.path} npx switchboard\n`,
    );
    return 0;
  } catch (err) {
    if (last) process.stderr.write('\n');
    process.stderr.write(`switchboard pull: ${failureLine(err)}\n`);
    return 1;
  }
}
