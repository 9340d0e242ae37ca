import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, hashKey, loadConfig, redactConfig } from '../config.js';

const yamlFile = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-telemetry-')), 'switchboard.yaml');
  writeFileSync(file, text);
  return file;
};

describe('telemetry config', () => {
  it('should have metrics on, without a key, and no traces by default', () => {
    const c = loadConfig({});
    assert.deepEqual([c.metrics, c.tracing], [{ enabled: true, keyHash: null, requireKey: false }, null]);
  });

  it('should switch metrics off with SWITCHBOARD_METRICS=off, over the YAML', () => {
    assert.equal(loadConfig({ SWITCHBOARD_METRICS: 'off', SWITCHBOARD_CONFIG: yamlFile('metrics: { enabled: true }\n') }).metrics.enabled, false);
  });

  it('should keep the metrics key as a hash, and mask it in the logged configuration', () => {
    const c = loadConfig({ SWITCHBOARD_METRICS_KEY: 'metrics-secret-0123456789' });
    assert.equal(c.metrics.keyHash, hashKey('metrics-secret-0123456789'));
    assert.deepEqual(redactConfig(c).metrics, { enabled: true, keyHash: '***', requireKey: true });
  });

  it('should ask for a key with require_key alone (then only admin keys open /metrics), and with a metrics key', () => {
    assert.equal(loadConfig({ SWITCHBOARD_CONFIG: yamlFile('metrics: { require_key: true }\n') }).metrics.requireKey, true);
    assert.equal(loadConfig({ SWITCHBOARD_METRICS_KEY: 'metrics-secret-0123456789' }).metrics.requireKey, true);
    assert.equal(loadConfig({}).metrics.requireKey, false);
  });

  it("should send traces to the endpoint's /v1/traces, or to the traces endpoint as given", () => {
    assert.deepEqual(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing, {
      url: 'http://collector:4318/v1/traces',
      serviceName: 'switchboard',
    });
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces', OTEL_SERVICE_NAME: 'gw' };
    assert.deepEqual(loadConfig(both).tracing, { url: 'http://b:4318/traces', serviceName: 'gw' });
  });
});
