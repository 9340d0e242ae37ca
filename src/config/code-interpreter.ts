import { z } from 'zod';
import type { SandboxConfig } from '../sandbox/session-pool.js';

/** YAML: code_interpreter's sandbox. */
export const codeInterpreterSection = z.object({
  code_interpreter: z
    .object({
      /** false: runs that call code_interpreter fail with a clear error. */
      enabled: z.boolean().default(true),
      bwrap: z.string().min(1).default('bwrap'),
      /** The Python inside the sandbox: it must live under /usr, the only host tree the sandbox sees. */
      python: z.string().startsWith('/usr/', 'must be a path under /usr').default('/usr/bin/python3'),
      max_sessions: z.number().int().min(1).max(10_000).default(8),
      idle_timeout_s: z.number().positive().default(3600),
      call_timeout_s: z.number().positive().default(60),
      queue_timeout_s: z.number().nonnegative().default(30),
      cpu_seconds_per_call: z.number().int().positive().default(60),
      cpu_seconds_per_session: z.number().int().positive().default(3600),
      memory_mb: z.number().int().min(64).default(1024),
      max_processes: z.number().int().min(4).default(64),
      max_file_mb: z.number().positive().default(100),
      max_disk_mb: z.number().positive().default(1024),
      tmp_mb: z.number().positive().default(64),
      max_output_mb: z.number().positive().default(4),
      kept_output_kb: z.number().positive().default(32),
      work_dir: z.string().min(1).optional(),
      uid_base: z.number().int().min(1000).default(200_000),
      /** Keep one sandbox started ahead, so a new thread's first call does not wait for it. */
      prestart: z.boolean().default(true),
      /** auto: memory and processes limited per session by a control group where the host allows it. */
      cgroups: z.enum(['auto', 'off']).default('auto'),
    })
    .strict()
    // prefault: an absent section is parsed as {} so every field gets its default.
    .prefault({}),
});

export interface CodeInterpreterConfig {
  /** code_interpreter's sandbox (YAML `code_interpreter:`). */
  codeInterpreter: SandboxConfig;
}

const MB = 1024 * 1024;

export function codeInterpreterConfig(file: z.infer<typeof codeInterpreterSection>): CodeInterpreterConfig {
  const c = file.code_interpreter;
  return {
    codeInterpreter: {
      enabled: c.enabled,
      bwrap: c.bwrap,
      python: c.python,
      maxSessions: c.max_sessions,
      idleTimeoutMs: Math.round(c.idle_timeout_s * 1000),
      callTimeoutMs: Math.round(c.call_timeout_s * 1000),
      queueTimeoutMs: Math.round(c.queue_timeout_s * 1000),
      limits: {
        memoryBytes: c.memory_mb * MB,
        maxProcesses: c.max_processes,
        maxFileBytes: Math.round(c.max_file_mb * MB),
        cpuSecondsPerCall: c.cpu_seconds_per_call,
        cpuSecondsTotal: c.cpu_seconds_per_session,
        tmpBytes: Math.round(c.tmp_mb * MB),
      },
      maxOutputBytes: Math.round(c.max_output_mb * MB),
      keptOutputBytes: Math.round(c.kept_output_kb * 1024),
      maxDiskBytes: Math.round(c.max_disk_mb * MB),
      workDir: c.work_dir ?? null,
      uidBase: c.uid_base,
      prestart: c.prestart,
      cgroups: c.cgroups,
    },
  };
}
