import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { startFakeS3, type FakeS3 } from '../../test/fakes/fake-s3.js';
import { FileTooLargeError, StoredFileMissingError, type FileStorage } from './file-storage.js';
import { createS3FileStorage } from './s3-file-storage.js';

const MB = 1024 * 1024;

/** `total` random bytes arriving in 64 KiB pieces, as an upload's body does. */
function pieces(bytes: Buffer): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
  })());
}

describe('S3 file storage (scripted S3-compatible fake)', () => {
  let s3: FakeS3;
  let storage: FileStorage;

  before(async () => {
    s3 = await startFakeS3();
    storage = createS3FileStorage(
      { bucket: 'sb-files', prefix: 'team/', endpoint: s3.url, forcePathStyle: true },
      { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    );
  });
  after(() => s3.close());

  it('should put a small file with one PutObject under the prefix and get it back', async () => {
    s3.calls.length = 0;
    const bytes = randomBytes(1000);
    assert.deepEqual(await storage.put('file-small', pieces(bytes), { maxBytes: MB }), { bytes: 1000 });
    assert.deepEqual(s3.calls.map((c) => `${c.method} ${c.path}`), ['PUT /sb-files/team/file-small']);
    assert.ok(s3.objects.get('sb-files/team/file-small')?.equals(bytes));
    assert.ok((await buffer(await storage.get('file-small'))).equals(bytes));
  });

  it('should stream a large file as a multipart upload of 5 MiB parts', async () => {
    s3.calls.length = 0;
    const bytes = randomBytes(12 * MB + 7);
    assert.deepEqual(await storage.put('file-large', pieces(bytes), { maxBytes: 20 * MB }), { bytes: bytes.length });
    const parts = s3.calls.filter((c) => c.method === 'PUT').map((c) => [Number(c.query.partNumber), c.bytes]);
    assert.deepEqual(parts.sort(([a], [b]) => a! - b!), [[1, 5 * MB], [2, 5 * MB], [3, 2 * MB + 7]]);
    assert.equal(s3.calls.filter((c) => c.method === 'POST' && 'uploads' in c.query).length, 1);
    assert.equal(s3.calls.filter((c) => c.method === 'POST' && c.query.uploadId).length, 1, 'completed');
    assert.ok((await buffer(await storage.get('file-large'))).equals(bytes));
  });

  it('should stop an upload over maxBytes, abort it and leave no object', async () => {
    const bytes = randomBytes(12 * MB);
    await assert.rejects(storage.put('file-over', pieces(bytes), { maxBytes: 6 * MB }), FileTooLargeError);
    assert.equal(s3.objects.has('sb-files/team/file-over'), false);
    assert.equal(s3.pendingUploads(), 0, 'the multipart upload was aborted');
  });

  it('should delete an object, and reject a get of a missing key', async () => {
    await storage.put('file-gone', pieces(randomBytes(10)), { maxBytes: MB });
    await storage.delete('file-gone');
    assert.equal(s3.objects.has('sb-files/team/file-gone'), false);
    assert.ok(s3.calls.some((c) => c.method === 'DELETE' && c.path === '/sb-files/team/file-gone'));
    await assert.rejects(storage.get('file-gone'), StoredFileMissingError);
  });
});
