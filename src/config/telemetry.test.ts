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
    assert.deepEqual([c.metrics, c.tracing], [{ enabled: true, keyHash: null }, null]);
  });

  it('should switch metrics off with SWITCHBOARD_METRICS=off, over the YAML', () => {
    assert.equal(loadConfig({ SWITCHBOARD_METRICS: 'off', SWITCHBOARD_CONFIG: yamlFile('metrics: { enabled: true }\n') }).metrics.enabled, false);
  });

  it('should keep the metrics key as a hash, and mask it in the logged configuration', () => {
    const c = loadConfig({ SWITCHBOARD_METRICS_KEY: 'metrics-secret-0123456789' });
    assert.equal(c.metrics.keyHash, hashKey('metrics-secret-0123456789'));
    assert.deepEqual(redactConfig(c).metrics, { enabled: true, keyHash: '***' });
  });

  it('should refuse require_key without a key', () => {
    assert.throws(() => loadConfig({ SWITCHBOARD_CONFIG: yamlFile('metrics: { require_key: true }\n') }), ConfigError);
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
