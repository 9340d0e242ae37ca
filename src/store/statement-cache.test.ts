import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { withStatementCache } from './statement-cache.js';

function counted(): { db: SQLite.Database; prepared: string[] } {
  const db = new SQLite(':memory:');
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    prepared.push(source);
    return prepare(source);
  }) as typeof db.prepare;
  db.exec('create table t (id integer primary key, v text)');
  return { db, prepared };
}

describe('withStatementCache', () => {
  it('should prepare a query once and run it again with new parameters', () => {
    const { db, prepared } = counted();
    const cached = withStatementCache(db);
    for (const v of ['a', 'b', 'c']) cached.prepare('insert into t (v) values (?)').run([v]);
    const rows = cached.prepare('select v from t order by id').all([]);
    assert.deepEqual(rows, [{ v: 'a' }, { v: 'b' }, { v: 'c' }]);
    assert.deepEqual(prepared, ['insert into t (v) values (?)', 'select v from t order by id']);
    assert.equal(cached.prepare('select v from t order by id').reader, true);
    assert.equal(cached.prepare('insert into t (v) values (?)').reader, false);
  });

  it('should keep at most `max` statements, dropping the least recently used', () => {
    const { db, prepared } = counted();
    const cached = withStatementCache(db, 2);
    const q = (n: number) => `select ${n} as n`;
    cached.prepare(q(1));
    cached.prepare(q(2));
    cached.prepare(q(1)); // 1 is now the most recent
    cached.prepare(q(3)); // drops 2
    cached.prepare(q(1));
    cached.prepare(q(2));
    assert.deepEqual(prepared, [q(1), q(2), q(3), q(2)]);
  });

  it('should give a streamed query a statement of its own, so the same query can run while it is open', () => {
    const { db } = counted();
    const cached = withStatementCache(db);
    for (const v of ['a', 'b']) cached.prepare('insert into t (v) values (?)').run([v]);
    const sqlText = 'select v from t order by id';
    const outer = cached.prepare(sqlText).iterate([]);
    const first = outer.next().value;
    const inner = cached.prepare(sqlText).all([]);
    assert.deepEqual(first, { v: 'a' });
    assert.deepEqual(inner, [{ v: 'a' }, { v: 'b' }]);
    assert.deepEqual(outer.next().value, { v: 'b' });
  });
});
