import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ToolCallAccumulator } from './tool-call-accumulator.js';

const args = (index: number, fragment: string) => ({ index, function: { arguments: fragment } });
const head = (index: number, id: string, name: string, fragment = '') => ({
  index,
  id,
  type: 'function',
  function: { name, arguments: fragment },
});

describe('ToolCallAccumulator', () => {
  it('should emit tool-call-start with id and name on the first fragment of an index', () => {
    const acc = new ToolCallAccumulator();
    assert.deepEqual(acc.processDelta(head(0, 'call_a', 'get_weather')), [
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
    ]);
  });

  it('should emit tool-call-delta for argument fragments that carry no id or name', () => {
    const acc = new ToolCallAccumulator();
    acc.processDelta(head(0, 'call_a', 'get_weather'));
    assert.deepEqual(acc.processDelta(args(0, '{"city"')), [
      { type: 'tool-call-delta', index: 0, id: 'call_a', argumentsDelta: '{"city"' },
    ]);
  });

  it('should join arguments split at arbitrary points', () => {
    const acc = new ToolCallAccumulator();
    acc.processDelta(head(0, 'call_a', 'get_weather'));
    for (const fragment of ['{', '"ci', 'ty":"Par', 'is"', '}']) acc.processDelta(args(0, fragment));
    assert.deepEqual(acc.flush(), [
      { type: 'tool-call', index: 0, id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
  });

  it('should keep parallel calls interleaved by index apart and flush them in index order', () => {
    const acc = new ToolCallAccumulator();
    acc.processDelta(head(1, 'call_b', 'lookup'));
    acc.processDelta(head(0, 'call_a', 'get_weather'));
    acc.processDelta(args(1, '{"q":'));
    acc.processDelta(args(0, '{"city":'));
    acc.processDelta(args(1, '"x"}'));
    acc.processDelta(args(0, '"Oslo"}'));
    assert.deepEqual(acc.flush(), [
      { type: 'tool-call', index: 0, id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'tool-call', index: 1, id: 'call_b', name: 'lookup', arguments: '{"q":"x"}' },
    ]);
  });

  it('should emit start and one delta for a call whose whole arguments arrive in one chunk', () => {
    const acc = new ToolCallAccumulator();
    assert.deepEqual(acc.processDelta(head(0, 'call_a', 'add', '{"a":1,"b":2}')), [
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'add' },
      { type: 'tool-call-delta', index: 0, id: 'call_a', argumentsDelta: '{"a":1,"b":2}' },
    ]);
    assert.deepEqual(acc.flush(), [
      { type: 'tool-call', index: 0, id: 'call_a', name: 'add', arguments: '{"a":1,"b":2}' },
    ]);
  });

  it('should generate a call_ id when the upstream sends none, and keep it for the whole call', () => {
    const acc = new ToolCallAccumulator();
    const [start] = acc.processDelta({ index: 0, function: { name: 'add', arguments: '' } });
    const [delta] = acc.processDelta(args(0, '{}'));
    const [call] = acc.flush();
    assert.equal(start?.type, 'tool-call-start');
    assert.match(start?.id ?? '', /^call_[A-Za-z0-9]{24}$/);
    assert.equal(delta?.id, start?.id);
    assert.equal(call?.id, start?.id);
  });

  it("should turn empty arguments into '{}'", () => {
    const acc = new ToolCallAccumulator();
    acc.processDelta(head(0, 'call_a', 'now'));
    assert.equal(acc.flush()[0]?.arguments, '{}');
  });

  it('should not emit a second start when later fragments repeat the id and name', () => {
    const acc = new ToolCallAccumulator();
    acc.processDelta(head(0, 'call_a', 'add'));
    assert.deepEqual(acc.processDelta(head(0, 'call_a', 'add', '{}')), [
      { type: 'tool-call-delta', index: 0, id: 'call_a', argumentsDelta: '{}' },
    ]);
    assert.equal(acc.flush()[0]?.name, 'add');
  });

  it('should delay the start until the name arrives and announce earlier fragments with it', () => {
    const acc = new ToolCallAccumulator();
    assert.deepEqual(acc.processDelta({ index: 0, id: 'call_a', function: { arguments: '{"a"' } }), []);
    assert.deepEqual(acc.processDelta({ index: 0, function: { name: 'add', arguments: ':1}' } }), [
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'add' },
      { type: 'tool-call-delta', index: 0, id: 'call_a', argumentsDelta: '{"a":1}' },
    ]);
  });

  it('should tell calls apart by id when the upstream omits index', () => {
    const acc = new ToolCallAccumulator();
    acc.processDelta({ id: 'call_a', function: { name: 'one', arguments: '{"n":1}' } });
    acc.processDelta({ id: 'call_b', function: { name: 'two', arguments: '{"n":' } });
    acc.processDelta({ function: { arguments: '2}' } });
    assert.deepEqual(
      acc.flush().map((c) => [c.index, c.id, c.name, c.arguments]),
      [
        [0, 'call_a', 'one', '{"n":1}'],
        [1, 'call_b', 'two', '{"n":2}'],
      ],
    );
  });

  it('should flush nothing when no tool call was seen', () => {
    const acc = new ToolCallAccumulator();
    assert.equal(acc.hasCalls, false);
    assert.deepEqual(acc.flush(), []);
  });
});
