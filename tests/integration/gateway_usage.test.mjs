// Usage and cost: priced from what the vendor reports, estimated (and marked
// so) when a vendor reports nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import OpenAI from 'openai';
import { startMockLlm, startStrata } from './harness.mjs';

let mock, silent, strata, client;

// An OpenAI-compatible upstream that never reports usage, as some local servers do.
function startSilentVendor() {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const stream = JSON.parse(body).stream === true;
      const base = { id: 'chatcmpl-silent', created: 1, model: 'local-model' };
      if (!stream) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ ...base, object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Four words, no usage.' }, finish_reason: 'stop' }] }));
        return;
      }
      response.setHeader('content-type', 'text/event-stream');
      for (const piece of ['Four words,', ' no usage.']) {
        response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      }
      response.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  [mock, silent] = await Promise.all([startMockLlm(), startSilentVendor()]);
  strata = await startStrata({
    config: [
      'models:',
      '  - name: priced',
      `    deployments: [{provider: openai-compatible, base_url: "${mock.url}/v1", model: gpt-4o-mini}]`,
      '  - name: silent',
      `    deployments: [{provider: openai-compatible, base_url: "http://127.0.0.1:${silent.address().port}/v1", model: local-model}]`,
    ].join('\n'),
  });
  client = new OpenAI({ apiKey: 'x', baseURL: `${strata.url}/v1`, maxRetries: 0 });
});
after(async () => { await Promise.all([strata?.stop(), mock?.stop(), new Promise((r) => silent?.close(r))]); });

test('the cost header is the reported usage at the model\'s list price', async () => {
  const { data, response } = await client.chat.completions.create({
    model: 'priced', messages: [{ role: 'user', content: 'What does this cost?' }] }).withResponse();
  // gpt-4o-mini list prices: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
  const expected = (data.usage.prompt_tokens * 0.15 + data.usage.completion_tokens * 0.60) / 1e6;
  assert.ok(Math.abs(Number(response.headers.get('x-strata-cost-usd')) - expected) < 1e-12,
    `${response.headers.get('x-strata-cost-usd')} vs ${expected}`);
});

test('cost and token metrics add up to what the answers reported', async () => {
  const metric = async (name) => {
    const text = await (await fetch(`${strata.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const labels = 'alias="priced",deployment="openai-compatible/gpt-4o-mini",provider="openai-compatible",tenant="default"';
  const costBefore = await metric(`strata_gateway_cost_usd_total{${labels}}`);
  const inputBefore = await metric(`strata_gateway_tokens_total{${labels},kind="input"}`);
  let cost = 0;
  let input = 0;
  for (const content of ['one', 'two words', 'and three words']) {
    const { data, response } = await client.chat.completions.create({
      model: 'priced', messages: [{ role: 'user', content }] }).withResponse();
    cost += Number(response.headers.get('x-strata-cost-usd'));
    input += data.usage.prompt_tokens;
  }
  // Exchanges are counted when they complete, just after the answer is sent:
  // poll briefly rather than race the last one.
  let costAfter = 0;
  let inputAfter = 0;
  for (let i = 0; i < 100; i++) {
    costAfter = await metric(`strata_gateway_cost_usd_total{${labels}}`);
    inputAfter = await metric(`strata_gateway_tokens_total{${labels},kind="input"}`);
    if (inputAfter - inputBefore === input && Math.abs(costAfter - costBefore - cost) < 1e-12) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(Math.abs(costAfter - costBefore - cost) < 1e-12, `${costAfter - costBefore} vs ${cost}`);
  assert.equal(inputAfter - inputBefore, input);
});

test('a model without a price has no cost header rather than a zero', async () => {
  const { response } = await client.chat.completions.create({
    model: 'silent', messages: [{ role: 'user', content: 'x' }] }).withResponse();
  assert.equal(response.headers.get('x-strata-cost-usd'), null);
});

test('usage a vendor does not report is estimated and recorded as estimated', async () => {
  const other = await startStrata({ config: ['models:', '  - name: silent',
    `    deployments: [{provider: openai-compatible, base_url: "http://127.0.0.1:${silent.address().port}/v1", model: local-model}]`].join('\n') });
  const otherClient = new OpenAI({ apiKey: 'x', baseURL: `${other.url}/v1`, maxRetries: 0 });
  const messages = [{ role: 'user', content: 'Please count the tokens of this sentence.' }];
  await otherClient.chat.completions.create({ model: 'silent', messages });
  for await (const chunk of await otherClient.chat.completions.create({ model: 'silent', messages, stream: true })) void chunk;
  other.child.kill('SIGTERM');
  assert.equal((await other.exited).code, 0);
  const rows = execFileSync('sqlite3', [path.join(other.dir, 'data', 'strata.db'),
    'select payload from inference_records order by seq'], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  await other.stop();
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.usage.estimated, true, JSON.stringify(row));
    assert.ok(row.usage.input_tokens > 5 && row.usage.output_tokens >= 3, JSON.stringify(row.usage));
  }
  assert.equal(rows[0].usage.output_tokens, rows[1].usage.output_tokens, 'the same text, streamed or not');
});

test('a client leaving cancels the upstream call at once, streamed or not', async () => {
  const slow = await startMockLlm(['--latency-ms', '4000', '--first-byte-delay-ms', '4000']);
  const other = await startStrata({ config: ['models:', '  - name: slow',
    `    deployments: [{provider: openai-compatible, base_url: "${slow.url}/v1", model: gpt-4o-mini}]`].join('\n') });
  for (const stream of [false, true]) {
    const controller = new AbortController();
    const pending = fetch(`${other.url}/v1/chat/completions`, {
      method: 'POST', signal: controller.signal,
      body: JSON.stringify({ model: 'slow', stream, messages: [{ role: 'user', content: 'x' }] }) }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    assert.equal(await pending, 'aborted');
  }
  assert.equal((await fetch(`${other.url}/healthz`)).status, 200);
  other.child.kill('SIGTERM');
  await other.exited;
  const rows = execFileSync('sqlite3', [path.join(other.dir, 'data', 'strata.db'),
    'select payload from inference_records order by seq'], { encoding: 'utf8' }).trim().split('\n').map(JSON.parse);
  await Promise.all([other.stop(), slow.stop()]);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.client_gone, true);
    // The vendor would have answered after 4 s: the call was abandoned when the client left.
    assert.ok(row.latency_us < 3_000_000, `${row.latency_us} µs`);
  }
});
