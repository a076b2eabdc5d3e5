// The gateway end to end: the official `openai` SDK → strata serve →
// strata mock-llm (healthy, failing, and cutting streams), over loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import OpenAI from 'openai';
import { startMockLlm, startStrata } from './harness.mjs';

const KEY = 'sk-strata-test-key';
let healthy, failing, rejecting, cutting, slow, strata, client;

function deployment(mock, name) {
  return `      - {name: ${name}, provider: openai-compatible, base_url: "${mock.url}/v1", model: gpt-4o-mini}`;
}

before(async () => {
  [healthy, failing, rejecting, cutting, slow] = await Promise.all([
    startMockLlm(),
    startMockLlm(['--fault', 'status:503']),
    startMockLlm(['--fault', 'status:400']),
    startMockLlm(['--fault', 'disconnect:2', '--chunks', '6']),
    startMockLlm(['--latency-ms', '5000', '--first-byte-delay-ms', '5000']),
  ]);
  strata = await startStrata({
    config: [
      'auth:',
      `  api_keys: [${KEY}]`,
      'models:',
      '  - name: fast',
      '    deployments:',
      deployment(healthy, 'mock-healthy'),
      // A deployment name is one upstream with one breaker, however many
      // aliases list it: each alias below gets its own, so their failures
      // do not add up to an open breaker.
      '  - name: flaky',
      '    deployments:',
      deployment(failing, 'mock-503-flaky'),
      deployment(healthy, 'mock-healthy'),
      '  - name: broken',
      '    deployments:',
      deployment(failing, 'mock-503-broken'),
      '    fallbacks: [fast]',
      '  - name: bad-request',
      '    deployments:',
      deployment(rejecting, 'mock-400'),
      deployment(healthy, 'mock-healthy'),
      '  - name: cut',
      '    deployments:',
      deployment(cutting, 'mock-cut'),
      deployment(healthy, 'mock-healthy'),
      '  - name: down',
      '    deployments:',
      deployment(failing, 'mock-503'),
      '  - name: sluggish',
      '    deployments:',
      `      - {name: mock-slow, provider: openai-compatible, base_url: "${slow.url}/v1", model: m, timeout: 300ms}`,
      deployment(healthy, 'mock-healthy'),
    ].join('\n'),
  });
  client = new OpenAI({ apiKey: KEY, baseURL: `${strata.url}/v1`, maxRetries: 0 });
});
after(async () => {
  await Promise.all([strata?.stop(), healthy?.stop(), failing?.stop(), rejecting?.stop(), cutting?.stop(), slow?.stop()]);
});

const ask = (model, extra = {}, options = {}) => client.chat.completions.create(
  { model, messages: [{ role: 'user', content: 'Hello gateway' }], ...extra }, options);

test('a chat completion passes through with routing headers', async () => {
  const { data, response } = await ask('fast').withResponse();
  assert.equal(data.choices[0].message.content, 'Mock reply to: Hello gateway');
  assert.ok(data.usage.total_tokens > 0);
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  assert.equal(response.headers.get('x-strata-attempts'), '1');
  assert.match(response.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

test('a streamed completion arrives chunk by chunk, usage only when asked', async () => {
  let text = '';
  let chunks = 0;
  let usageChunks = 0;
  for await (const chunk of await ask('fast', { stream: true })) {
    if (chunk.usage) usageChunks++;
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) { text += delta; chunks++; }
  }
  assert.equal(text, 'Mock reply to: Hello gateway');
  assert.ok(chunks > 1);
  assert.equal(usageChunks, 0, 'the gateway asked upstream for usage; the client did not');
  let usage;
  for await (const chunk of await ask('fast', { stream: true, stream_options: { include_usage: true } })) {
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(usage?.completion_tokens > 0);
});

test('tools, completions and embeddings pass through', async () => {
  const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
  const withTools = await ask('fast', { tools });
  assert.equal(withTools.choices[0].message.tool_calls[0].function.name, 'lookup');
  const completion = await client.completions.create({ model: 'fast', prompt: 'Say hi' });
  assert.equal(completion.object, 'text_completion');
  const embeddings = await client.embeddings.create({ model: 'fast', input: ['a', 'b'] });
  assert.equal(embeddings.data.length, 2);
});

test('models are listed and retrieved', async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  for (const name of ['fast', 'flaky', 'strata-demo']) assert.ok(ids.includes(name), name);
  assert.equal((await client.models.retrieve('fast')).id, 'fast');
  await assert.rejects(client.models.retrieve('nope'), OpenAI.NotFoundError);
});

test('a 503 is retried once on its deployment, then falls back to the next', async () => {
  const { data, response } = await ask('flaky').withResponse();
  assert.equal(data.choices[0].message.content, 'Mock reply to: Hello gateway');
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  assert.equal(response.headers.get('x-strata-attempts'), '3');
});

test('an alias whose deployments all fail falls back to another alias', async () => {
  const { response } = await ask('broken').withResponse();
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  assert.equal(response.headers.get('x-strata-attempts'), '3');
});

test('a stream that fails before its first byte falls back too', async () => {
  let text = '';
  for await (const chunk of await ask('flaky', { stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'Mock reply to: Hello gateway');
});

test('a deployment that does not answer within its timeout is abandoned for the next', async () => {
  const started = Date.now();
  const { data, response } = await ask('sluggish').withResponse();
  assert.equal(data.choices[0].message.content, 'Mock reply to: Hello gateway');
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  assert.equal(response.headers.get('x-strata-attempts'), '2');
  assert.ok(Date.now() - started < 4500, 'the slow call was cancelled, not waited out');
  let text = '';
  for await (const chunk of await ask('sluggish', { stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'Mock reply to: Hello gateway', 'a stream with no first event in time moves on too');
});

test('a vendor 400 is the request\'s fault: no fallback, the vendor message kept', async () => {
  const error = await ask('bad-request').catch((e) => e);
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.match(error.message, /mock-400/);
  assert.equal(error.headers.get('x-strata-attempts'), '1');
});

test('when every deployment fails the last error comes back as a 503', async () => {
  const error = await ask('down').catch((e) => e);
  assert.equal(error.status, 503);
  assert.match(error.message, /mock-503 answered 503/);
});

test('a stream cut after it started is not retried and ends with an error the SDK raises', async () => {
  const stream = await ask('cut', { stream: true });
  let text = '';
  await assert.rejects(async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  });
  assert.ok(text.length > 0, 'the first chunks arrived');
  assert.ok(!text.includes('Mock reply to: Hello gateway'), 'no second attempt was spliced in');
});

test('API keys: missing or wrong keys get a 401 in the OpenAI envelope; x-api-key works', async () => {
  const anonymous = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${strata.url}/v1`, maxRetries: 0 });
  await assert.rejects(anonymous.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }),
    OpenAI.AuthenticationError);
  const missing = await fetch(`${strata.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
  assert.equal(missing.status, 401);
  assert.equal((await missing.json()).error.type, 'authentication_error');
  const viaHeader = await fetch(`${strata.url}/v1/models`, { headers: { 'x-api-key': KEY } });
  assert.equal(viaHeader.status, 200);
  assert.ok(!strata.rawStderr.some((l) => l.includes(KEY)), 'the key never appears in the logs');
});

test('bad bodies get a 400 naming the field', async () => {
  const post = (body) => fetch(`${strata.url}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body });
  for (const [body, param] of [['{not json', null], ['[]', null], ['{"messages":[]}', 'model'],
    ['{"model":"fast"}', 'messages'], ['{"model":"fast","messages":[]}', 'messages'],
    ['{"model":"fast","messages":[{"role":"user","content":"x"}],"stream":"yes"}', 'stream']]) {
    const response = await post(body);
    assert.equal(response.status, 400, body);
    assert.equal((await response.json()).error.param, param, body);
  }
});

test('a breaker opens on repeated failures, refuses at once, then lets one probe through', async () => {
  const gateway = await startStrata({ config: [
    'server: {workers: 1}',
    'routing:',
    '  retries: {max_attempts_per_deployment: 1, max_attempts: 1}',
    '  breaker: {failure_threshold: 2, cool_down: 1s}',
    'models:',
    '  - name: down',
    '    deployments:',
    deployment(failing, 'mock-503'),
  ].join('\n') });
  const post = () => fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST', body: JSON.stringify({ model: 'down', messages: [{ role: 'user', content: 'x' }] }) });
  for (let i = 0; i < 2; i++) {
    const failed = await post();
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('x-strata-attempts'), '1', 'the upstream was called');
  }
  const refused = await post();
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('x-strata-attempts'), null, 'open: no upstream call at all');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  await new Promise((resolve) => setTimeout(resolve, 1200));  // past the cool-down
  const probe = await post();
  assert.equal(probe.headers.get('x-strata-attempts'), '1', 'half-open: one real request probes');
  await gateway.stop();
});

test('every exchange is recorded, and the records survive a restart', async () => {
  const other = await startStrata({ config: `models:\n  - name: fast\n    deployments:\n${deployment(healthy, 'mock-healthy')}` });
  const otherClient = new OpenAI({ apiKey: 'x', baseURL: `${other.url}/v1`, maxRetries: 0 });
  for (let i = 0; i < 5; i++) await otherClient.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: `n${i}` }] });
  await otherClient.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] }).catch(() => {});
  other.child.kill('SIGTERM');
  assert.equal((await other.exited).code, 0);
  const rows = execFileSync('sqlite3', [path.join(other.dir, 'data', 'strata.db'),
    "select json_extract(payload,'$.status') || ':' || json_extract(payload,'$.deployment') from inference_records order by seq"],
  { encoding: 'utf8' }).trim().split('\n');
  await other.stop();  // removes its data directory
  assert.deepEqual(rows, [...Array(5).fill('200:mock-healthy'), '404:']);
});
