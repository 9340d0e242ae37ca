import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { slicedVerdict, triplets, spread, type Slice } from '../bench/support/sliced.js';
import { encodeRequest, RawConnection, responseEnd } from '../bench/support/raw-http.js';

const slice = (side: Slice['side'], requests: number, cpuUs: number, foreign = 0): Slice => ({
  side,
  requests,
  errors: 0,
  seconds: 1,
  cpuNs: cpuUs * 1000 * requests,
  foreign,
});

describe('bench sliced comparison', () => {
  it('should compare every inner slice with the mean of its two neighbours, base first', () => {
    const s = [slice('base', 100, 1), slice('other', 90, 2), slice('base', 110, 3), slice('other', 99, 4)];
    assert.deepEqual(
      triplets(s).map(([b, o]) => [b.rps, o.rps, b.cpu, o.cpu]),
      [[105, 90, 2000, 2000], [110, 94.5, 3000, 3000]],
    );
  });

  it('should judge on the median of adjacent ratios, cancelling a linear drift', () => {
    // Throughput drifts from 1000 to 1900 req/s; "other" always serves 5 % less than "base" would at that moment.
    const s = Array.from({ length: 20 }, (_, i) => {
      const base = 1000 + i * 50;
      return i % 2 === 0 ? slice('base', base, 100) : slice('other', base * 0.95, 110);
    });
    const v = slicedVerdict([s]);
    assert.ok(Math.abs(v.rpsLost.median - 0.05) < 1e-9, `lost ${v.rpsLost.median}`);
    assert.ok(Math.abs(v.cpuMore.median - 0.1) < 1e-9);
    assert.equal(v.n, 18);
    assert.deepEqual(v.cpuUs, { base: 100, other: 110 });
  });

  it('should leave out comparisons where the foreign load changed, and keep a steady one', () => {
    const s = [
      slice('base', 100, 1, 0.5),
      slice('other', 95, 1, 0.5),
      slice('base', 100, 1, 0.45),
      slice('other', 10, 1, 0.1),
      slice('base', 100, 1, 0.1),
    ];
    const v = slicedVerdict([s], 0.1);
    assert.equal(v.n, 1);
    assert.ok(Math.abs(v.rpsLost.median - 0.05) < 1e-9);
  });

  it('should give a bootstrap interval around the median, inside the range of the values', () => {
    const s = spread([[0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09]]);
    assert.equal(s.median, 0.05);
    assert.deepEqual([s.q1, s.q3], [0.03, 0.07]);
    assert.ok(s.lo >= 0.01 && s.lo <= 0.05 && s.hi >= 0.05 && s.hi <= 0.09, JSON.stringify(s));
  });

  it('should widen the interval when generations disagree, and report each one', () => {
    const tight = (m: number) => [m - 0.002, m - 0.001, m, m + 0.001, m + 0.002];
    const agree = spread([tight(0.03), tight(0.03), tight(0.03)]);
    const disagree = spread([tight(-0.05), tight(0.03), tight(0.11)]);
    assert.deepEqual(disagree.perGeneration.map((x) => Math.round(x * 100)), [-5, 3, 11]);
    assert.ok(agree.hi - agree.lo < 0.01, JSON.stringify(agree));
    assert.ok(disagree.hi - disagree.lo > 0.08, JSON.stringify(disagree));
  });
});

describe('bench raw HTTP client', () => {
  it('should frame content-length and chunked answers, and wait for the rest of a partial one', () => {
    const fixed = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
    assert.deepEqual(responseEnd(fixed), { end: fixed.length, status: 200 });
    assert.equal(responseEnd(fixed.subarray(0, fixed.length - 1)), undefined);
    const chunked = Buffer.from('HTTP/1.1 429 Too Many\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n');
    assert.deepEqual(responseEnd(chunked), { end: chunked.length, status: 429 });
    assert.equal(responseEnd(chunked.subarray(0, chunked.length - 2)), undefined);
  });

  it('should send requests over one keep-alive connection and resolve with each status', async () => {
    const seen: Array<{ body: string; socket: unknown }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        seen.push({ body, socket: req.socket });
        if (seen.length === 1) res.end('{"ok":true}');
        else res.writeHead(201).write('data: x\n\n', () => res.end());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const conn = new RawConnection('127.0.0.1', port);
    const request = encodeRequest({ host: '127.0.0.1', path: '/x', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    try {
      assert.equal(await conn.send(request), 200);
      assert.equal(await conn.send(request), 201);
      assert.deepEqual(seen.map((s) => s.body), ['{"a":1}', '{"a":1}']);
      assert.equal(seen[0]!.socket, seen[1]!.socket);
    } finally {
      conn.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
