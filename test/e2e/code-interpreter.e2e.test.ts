import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { CodeInterpreterToolCall, RunStep } from 'openai/resources/beta/threads/runs/steps';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { spawnServer } from '../support/spawn-server.js';
import { testClock } from '../support/test-clock.js';
import { until } from '../support/until.js';
import { cmdline, descendants } from '../support/proc.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHAT = '/v1/chat/completions';

/** Four processes, each within the per-process limit, try to hold 150 MB each at the same time. */
const HOGS = [
  'import os, time',
  'for i in range(4):',
  '    if os.fork() == 0:',
  "        block = b'x' * (150 * 1024 * 1024)",
  "        open(f'/tmp/held-{i}', 'w').close()",
  '        deadline = time.monotonic() + 60',
  "        while not os.path.exists('/tmp/stop') and time.monotonic() < deadline:",
  "            if all(os.path.exists(f'/tmp/held-{j}') for j in range(4)):",
  '                os._exit(0)',
  '            time.sleep(0.01)',
  '        os._exit(3)',
  'together = 0',
  'for _ in range(4):',
  '    _, status = os.wait()',
  '    if os.WIFSIGNALED(status):',
  "        open('/tmp/stop', 'w').close()",
  '    together += os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0',
  "print('together', together)",
].join('\n');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The model's turn that calls code_interpreter with `code`. */
const callCode = (id: string, code: string) => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: [{ id, name: 'code_interpreter', arguments: JSON.stringify({ code }) }], usage: {} }),
});
const answer = (content: string) => ({ type: 'sse' as const, chunks: chatChunks({ content, usage: {} }) });

async function codeCalls(client: OpenAI, run: Run): Promise<CodeInterpreterToolCall[]> {
  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
  return steps.data.flatMap((s: RunStep) =>
    s.step_details.type === 'tool_calls' ? s.step_details.tool_calls.filter((c): c is CodeInterpreterToolCall => c.type === 'code_interpreter') : [],
  );
}

const logsOf = (call: CodeInterpreterToolCall | undefined): string =>
  (call?.code_interpreter.outputs ?? []).map((o) => (o.type === 'logs' ? o.logs : '')).join('');

/** What the model got back for each tool call, in order. */
function toolResults(fake: FakeUpstream): string[] {
  const last = fake.calls.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
  return last.messages.filter((m) => m.role === 'tool').map((m) => m.content);
}

for (const dialect of testDialects()) {
  describe(`code_interpreter in runs (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const clock = testClock();

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({
        dialect,
        env: { SWITCHBOARD_UPSTREAM_URL: fake.url },
        yaml: 'code_interpreter:\n  idle_timeout_s: 600\n',
        server: { clock },
      });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    it('should run Python the model wrote and give it the result', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callCode('call_sum', 'import math\nprint(sum(range(101)))\nmath.factorial(10)'), answer('The sum is 5050.'));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Add 1 to 100.' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));

      const offered = fake.calls[0]!.body.tools as Array<{ function: { name: string; parameters: { required: string[] } } }>;
      assert.equal(offered[0]!.function.name, 'code_interpreter');
      assert.deepEqual(offered[0]!.function.parameters.required, ['code']);
      assert.match(toolResults(fake)[0]!, /^5050\n3628800\n/);

      const [call] = await codeCalls(client, run);
      assert.equal(call?.id, 'call_sum');
      assert.equal(call?.code_interpreter.input, 'import math\nprint(sum(range(101)))\nmath.factorial(10)');
      assert.deepEqual(call?.code_interpreter.outputs, [{ type: 'logs', logs: '5050\n3628800\n' }]);
      const [message] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      assert.deepEqual(message?.content, [{ type: 'text', text: { value: 'The sum is 5050.', annotations: [] } }]);
    });

    it('should read an uploaded CSV with pandas, from tool_resources and from an attachment', async () => {
      fake.reset();
      const csv = 'region,units\nnorth,120\nsouth,80\neast,45\n';
      const sales = await client.files.create({ file: await toFile(Buffer.from(csv), 'sales.csv'), purpose: 'assistants' });
      const extra = await client.files.create({ file: await toFile(Buffer.from('a,b\n1,2\n'), 'extra.csv'), purpose: 'assistants' });
      const assistant = await client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
        tool_resources: { code_interpreter: { file_ids: [sales.id] } },
      });
      fake.enqueue(
        CHAT,
        callCode('call_csv', "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\nprint(int(df.units.sum()), df.loc[df.units.idxmax(), 'region'])\nprint(pd.read_csv('extra.csv').b[0])"),
        answer('245 units; north sold most.'),
      );
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Total units?', attachments: [{ file_id: extra.id, tools: [{ type: 'code_interpreter' }] }] }] },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.equal(toolResults(fake)[0], '245 north\n2\n');
      const description = fake.calls[0]!.body.tools[0].function.description as string;
      assert.match(description, /\/mnt\/data\/sales\.csv/);
      assert.match(description, /\/mnt\/data\/extra\.csv/);
    });

    it('should turn a figure into an image file and a written file into a cited assistants_output file', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      const code = [
        'import matplotlib.pyplot as plt, pandas as pd',
        "plt.plot([1, 2, 3], [2, 4, 1]); plt.title('trend')",
        "pd.DataFrame({'x': [1, 2], 'y': [3, 4]}).to_csv('/mnt/data/table.csv', index=False)",
        "print('done')",
      ].join('\n');
      fake.enqueue(CHAT, callCode('call_plot', code), answer('Here is the chart and [the table](sandbox:/mnt/data/table.csv).'));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Plot it.' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));

      const [call] = await codeCalls(client, run);
      const image = call?.code_interpreter.outputs.find((o) => o.type === 'image');
      assert.ok(image?.type === 'image', JSON.stringify(call));
      const png = Buffer.from(await (await client.files.content(image.image.file_id)).arrayBuffer());
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
      assert.ok(png.length > 1000, `a real chart, not an empty image (${png.length} bytes)`);
      const imageFile = await client.files.retrieve(image.image.file_id);
      assert.equal(imageFile.purpose, 'assistants_output');

      const [message] = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      assert.deepEqual(message?.content[0], { type: 'image_file', image_file: { file_id: image.image.file_id } });
      const text = message?.content[1]?.type === 'text' ? message.content[1].text : undefined;
      const link = 'sandbox:/mnt/data/table.csv';
      assert.equal(text?.annotations.length, 1, JSON.stringify(text));
      const annotation = text!.annotations[0]!;
      assert.ok(annotation.type === 'file_path');
      assert.equal(annotation.text, link);
      assert.equal(annotation.start_index, text!.value.indexOf(link));
      assert.equal(annotation.end_index, text!.value.indexOf(link) + link.length);
      const table = await client.files.retrieve(annotation.file_path.file_id);
      assert.equal(table.filename, 'table.csv');
      assert.equal(table.purpose, 'assistants_output');
      assert.equal(await (await client.files.content(table.id)).text(), 'x,y\n1,3\n2,4\n');
      assert.match(toolResults(fake)[0]!, /sandbox:\/mnt\/data\/table\.csv/);
    });

    it("should keep a thread's session between runs, and end it after the idle time", async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      const thread = await client.beta.threads.create();
      const turn = async (code: string) => {
        fake.enqueue(CHAT, callCode(`call_${Math.random().toString(36).slice(2, 8)}`, code), answer('ok'));
        await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'go' });
        const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
        assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
        return logsOf((await codeCalls(client, run))[0]);
      };
      assert.equal(await turn("secret = 41\n_ = open('note.txt', 'w').write('kept')"), '');
      assert.equal(await turn("print(secret + 1, open('note.txt').read())"), '42 kept\n');
      clock.advance(601_000);
      assert.match(await turn('print(secret)'), /NameError: name 'secret' is not defined/);
    });

    it('should stream the code as it is written and its output as it comes', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      const code = "for i in range(3):\n    print(f'line {i}')\n'\\u00e9t\\u00e9 \"quoted\"'";
      fake.enqueue(CHAT, callCode('call_stream', code), answer('Printed three lines.'));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Print.' }] });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      const inputs: string[] = [];
      const logs: string[] = [];
      let created: string | undefined;
      stream.on('toolCallCreated', (c) => (created = c.type));
      stream.on('toolCallDelta', (delta) => {
        if (delta.type !== 'code_interpreter') return;
        if (delta.code_interpreter?.input) inputs.push(delta.code_interpreter.input);
        for (const o of delta.code_interpreter?.outputs ?? []) if (o.type === 'logs' && o.logs) logs.push(o.logs);
      });
      const done: CodeInterpreterToolCall[] = [];
      stream.on('toolCallDone', (c) => c.type === 'code_interpreter' && done.push(c));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.equal(created, 'code_interpreter');
      assert.ok(inputs.length >= 2, `the input arrived in pieces: ${JSON.stringify(inputs)}`);
      assert.equal(inputs.join(''), code);
      assert.equal(logs.join(''), "line 0\nline 1\nline 2\n'été \"quoted\"'\n");
      assert.equal(done[0]?.code_interpreter.input, code);
    });

    it('should stream code_interpreter calls to apps on the 4.x SDK too', async () => {
      fake.reset();
      const v4 = app.clientV4();
      const assistant = await v4.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callCode('call_v4', "print('from v4')"), answer('done'));
      const thread = await v4.beta.threads.create({ messages: [{ role: 'user', content: 'go' }] });
      const stream = v4.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      let logs = '';
      stream.on('toolCallDelta', (d) => {
        if (d.type === 'code_interpreter') for (const o of d.code_interpreter?.outputs ?? []) if (o.type === 'logs') logs += o.logs ?? '';
      });
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      assert.equal(logs, 'from v4\n');
    });

    it('should stop the code when the run is cancelled, and end the step cancelled', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callCode('call_sleep', "import time\nprint('sleeping', flush=True)\ntime.sleep(60)"));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Sleep.' }] });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      const sleeping = new Promise<void>((resolve) =>
        stream.on('toolCallDelta', (d) => {
          if (d.type === 'code_interpreter' && d.code_interpreter?.outputs?.some((o) => o.type === 'logs' && o.logs?.includes('sleeping'))) resolve();
        }),
      );
      await sleeping;
      const runId = stream.currentRun()!.id;
      await client.beta.threads.runs.cancel(runId, { thread_id: thread.id });
      const run = await stream.finalRun();
      assert.equal(run.status, 'cancelled');
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
      assert.deepEqual(steps.data.map((s) => [s.type, s.status]), [['tool_calls', 'cancelled']]);
      // The thread's session is usable again at once.
      fake.enqueue(CHAT, callCode('call_after', 'print("after")'), answer('ok'));
      const next = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(logsOf((await codeCalls(client, next))[0]), 'after\n');
    });

    it('should hand the model its own errors so it can correct itself, and go on', async () => {
      fake.reset();
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callCode('call_bad', 'print(undefined_name)'), callCode('call_good', 'print(6 * 7)'), answer('42'));
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Multiply.' }] },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      const [bad, good] = toolResults(fake);
      assert.match(bad!, /NameError: name 'undefined_name' is not defined/);
      assert.doesNotMatch(bad!, /runner\.py/, 'the runner stays out of tracebacks');
      assert.equal(good, '42\n');
    });
  });
}

describe('code_interpreter containment (sqlite)', () => {
  let fake: FakeUpstream;
  let app: TestApp;
  let client: OpenAI;

  before(async () => {
    fake = await startFakeUpstream();
    app = await createTestApp({
      env: { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_UPSTREAM_API_KEY: 'sk-upstream-secret-123' },
      yaml: ['code_interpreter:', '  call_timeout_s: 2', '  memory_mb: 512', '  max_file_mb: 5', '  tmp_mb: 4', '  max_disk_mb: 20', '  max_output_mb: 2'].join('\n'),
    });
    client = app.client();
  });
  after(async () => {
    await app.close();
    await fake.close();
  });

  it('should contain every escape attempt with a clear tool error while the server keeps serving', async () => {
    const dbPath = app.databaseUrl.replace(/^file:/, '');
    const port = new URL(app.url).port;
    const upstreamPort = new URL(fake.url).port;
    const attempts: Array<[string, string, RegExp]> = [
      ['passwd', "print(open('/etc/passwd').read())", /FileNotFoundError/],
      ['database', `print(open(${JSON.stringify(dbPath)}, 'rb').read(16))`, /FileNotFoundError/],
      ['network', `import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=2)`, /ConnectionRefusedError|OSError/],
      ['upstream', `import urllib.request\nurllib.request.urlopen('http://127.0.0.1:${upstreamPort}/v1/models', timeout=2)`, /URLError|Connection refused/],
      ['internet', "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)", /Network is unreachable|OSError/],
      ['environment', "import os\nprint(sorted(os.environ))\nprint(open('/proc/1/environ', 'rb').read())", /\['HOME', 'LANG'/],
      ['fork bomb', 'import os\nwhile True:\n    os.fork()', /BlockingIOError|Resource temporarily unavailable/],
      ['memory', 'hog = bytearray(3 * 1024 ** 3)', /MemoryError/],
      ['infinite loop', 'while True:\n    pass', /timed out after 2 seconds/],
      ['output flood', "while True:\n    print('x' * 10000)", /output truncated[\s\S]*session was stopped: the code wrote more than/],
      ['disk fill', "with open('/mnt/data/big.bin', 'wb') as f:\n    while True:\n        f.write(b'0' * 1024 * 1024)", /File too large|session was stopped/],
      ['pyodide route', "from pyodide.ffi import to_js\nto_js([1]).constructor.constructor('return process')()", /ModuleNotFoundError: No module named 'pyodide'/],
      ['host root', "import os\nprint(os.getuid(), sorted(os.listdir('/')))", /^65534 \['bin', 'dev', 'etc', 'lib', 'lib64', 'mnt', 'opt', 'proc', 'sbin', 'tmp', 'usr'\]/],
      ['read-only root', "open('/etc/passwd', 'w').write('root::0:0::/:/bin/sh')", /Read-only file system/],
      ['shared memory fill', "with open('/dev/shm/fill', 'wb') as f:\n    while True:\n        f.write(b'0' * 1024 * 1024)", /No space left on device/],
      ['memory together', HOGS, /^together [0-3]\n|session was stopped/],
      ['straggler', "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', 'straggler-e2e'], start_new_session=True)\nprint('left behind')", /^left behind\n/],
      ['still alive', 'print(1 + 1)', /^2\n/],
    ];
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
    fake.enqueue(CHAT, ...attempts.map(([name, code]) => callCode(`call_${name.replace(/\W/g, '_')}`, code)), answer('Contained.'));
    const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Escape!' }] } });
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
    const results = toolResults(fake);
    assert.equal(results.length, attempts.length);
    attempts.forEach(([name, , expected], i) => assert.match(results[i]!, expected, `${name}: ${results[i]!.slice(0, 600)}`));
    const environment = results[attempts.findIndex(([n]) => n === 'environment')]!;
    assert.doesNotMatch(environment, /SWITCHBOARD|sk-|upstream-secret/);
    assert.match(environment, /\nb''\n/, 'pid 1 in the sandbox has an empty environment');

    // The server kept serving throughout: another request works.
    const models = await client.models.list();
    assert.ok(Array.isArray(models.data));
    assert.deepEqual(descendants(process.pid).map(cmdline).filter((c) => c.includes('straggler-e2e')), [], 'no process outlived its cell');
  });

  it('should not let code that swaps a directory for a link make the server read or delete host files', async () => {
    const host = mkdtempSync(join(tmpdir(), 'sb-host-'));
    for (let i = 0; i < 20; i++) writeFileSync(join(host, `report-${i}.txt`), 'HOST SECRET', { mode: 0o600 });
    writeFileSync(join(host, 'victim.txt'), 'must stay', { mode: 0o600 });
    const swap = (dir: string) =>
      [
        'def swap():',
        "    while not os.path.exists('/mnt/data/stop'):",
        '        try:',
        `            os.rename('${dir}', '${dir}.real'); os.symlink(${JSON.stringify(host)}, '${dir}')`,
        `            os.unlink('${dir}'); os.rename('${dir}.real', '${dir}')`,
        '        except OSError:',
        '            pass',
        'threading.Thread(target=swap, daemon=True).start()',
      ].join('\n');
    const reports = ['import os, threading', "os.makedirs('out')", "for i in range(20):\n    open(f'out/report-{i}.txt', 'w').write('inside')", swap('out')].join('\n');
    // An input file's name taken by a directory: the server clears it before copying the file in.
    const occupy = ['import os, threading', "os.makedirs('data.csv/sub')", "open('data.csv/sub/victim.txt', 'w').write('x')", swap('data.csv/sub')].join('\n');
    try {
      fake.reset();
      const data = await client.files.create({ file: await toFile(Buffer.from('a,b\n1,2\n'), 'data.csv'), purpose: 'assistants' });
      const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callCode('call_reports', reports), callCode('call_occupy', occupy), answer('swapped'));
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Swap.' }] });
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      fake.enqueue(CHAT, callCode('call_read', "print(open('data.csv').read())\nopen('stop', 'w').close()"), answer('read'));
      await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'Read.', attachments: [{ file_id: data.id, tools: [{ type: 'code_interpreter' }] }] });
      const next = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
      assert.equal(next.status, 'completed', JSON.stringify(next.last_error));
      assert.match(toolResults(fake).at(-1)!, /^a,b\n1,2\n\n/);

      const made = (await client.files.list({ purpose: 'assistants_output' })).data.filter((f) => f.filename.startsWith('report-'));
      for (const f of made) assert.equal(await (await client.files.content(f.id)).text(), 'inside', f.filename);
      assert.ok(readdirSync(host).length === 21 && readFileSync(join(host, 'victim.txt'), 'utf8') === 'must stay', 'host files untouched');
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });

  it('should queue for a session slot and fail with a tool error when none frees up', async () => {
    const busyApp = await createTestApp({
      env: { SWITCHBOARD_UPSTREAM_URL: fake.url },
      yaml: ['code_interpreter:', '  max_sessions: 1', '  queue_timeout_s: 0.5', '  call_timeout_s: 10'].join('\n'),
    });
    try {
      const c = busyApp.client();
      fake.reset();
      const assistant = await c.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      // Requests arrive as: slow's call, fast's call, fast's answer (after its wait), slow's answer.
      fake.enqueue(
        CHAT,
        callCode('call_slow', "import time\ntime.sleep(3)\nprint('slow done')"),
        callCode('call_fast', 'print(1)'),
        answer('fast'),
        answer('slow'),
      );
      const slow = c.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'slow' }] } }, { pollIntervalMs: 100 });
      // Wait until the slow call holds the only session.
      for (let i = 0; i < 100 && fake.calls.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 800));
      const fast = await c.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'fast' }] } }, { pollIntervalMs: 100 });
      assert.equal(fast.status, 'completed');
      const [busyCall] = await codeCalls(c, fast);
      assert.match(logsOf(busyCall), /All 1 code interpreter sessions of this server are busy/);
      const done = await slow;
      assert.equal(logsOf((await codeCalls(c, done))[0]), 'slow done\n');
    } finally {
      await busyApp.close();
    }
  });

  it('should fail the run with a clear error when the sandbox cannot run here, never running the code', async () => {
    const noSandbox = await createTestApp({
      env: { SWITCHBOARD_UPSTREAM_URL: fake.url },
      yaml: 'code_interpreter:\n  bwrap: /nonexistent/bwrap\n',
    });
    try {
      const c = noSandbox.client();
      fake.reset();
      const assistant = await c.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      fake.enqueue(CHAT, callCode('call_x', "open('/tmp/unsandboxed-proof', 'w').write('ran')"));
      const run = await c.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'x' }] } });
      assert.equal(run.status, 'failed');
      assert.equal(run.last_error?.code, 'server_error');
      assert.match(run.last_error?.message ?? '', /code_interpreter is unavailable on this server: bubblewrap \(\/nonexistent\/bwrap\) is not installed/);
      const steps = await c.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
      assert.equal(steps.data[0]?.status, 'failed');
    } finally {
      await noSandbox.close();
    }
  });
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('code_interpreter crash recovery (sqlite)', () => {
  it('should take the sandbox down with a server killed mid-call, and finish the run after the restart', async () => {
    const fake = await startFakeUpstream();
    const db = await createTestDatabaseUrl('sqlite');
    const config = join(mkdtempSync(join(tmpdir(), 'sb-ci-crash-')), 'switchboard.yaml');
    writeFileSync(config, 'runs:\n  lease_ms: 1000\n  poll_ms: 100\n');
    const env = { SWITCHBOARD_UPSTREAM_URL: fake.url, SWITCHBOARD_API_KEYS: 'sk-ci-crash-key', SWITCHBOARD_DATABASE_URL: db.url, SWITCHBOARD_CONFIG: config };
    const first = await spawnServer(env);
    let second: Awaited<ReturnType<typeof spawnServer>> | undefined;
    try {
      fake.enqueue(CHAT, callCode('call_long', "import time\nprint('working', flush=True)\ntime.sleep(60)"), callCode('call_again', 'print(2 + 2)'), answer('4'));
      const c1 = new OpenAI({ apiKey: 'sk-ci-crash-key', baseURL: first.baseURL, maxRetries: 0 });
      const assistant = await c1.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });
      const thread = await c1.beta.threads.create({ messages: [{ role: 'user', content: 'Work.' }] });
      const run = await c1.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
      // Wait until the code runs in its sandbox (a python3 below the server).
      const sandboxed = await until(
        async () => descendants(first.child.pid!).filter((p) => cmdline(p).includes('runner.py')),
        (pids) => pids.length > 0,
      );
      const tree = descendants(first.child.pid!);
      first.child.kill('SIGKILL');
      await first.exited;
      await until(async () => tree.filter(isAlive), (alive) => alive.length === 0);
      assert.ok(sandboxed.every((p) => !isAlive(p)), 'the sandbox died with the server');

      second = await spawnServer(env);
      const c2 = new OpenAI({ apiKey: 'sk-ci-crash-key', baseURL: second.baseURL, maxRetries: 0 });
      const done = await until(() => c2.beta.threads.runs.retrieve(run.id, { thread_id: thread.id }), (r) => r.status === 'completed');
      assert.equal(done.status, 'completed');
      const steps = await c2.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
      assert.deepEqual(steps.data.map((s) => [s.type, s.status]), [['tool_calls', 'completed'], ['message_creation', 'completed']]);
      assert.equal(logsOf((await codeCalls(c2, done))[0]), '4\n');
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await second?.exited;
      await fake.close();
      await db.drop();
    }
  });
});
