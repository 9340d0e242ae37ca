import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely, KyselyPlugin } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { hashKey } from '../config.js';
import { createLogger } from '../logger.js';
import type { Database } from '../store/database.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import { KeyResolver } from './key-resolver.js';
import { importConfiguredKeys } from './keys-import.service.js';

/** Counts the statements run through the returned db. */
function counting(db: Kysely<Database>): { db: Kysely<Database>; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

const KEY = 'sk-resolver-test-0001';
const ID = 'key_' + hashKey(KEY).slice(0, 16);
const T0 = 1_800_000_000_000;
const configured = (key: string, tenant: string) => ({ id: 'key_' + hashKey(key).slice(0, 16), tenant, name: 'k', hash: hashKey(key), redacted: '…' });

for (const dialect of testDialects()) {
  describe(`KeyResolver (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let now: number;
    const clock = { now: () => now };
    const log = createLogger('silent');

    beforeEach(async () => {
      now = T0;
      const test = await createTestDatabaseUrl(dialect);
      drop = test.drop;
      store = openDb(test.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      await importConfiguredKeys(store.db, { keys: [configured(KEY, 'acme')], adminKeys: [], openMode: false, nowMs: T0 });
    });
    afterEach(async () => {
      await store.close();
      await drop();
    });

    it('should answer a cached key without a database call, and refuse a deleted one once its entry is 1 s old', async () => {
      const { db, count } = counting(store.db);
      const keys = new KeyResolver({ db, clock, log, configuredKeys: true, touchEveryMs: Infinity });
      assert.deepEqual(await keys.resolve(`Bearer ${KEY}`), { tenantId: 'acme', apiKeyId: ID });
      const lookups = count();
      await store.db.deleteFrom('api_keys').where('id', '=', ID).execute();
      now += 999;
      assert.deepEqual(keys.resolve(`Bearer ${KEY}`), { tenantId: 'acme', apiKeyId: ID }, 'a hit is synchronous');
      assert.equal(count(), lookups, 'no database call on a hit');
      now += 1;
      assert.equal(await keys.resolve(`Bearer ${KEY}`), null);
      assert.equal(count(), lookups + 2, 'one lookup of project keys, one of admin keys');
    });

    it('should look a key up on every request with a TTL of 0', async () => {
      const { db, count } = counting(store.db);
      const keys = new KeyResolver({ db, clock, log, configuredKeys: true, ttlMs: 0, touchEveryMs: Infinity });
      await keys.resolve(`Bearer ${KEY}`);
      const first = count();
      await keys.resolve(`Bearer ${KEY}`);
      assert.equal(count(), first + 1);
    });

    it('should cache an unknown key too, and share one lookup between concurrent misses', async () => {
      const { db, count } = counting(store.db);
      const keys = new KeyResolver({ db, clock, log, configuredKeys: true });
      const [a, b] = await Promise.all([keys.resolve('Bearer sk-nope-00000000'), keys.resolve('Bearer sk-nope-00000000')]);
      assert.deepEqual([a, b], [null, null]);
      assert.equal(keys.resolve('Bearer sk-nope-00000000'), null);
      assert.equal(count(), 2);
    });

    it('should refuse a key at its expires_at even while its entry is fresh', async () => {
      await store.db.updateTable('api_keys').set({ expires_at: T0 / 1000 + 1 }).where('id', '=', ID).execute();
      const keys = new KeyResolver({ db: store.db, clock, log, configuredKeys: true, ttlMs: 60_000 });
      assert.ok(await keys.resolve(`Bearer ${KEY}`));
      now += 999;
      assert.ok(keys.resolve(`Bearer ${KEY}`));
      now += 1;
      assert.equal(await keys.resolve(`Bearer ${KEY}`), null);
    });

    it("should refuse an archived project's key", async () => {
      await store.db.updateTable('projects').set({ archived_at: 1, status: 'archived' }).where('id', '=', 'acme').execute();
      const keys = new KeyResolver({ db: store.db, clock, log, configuredKeys: true });
      assert.equal(await keys.resolve(`Bearer ${KEY}`), null);
    });

    it('should write last_used_at at most once a minute per key', async () => {
      const keys = new KeyResolver({ db: store.db, clock, log, configuredKeys: true, ttlMs: 0 });
      const lastUsed = async () => {
        await keys.close();
        return (await store.db.selectFrom('api_keys').select('last_used_at').where('id', '=', ID).executeTakeFirstOrThrow()).last_used_at;
      };
      await keys.resolve(`Bearer ${KEY}`);
      assert.equal(await lastUsed(), T0 / 1000);
      now += 59_000;
      await keys.resolve(`Bearer ${KEY}`);
      assert.equal(await lastUsed(), T0 / 1000);
      now += 1_000;
      await keys.resolve(`Bearer ${KEY}`);
      assert.equal(await lastUsed(), T0 / 1000 + 60);
    });

    it('should delete, at the next import, a configured key (and admin key) the configuration no longer names', async () => {
      const admin = { id: 'key_' + hashKey('sk-admin-gone-0001').slice(0, 16), name: 'a', hash: hashKey('sk-admin-gone-0001'), redacted: '…' };
      const other = configured('sk-other-key-0002', 'acme');
      await importConfiguredKeys(store.db, { keys: [configured(KEY, 'acme'), other], adminKeys: [admin], openMode: false, nowMs: now });
      await store.db.insertInto('service_accounts').values({ id: 'svc_acct_api', project_id: 'acme', name: 'api', role: 'member', created_at: 1, seq: 1 }).execute();
      const made = { project_id: 'acme', owner_id: 'svc_acct_api', name: 'n', redacted_value: '…', created_at: 1, last_used_at: null, expires_at: null, seq: 1 };
      await store.db.insertInto('api_keys').values({ ...made, id: 'key_made_by_api', key_hash: hashKey('sk-api') }).execute();
      await importConfiguredKeys(store.db, { keys: [configured(KEY, 'acme')], adminKeys: [], openMode: false, nowMs: now });
      const ids = async (table: 'api_keys' | 'service_accounts' | 'admin_api_keys') =>
        (await store.db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);
      assert.deepEqual(await ids('api_keys'), [ID, 'key_made_by_api'].sort());
      assert.deepEqual(await ids('service_accounts'), ['svc_acct_' + ID.slice(4), 'svc_acct_api'].sort());
      assert.deepEqual(await ids('admin_api_keys'), []);
    });

    it('should be in open mode while no key is stored, for at most a TTL after one is', async () => {
      await store.db.deleteFrom('api_keys').execute();
      const keys = new KeyResolver({ db: store.db, clock, log, configuredKeys: false });
      assert.equal(await keys.openMode(), true);
      await importConfiguredKeys(store.db, { keys: [configured('sk-later-000001', 'acme')], adminKeys: [], openMode: false, nowMs: now });
      assert.equal(keys.openMode(), true);
      now += 1000;
      assert.equal(await keys.openMode(), false);
      assert.equal(new KeyResolver({ db: store.db, clock, log, configuredKeys: true }).openMode(), false);
    });
  });
}
