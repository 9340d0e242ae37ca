import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './config-error.js';
import { createKeyTable } from './key-table.js';
import { keysConfig } from './keys.js';

const keys = (...list: string[]) => keysConfig({ file: { keys: [] }, vars: { SWITCHBOARD_API_KEYS: list.join(',') } });

describe('KeyTable', () => {
  it('should refuse a removed key after reloadKeys, even one already verified', () => {
    const table = createKeyTable(keys('sk-kept-00001', 'sk-gone-00002'));
    const gone = table.ownerOf('sk-gone-00002');
    assert.ok(gone);
    const changes = table.reloadKeys(keys('sk-kept-00001', 'sk-new-000003'));
    assert.deepEqual(changes, { added: [keys('sk-new-000003').keys[0]!.id], removed: [gone.apiKeyId] });
    assert.equal(table.ownerOf('sk-gone-00002'), undefined);
    assert.ok(table.ownerOf('sk-new-000003'));
    assert.ok(table.ownerOf('sk-kept-00001'));
  });

  it('should refuse to enter or leave open mode, and change nothing then', () => {
    const keyed = createKeyTable(keys('sk-kept-00001'));
    assert.throws(() => keyed.reloadKeys(keys()), ConfigError);
    assert.ok(keyed.ownerOf('sk-kept-00001'));
    assert.throws(() => createKeyTable(keys()).reloadKeys(keys('sk-kept-00001')), /needs a restart/);
  });
});
