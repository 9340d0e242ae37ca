import { ConfigError } from './config-error.js';
import type { EnvVars } from './env.js';

/**
 * Where uploaded files' bytes live (SWITCHBOARD_FILE_STORE): `local` (the data directory), `database`
 * (chunks in the database) or `s3://bucket/prefix`. `default`: database on PostgreSQL, local on SQLite
 * (the factory knows the dialect).
 */
export type FileStoreConfig =
  | { kind: 'default' | 'local' | 'database' }
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; forcePathStyle: boolean };

export interface FileStoreSection {
  fileStore: FileStoreConfig;
}

function s3Store(value: string, vars: EnvVars): FileStoreConfig {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!m) throw new ConfigError(`SWITCHBOARD_FILE_STORE: '${value}' is not s3://bucket or s3://bucket/prefix.`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  const endpoint = vars.SWITCHBOARD_S3_ENDPOINT;
  return {
    kind: 's3',
    bucket: m[1]!,
    prefix: prefix ? `${prefix}/` : '',
    ...(endpoint ? { endpoint } : {}),
    // MinIO-like servers take the bucket in the path; AWS itself in the host name.
    forcePathStyle: vars.SWITCHBOARD_S3_PATH_STYLE ?? Boolean(endpoint),
  };
}

export function fileStoreConfig(vars: EnvVars): FileStoreSection {
  const value = vars.SWITCHBOARD_FILE_STORE;
  if (value === undefined) return { fileStore: { kind: 'default' } };
  if (value === 'local' || value === 'database') return { fileStore: { kind: value } };
  if (value.startsWith('s3://')) return { fileStore: s3Store(value, vars) };
  throw new ConfigError(`SWITCHBOARD_FILE_STORE: expected local, database or s3://bucket/prefix, got '${value}'.`);
}
