import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../config.js';

const load = (env: Record<string, string>) => loadConfig({ SWITCHBOARD_DATA_DIR: '/tmp/sb-none', ...env }).fileStore;

describe('SWITCHBOARD_FILE_STORE', () => {
  it('should leave the choice to the dialect when unset', () => {
    assert.deepEqual(load({}), { kind: 'default' });
  });

  it('should take local and database as they are', () => {
    assert.deepEqual(load({ SWITCHBOARD_FILE_STORE: 'local' }), { kind: 'local' });
    assert.deepEqual(load({ SWITCHBOARD_FILE_STORE: 'database' }), { kind: 'database' });
  });

  it('should read a bucket and prefix, path-style when an endpoint is set', () => {
    assert.deepEqual(load({ SWITCHBOARD_FILE_STORE: 's3://sb-files/team/a/', SWITCHBOARD_S3_ENDPOINT: 'http://minio:9000' }), {
      kind: 's3',
      bucket: 'sb-files',
      prefix: 'team/a/',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
    });
    assert.deepEqual(load({ SWITCHBOARD_FILE_STORE: 's3://sb-files' }), { kind: 's3', bucket: 'sb-files', prefix: '', forcePathStyle: false });
    assert.equal(
      (load({ SWITCHBOARD_FILE_STORE: 's3://b1b', SWITCHBOARD_S3_ENDPOINT: 'http://m:9000', SWITCHBOARD_S3_PATH_STYLE: 'false' }) as { forcePathStyle: boolean }).forcePathStyle,
      false,
    );
  });

  it('should refuse anything else, naming the variable', () => {
    for (const value of ['disk', 's3://', 's3://UPPER/x', 'gs://bucket'])
      assert.throws(() => load({ SWITCHBOARD_FILE_STORE: value }), (err: unknown) => err instanceof ConfigError && /SWITCHBOARD_FILE_STORE/.test(err.message));
  });
});
