import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamedStringField } from './streamed-field.js';

/** Feeds `json` to a fresh field reader in pieces of `size` characters; returns what each piece yielded. */
function feed(json: string, size: number, field = 'code'): string[] {
  const reader = new StreamedStringField(field);
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(reader.push(json.slice(i, i + size)));
  return out;
}

describe('StreamedStringField', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'print(1)'],
    ['escapes', 'a = "x\\ty"\nprint(a)\r\n\\'],
    ['unicode escapes and astral characters', 'print("été ☃ 😀 \u0001")'],
    ['slashes and quotes', '# "quoted" / \'single\' \\n stays'],
  ];
  for (const [name, code] of cases)
    it(`should decode the field exactly whatever the piece size (${name})`, () => {
      const json = JSON.stringify({ code });
      for (const size of [1, 2, 3, 5, 7, json.length]) assert.equal(feed(json, size).join(''), code, `pieces of ${size}`);
    });

  it('should decode \\u escapes JSON.stringify would not write', () => {
    assert.equal(feed('{"code": "caf\\u00e9 \\ud83d\\ude00"}', 1).join(''), 'café 😀');
  });

  it('should hand text out as it grows, before the object closes', () => {
    const reader = new StreamedStringField('code');
    assert.equal(reader.push('{"co'), '');
    assert.equal(reader.push('de": "pri'), 'pri');
    assert.equal(reader.push('nt(1)\\'), 'nt(1)', 'a lone backslash waits for its escape');
    assert.equal(reader.push('n'), '\n');
    assert.equal(reader.push('x\\u00'), 'x');
    assert.equal(reader.push('e9"}'), 'é');
    assert.equal(reader.push(' trailing'), '', 'nothing after the closing quote');
  });

  it('should find the field after others and ignore keys that only end with its name', () => {
    const json = JSON.stringify({ language: 'python', mycode: 'no', code: 'yes' });
    assert.equal(feed(json, 4).join(''), 'yes');
  });

  it('should yield nothing for arguments without the field', () => {
    assert.equal(feed('{"query": "x"}', 3).join(''), '');
  });
});
