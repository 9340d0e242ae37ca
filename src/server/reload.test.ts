import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { applyReload } from './reload.js';

function configs(...yamls: string[]): Array<Readonly<Config>> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-reload-unit-'));
  try {
    return yamls.map((yaml, i) => {
      writeFileSync(join(dir, `${i}.yaml`), yaml);
      return loadConfig({ SWITCHBOARD_CONFIG: join(dir, `${i}.yaml`), SWITCHBOARD_API_KEYS: 'sk-unit-key-0001' });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parts() {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const log = {
    info: (obj: object, msg: string) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => void lines.push({ level: 'warn', obj, msg }),
  };
  const applied: string[] = [];
  return {
    lines,
    applied,
    keys: { reloadKeys: async () => ({ added: [], removed: [] }) },
    usage: { setPrices: () => void applied.push('prices') },
    providers: { reload: () => void applied.push('routes') },
    limits: { setBudgets: (b: Config['budgets']) => void applied.push(`budgets ${JSON.stringify(b)}`) },
    metrics: { configure: (m: Config['metrics']) => void applied.push(`metrics ${m.enabled ? 'on' : 'off'}`) },
    log,
  };
}

describe('applyReload', () => {
  it('should name what needs a restart, and the models left without a price', async () => {
    const [before, after] = configs(
      'port: 8080\nprices:\n  a: { input: 1 }\n',
      'port: 9090\nprices:\n  b: { input: 1 }\nmodels:\n  c: { provider: p }\nproviders:\n  p: { base_url: "http://127.0.0.1:1/v1" }\n',
    );
    const p = parts();
    await applyReload(p, before!, after!);
    assert.deepEqual(p.applied, ['prices', 'routes', 'budgets {}', 'metrics on']);
    assert.deepEqual(
      p.lines.map((l) => [l.level, l.msg]),
      [
        ['info', 'reloaded: prices +1 ~0 -1; routes +1 ~0 -0; aliases +0 ~0 -0; providers +1 ~0 -0; keys +0 -0; budgets +0 ~0 -0'],
        ['warn', 'not reloaded, restart to apply: port'],
        ['warn', 'models without a price (their usage costs 0 in /v1/organization/costs): c'],
      ],
    );
  });

  it('should apply the new budgets and say which projects gained, changed or lost one', async () => {
    const [before, after] = configs(
      'budgets:\n  p1: { usd_per_day: 1 }\n  p2: { usd_per_month: 10 }\n',
      'budgets:\n  p1: { usd_per_day: 2 }\n  p3: { usd_per_day: 5 }\n',
    );
    const p = parts();
    await applyReload(p, before!, after!);
    assert.deepEqual(p.applied.find((a) => a.startsWith('budgets')), 'budgets {"p1":{"usd_per_day":2},"p3":{"usd_per_day":5}}');
    const line = p.lines.find((l) => l.level === 'info')!;
    assert.match(line.msg, /; budgets \+1 ~1 -1$/);
    assert.deepEqual((line.obj as { budgets: unknown }).budgets, { added: ['p3'], changed: ['p1'], removed: ['p2'] });
    assert.equal(p.lines.some((l) => l.msg.startsWith('not reloaded')), false, 'budgets need no restart');
  });

  it('should switch metrics on or off without a restart, and say so', async () => {
    const [on, off] = configs('metrics: { enabled: true }\n', 'metrics: { enabled: false, require_key: true }\n');
    const p = parts();
    await applyReload(p, on!, off!);
    assert.equal(p.applied.at(-1), 'metrics off');
    assert.match(p.lines.find((l) => l.level === 'info')!.msg, /; metrics off$/);
    assert.equal(p.lines.some((l) => l.msg.startsWith('not reloaded')), false, 'metrics need no restart');
    const again = parts();
    await applyReload(again, off!, on!);
    assert.equal(again.applied.at(-1), 'metrics on');
    assert.match(again.lines.find((l) => l.level === 'info')!.msg, /; metrics on$/);
  });
});
