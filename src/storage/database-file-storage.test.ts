import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { createDatabaseFileStorage } from './database-file-storage.js';
import { FileTooLargeError, StoredFileMissingError, type FileStorage } from './file-storage.js';

const CHUNK = 64 * 1024;

/** A source that yields `total` bytes in pieces of `piece`, counting how far it was read. */
function source(bytes: Buffer, piece: number): Readable & { read$: number } {
  let at = 0;
  const r = new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(at, at + piece));
      at += piece;
      (r as Readable & { read$: number }).read$ = Math.min(at, bytes.length);
    },
  }) as Readable & { read$: number };
  r.read$ = 0;
  return r;
}

for (const dialect of testDialects()) {
  describe(`database file storage (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let storage: FileStorage;
    const chunkRows = (key: string) =>
      store.db.selectFrom('file_blobs').select(['n']).where('key', '=', key).orderBy('n').execute().then((r) => r.map((x) => x.n));

    beforeEach(async () => {
      const test = await createTestDatabaseUrl(dialect);
      drop = test.drop;
      store = openDb(test.url);
      assert.equal((await migrateToLatest(store.db)).error, undefined);
      storage = createDatabaseFileStorage(store.db, { chunkBytes: CHUNK });
    });
    afterEach(async () => {
      await store.close();
      await drop();
    });

    it('should store bytes in chunks and stream them back unchanged', async () => {
      const bytes = randomBytes(CHUNK * 3 + 123);
      assert.deepEqual(await storage.put('file-abc', source(bytes, 10_000), { maxBytes: bytes.length }), { bytes: bytes.length });
      assert.deepEqual(await chunkRows('file-abc'), [0, 1, 2, 3]);
      const sizes = await store.db.selectFrom('file_blobs').select('data').where('key', '=', 'file-abc').orderBy('n').execute();
      assert.deepEqual(sizes.map((r) => r.data.length), [CHUNK, CHUNK, CHUNK, 123]);
      assert.ok((await buffer(await storage.get('file-abc'))).equals(bytes));
    });

    it('should store an empty file as one empty chunk', async () => {
      assert.deepEqual(await storage.put('file-empty', Readable.from([]), { maxBytes: 10 }), { bytes: 0 });
      assert.equal((await buffer(await storage.get('file-empty'))).length, 0);
    });

    it('should read a chunk from the database only as the reader asks for it', async () => {
      const bytes = randomBytes(CHUNK * 4);
      await storage.put('file-lazy', source(bytes, CHUNK), { maxBytes: bytes.length });
      const stream = await storage.get('file-lazy');
      const first = await new Promise<Buffer>((resolve) => stream.once('data', (d: Buffer) => (stream.pause(), resolve(d))));
      assert.equal(first.length, CHUNK);
      // Paused after the first chunk: at most one more was read ahead, not the whole file.
      assert.ok(stream.readableLength <= CHUNK, `buffered ${stream.readableLength}`);
      stream.destroy();
    });

    it('should refuse a source over maxBytes and leave no chunk behind', async () => {
      const bytes = randomBytes(CHUNK * 3);
      const src = source(bytes, 4096);
      await assert.rejects(storage.put('file-big', src, { maxBytes: CHUNK * 2 }), FileTooLargeError);
      assert.deepEqual(await chunkRows('file-big'), []);
      assert.ok(src.read$ < bytes.length, 'stopped reading at the limit');
      await assert.rejects(storage.get('file-big'), StoredFileMissingError);
    });

    it('should leave nothing when the source fails midway', async () => {
      const failing = Readable.from(
        (async function* () {
          yield randomBytes(CHUNK * 2);
          throw new Error('client went away');
        })(),
      );
      await assert.rejects(storage.put('file-cut', failing, { maxBytes: CHUNK * 10 }), /client went away/);
      assert.deepEqual(await chunkRows('file-cut'), []);
    });

    it('should delete every chunk, and reject a get of a missing key', async () => {
      await storage.put('file-del', source(randomBytes(CHUNK * 2 + 1), CHUNK), { maxBytes: CHUNK * 3 });
      await storage.delete('file-del');
      assert.deepEqual(await chunkRows('file-del'), []);
      await assert.rejects(storage.get('file-del'), StoredFileMissingError);
    });
  });
}
