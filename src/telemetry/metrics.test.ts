import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from './metrics.js';
import { MAX_LABEL_SETS } from './label-children.js';
import { parsePrometheus, sampleValue, samplesOf } from '../../test/support/prometheus.js';

const scrape = async (m: Metrics) => parsePrometheus(await m.render());
const row = { tenant_id: 't1', model: 'gpt-4o', input_tokens: 30, output_tokens: 7, cost_usd: 0.5 };

describe('Metrics', () => {
  it('should record nothing while switched off', async () => {
    const m = new Metrics();
    m.configure({ enabled: false });
    m.httpRequest('GET', '/v1/models', 200, 5);
    m.usageRow(row);
    const samples = await scrape(m);
    assert.equal(samplesOf(samples, 'http_server_request_duration_seconds_count').length, 0);
    assert.equal(samplesOf(samples, 'gen_ai_client_token_usage_count').length, 0);
  });

  it("should count a usage row's tokens by type and its cost, and hand the row back unchanged", async () => {
    const m = new Metrics();
    m.configure({ enabled: true });
    assert.equal(m.usageRow(row), row);
    const samples = await scrape(m);
    const labels = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'gpt-4o', switchboard_tenant: 't1' };
    assert.equal(sampleValue(samples, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'input' }), 30);
    assert.equal(sampleValue(samples, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' }), 7);
    assert.equal(sampleValue(samples, 'switchboard_cost_usd_total', { gen_ai_request_model: 'gpt-4o', switchboard_tenant: 't1' }), 0.5);
  });

  it('should count embeddings meters as input tokens of the embeddings operation, and no tool meter', async () => {
    const m = new Metrics();
    m.configure({ enabled: true });
    m.meterRow({ tenant_id: 't1', meter: 'embeddings', subject: 'text-embedding-3-small', quantity: 12, cost_usd: 0 });
    m.meterRow({ tenant_id: 't1', meter: 'file_search_calls', subject: 'vs_1', quantity: 1, cost_usd: 0.0025 });
    const samples = await scrape(m);
    assert.equal(sampleValue(samples, 'gen_ai_client_token_usage_count', { gen_ai_token_type: 'output' }), 0);
    const tokens = samplesOf(samples, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' });
    assert.deepEqual(
      tokens.map((s) => [s.labels.gen_ai_operation_name, s.labels.gen_ai_request_model, s.labels.gen_ai_token_type, s.value]),
      [['embeddings', 'text-embedding-3-small', 'input', 12]],
    );
    assert.equal(sampleValue(samples, 'switchboard_cost_usd_total'), 0);
  });

  it('should observe run latency only when the status ends the run', async () => {
    const m = new Metrics();
    m.configure({ enabled: true });
    m.runMoved('in_progress', false, 1);
    m.runMoved('failed', true, 4);
    const samples = await scrape(m);
    assert.equal(sampleValue(samples, 'switchboard_run_transitions_total', { status: 'in_progress' }), 1);
    assert.equal(sampleValue(samples, 'switchboard_run_duration_seconds_count', { status: 'in_progress' }), 0);
    assert.equal(sampleValue(samples, 'switchboard_run_duration_seconds_sum', { status: 'failed' }), 4);
  });

  it('should count label sets past the limit under _other instead of growing without bound', async () => {
    const m = new Metrics();
    m.configure({ enabled: true });
    for (let i = 0; i < MAX_LABEL_SETS + 5; i++) m.modelCall({ provider: 'p', model: `model-${i}`, error: '', seconds: 0.1 });
    const samples = samplesOf(await scrape(m), 'gen_ai_client_operation_duration_seconds_count');
    assert.equal(samples.length, MAX_LABEL_SETS + 1);
    assert.equal(sampleValue(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: '_other' }), 5);
  });

  it('should read the backlog once while its value is fresh', async () => {
    const m = new Metrics();
    m.configure({ enabled: true });
    let reads = 0;
    m.setSources({ backlog: async () => ({ queuedRuns: ++reads, filesInProgress: 3 }), sandboxSessions: () => 2 });
    await m.render();
    const samples = await scrape(m);
    assert.equal(reads, 1);
    assert.deepEqual(
      ['switchboard_runs_queued', 'switchboard_vector_store_files_in_progress', 'switchboard_code_interpreter_sessions'].map((n) => sampleValue(samples, n)),
      [1, 3, 2],
    );
  });
});
