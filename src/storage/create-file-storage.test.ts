import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { withReadFallback } from './create-file-storage.js';
import { StoredFileMissingError, type FileStorage } from './file-storage.js';
import { createLocalFileStorage } from './local-file-storage.js';

/** Two local stores stand in for the new store and the data directory the install used before. */
function stores() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-fallback-'));
  const primary = createLocalFileStorage(join(dir, 'new'));
  const older = createLocalFileStorage(join(dir, 'old'));
  return { primary, older, both: withReadFallback(primary, older) };
}
const put = (s: FileStorage, key: string, text: string) => s.put(key, Readable.from([Buffer.from(text)]), { maxBytes: 100 });
const text = async (s: FileStorage, key: string) => (await buffer(await s.get(key))).toString();

describe('withReadFallback (files stored before the switch to database or S3)', () => {
  it('should read a key from the new store first, then from the old one', async () => {
    const { primary, older, both } = stores();
    await put(older, 'file-old', 'from before');
    await put(both, 'file-new', 'from now');
    assert.equal(await text(both, 'file-old'), 'from before');
    assert.equal(await text(primary, 'file-new'), 'from now');
    await assert.rejects(older.get('file-new'), StoredFileMissingError, 'new files go to the new store only');
    await assert.rejects(both.get('file-none'), StoredFileMissingError);
  });

  it('should delete a key from both', async () => {
    const { older, both } = stores();
    await put(older, 'file-old', 'x');
    await both.delete('file-old');
    await assert.rejects(older.get('file-old'), StoredFileMissingError);
  });
});
