// /metrics as a platform team runs on it (docs/METRICS.md): traffic of every
// kind is driven through the official `openai` SDK, the exposition is linted
// with Debian's `promtool`, and a real `prometheus` server scrapes the gateway
// on loopback and is queried through its HTTP API for what the traffic should
// have produced: requests by outcome per tenant, retries and fallbacks, the
// breaker state, budget remaining, tokens and cost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import OpenAI from 'openai';
import { startMockLlm, startStrata, tempDir } from './harness.mjs';
import { adminClient, cli, eventually } from './governance.mjs';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
// gpt-4o-mini in the shipped price table, USD per token.
const INPUT_PRICE = 0.15 / 1e6;
const OUTPUT_PRICE = 0.60 / 1e6;
const TENANT_BUDGET_USD = 1;

let healthy, broken, gateway, admin, prometheus;
let tenant;
const secrets = [];     // every key secret minted: none may show up in /metrics
const keyIds = [];      // nor any key id: a series per credential would be unbounded
const requestIds = [];  // every request id answered: none may show up either
const answers = [];     // usage of every answer the tenant was served
const outcomes = {};    // what the traffic should count, by outcome

function count(outcome) { outcomes[outcome] = (outcomes[outcome] ?? 0) + 1; }

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// A real Prometheus on loopback, scraping the gateway every second.
async function startPrometheus(target) {
  const dir = tempDir('strata-prometheus-');
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global: {scrape_interval: 1s, evaluation_interval: 1s}',
    'scrape_configs:',
    '  - job_name: strata',
    '    scrape_interval: 1s',
    `    static_configs: [{targets: ["127.0.0.1:${target}"]}]`,
  ].join('\n'));
  const child = spawn(PROMETHEUS, [
    `--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.on('error', (error) => { stderr += String(error); });
  const url = `http://127.0.0.1:${port}`;
  const ready = async () => {
    try { return (await fetch(`${url}/-/ready`)).status === 200; } catch { return false; }
  };
  try {
    await eventually(ready, 30_000, `prometheus to be ready: ${stderr}`);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// An instant query through Prometheus's HTTP API: [{metric, value}].
async function query(expr) {
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await response.json();
  assert.equal(body.status, 'success', `${expr}: ${JSON.stringify(body)}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

async function scalar(expr) {
  const result = await query(expr);
  assert.ok(result.length <= 1, `${expr} gave ${result.length} series`);
  return result[0]?.value;
}

// Waits until Prometheus's answer to `expr` equals `expected` (it scrapes
// every second), then asserts it, so a mismatch fails with both values.
async function expectQuery(expr, expected, { close = false } = {}) {
  const same = (value) => (close ? Math.abs(value - expected) < 1e-9 : value === expected);
  let last;
  try {
    await eventually(async () => { last = await scalar(expr); return last !== undefined && same(last); },
      15_000, expr);
  } catch { /* reported below */ }
  assert.ok(last !== undefined && same(last), `${expr}: Prometheus says ${last}, the traffic says ${expected}`);
}

function client(secret) {
  return new OpenAI({ apiKey: secret, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
}

async function chat(secret, model = 'gpt-4o-mini') {
  const { data, response } = await client(secret).chat.completions
    .create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'count to three' }] })
    .withResponse();
  requestIds.push(response.headers.get('x-request-id'));
  return { data, response };
}

// The error a refused call raises, with its request id kept.
async function refused(call) {
  const error = await call.then(() => undefined, (e) => e);
  assert.ok(error instanceof OpenAI.APIError, `expected an API error, got ${error}`);
  requestIds.push(error.headers?.get('x-request-id'));
  return error;
}

async function newKey(base, name) {
  const key = (await admin.post(`${base}/keys`, { name })).body;
  secrets.push(key.secret);
  keyIds.push(key.id);
  return key;
}

before(async () => {
  healthy = await startMockLlm();
  broken = await startMockLlm(['--fault', 'status:503']);
  gateway = await startStrata({ config: [
    'server: {workers: 1}',  // one worker: one breaker per deployment, so its state is known
    'auth: {refresh_interval: 100ms}',
    'routing:',
    '  retries: {max_attempts: 3, max_attempts_per_deployment: 2, base_delay: 10ms, max_delay: 20ms}',
    '  breaker: {failure_threshold: 2, cool_down: 60s}',
    'models:',
    '  - name: gpt-4o-mini',
    `    deployments: [{name: mock-main, provider: openai-compatible, base_url: "${healthy.url}/v1", model: gpt-4o-mini}]`,
    '  - name: flaky',
    `    deployments: [{name: mock-broken, provider: openai-compatible, base_url: "${broken.url}/v1", model: gpt-4o-mini}]`,
    '    fallbacks: [gpt-4o-mini]',
    '  - name: broken-only',
    `    deployments: [{name: mock-broken, provider: openai-compatible, base_url: "${broken.url}/v1", model: gpt-4o-mini}]`,
  ].join('\n') });
  const adminKey = cli(gateway, ['keys', 'create', '--platform', '--role', 'admin', '--name', 'bootstrap']).trim();
  secrets.push(adminKey);
  const openapi = await (await fetch(`${gateway.url}/openapi.json`)).json();
  admin = adminClient(gateway, adminKey, openapi);
  prometheus = await startPrometheus(gateway.port);
});

after(async () => {
  if (gateway?.child.exitCode !== null || gateway?.child.signalCode !== null) {
    console.log(`the gateway died:\n${gateway?.rawStderr.slice(-40).join('\n')}`);
  }
  await Promise.all([prometheus?.stop(), gateway?.stop(), healthy?.stop(), broken?.stop()]);
});

test('traffic of every outcome is counted per tenant, and Prometheus reads it back', { timeout: 120_000 }, async () => {
  tenant = (await admin.post('/admin/v1/tenants', { name: 'metrics-co' })).body;
  const base = `/admin/v1/tenants/${tenant.id}`;
  await admin.put(`${base}/budgets`, { scope_type: 'tenant', period: 'day', limit_usd: TENANT_BUDGET_USD });
  const main = await newKey(base, 'main');
  const limited = await newKey(base, 'limited');
  await admin.put(`${base}/rate-limits`, { scope_type: 'key', scope_id: limited.id, requests_per_minute: 1 });
  const poor = await newKey(base, 'poor');
  await admin.put(`${base}/budgets`, { scope_type: 'key', scope_id: poor.id, period: 'day', limit_usd: 0.00001 });

  // Successes, whole and streamed.
  for (let i = 0; i < 3; i++) {
    answers.push((await chat(main.secret)).data.usage);
    count('success');
  }
  const { data: stream, response } = await client(main.secret).chat.completions
    .create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream it' }] })
    .withResponse();
  requestIds.push(response.headers.get('x-request-id'));
  let streamUsage;
  for await (const chunk of stream) if (chunk.usage) streamUsage = chunk.usage;
  assert.ok(streamUsage, 'the stream reported its usage');
  answers.push(streamUsage);
  count('success');

  // Strata's own rate limit: the second request in the minute is refused.
  answers.push((await chat(limited.secret)).data.usage);
  count('success');
  assert.equal((await refused(chat(limited.secret))).status, 429);
  count('rate_limited');

  // A budget too small for one request.
  const poorError = await refused(chat(poor.secret));
  assert.equal(poorError.status, 429);
  assert.equal(poorError.code, 'insufficient_quota');
  count('budget_exceeded');

  // An upstream failure: mock-broken answers 503, is retried once, then the
  // fallback alias serves. Its two failures open its breaker (threshold 2).
  const fallback = await chat(main.secret, 'flaky');
  assert.equal(fallback.response.headers.get('x-strata-deployment'), 'mock-main');
  assert.equal(fallback.response.headers.get('x-strata-attempts'), '3');
  answers.push(fallback.data.usage);
  count('success');
  // With the breaker open and no fallback, the alias has nothing to offer.
  assert.equal((await refused(chat(main.secret, 'broken-only'))).status, 503);
  count('upstream_error');

  // The client's mistake.
  assert.equal((await refused(chat(main.secret, 'no-such-model'))).status, 404);
  count('client_error');

  const byOutcome = async () => Object.fromEntries((await query(
    `sum by (outcome) (strata_gateway_requests_total{tenant="${tenant.id}"})`)).map((r) => [r.metric.outcome, r.value]));
  let seen;
  await eventually(async () => {
    seen = await byOutcome();
    return JSON.stringify(Object.entries(seen).sort()) === JSON.stringify(Object.entries(outcomes).sort());
  }, 15_000, 'Prometheus to scrape the traffic').catch(() => {});
  assert.deepEqual(seen, outcomes);

  // A request no deployment could take is still counted under its alias.
  await expectQuery(`sum(strata_gateway_requests_total{alias="broken-only",outcome="upstream_error",status="503"})`, 1);

  // Refusals by the limit that refused.
  await expectQuery(`strata_admission_refusals_total{tenant="${tenant.id}",reason="requests",scope="key"}`, 1);
  await expectQuery(`strata_admission_refusals_total{tenant="${tenant.id}",reason="budget",scope="key"}`, 1);

  // Retries and fallbacks, told apart.
  await expectQuery('sum(strata_gateway_retries_total{alias="flaky",deployment="mock-broken"})', 1);
  await expectQuery('sum(strata_gateway_fallbacks_total{from_alias="flaky",from_deployment="mock-broken",' +
    'to_alias="gpt-4o-mini",to_deployment="mock-main"})', 1);
  await expectQuery('sum(strata_gateway_upstream_attempts_total{deployment="mock-broken",outcome="upstream_error"})', 2);
  await expectQuery('sum(strata_gateway_upstream_attempt_duration_seconds_count{deployment="mock-broken"})', 2);

  // The breaker of the failing deployment is open; the healthy one's closed.
  await expectQuery('strata_gateway_breaker_state{deployment="mock-broken"}', 2);
  await expectQuery('strata_gateway_breaker_state{deployment="mock-main"}', 0);
  await expectQuery('strata_gateway_breaker_opens_total{deployment="mock-broken"}', 1);

  // Tokens, cost and the budget, from what the answers said they used.
  const input = answers.reduce((sum, u) => sum + u.prompt_tokens, 0);
  const output = answers.reduce((sum, u) => sum + u.completion_tokens, 0);
  const spent = input * INPUT_PRICE + output * OUTPUT_PRICE;
  await expectQuery(`sum(strata_gateway_tokens_total{tenant="${tenant.id}",kind="input"})`, input);
  await expectQuery(`sum(strata_gateway_tokens_total{tenant="${tenant.id}",kind="output"})`, output);
  await expectQuery(`sum(strata_gateway_cost_usd_total{tenant="${tenant.id}",provider="openai-compatible"})`, spent,
    { close: true });
  await expectQuery(`strata_budget_remaining_usd{tenant="${tenant.id}",scope="tenant",period="day"}`,
    TENANT_BUDGET_USD - spent, { close: true });
  await expectQuery(`strata_budget_spent_usd{tenant="${tenant.id}",scope="tenant",period="day"}`, spent,
    { close: true });

  // Latency: one time to first token (the stream); every request timed end to end.
  await expectQuery('sum(strata_gateway_time_to_first_token_seconds_count{alias="gpt-4o-mini"})', 1);
  await expectQuery('sum(strata_gateway_request_duration_seconds_count)',
    Object.values(outcomes).reduce((a, b) => a + b, 0));
  // Nothing is left in flight; Prometheus's own scrape holds a connection open.
  await expectQuery('strata_gateway_requests_in_flight', 0);
  await expectQuery('strata_gateway_open_streams', 0);
  assert.ok((await scalar('strata_http_open_connections')) >= 1);
});

test('promtool finds nothing to complain about in /metrics', async () => {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  assert.match(text, /^strata_gateway_requests_total\{/m, 'the gateway families have series');
  const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(lint.error, undefined, String(lint.error));
  assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool reported problems');
  assert.equal(lint.status, 0);
});

test('no label value carries a request id, a key secret or a key id', async () => {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const values = new Set();
  const names = new Set();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('{')) continue;
    for (const [, name, value] of line.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      names.add(name);
      values.add(value);
    }
  }
  assert.ok(values.has(tenant.id), 'the tenant label is there');
  const forbidden = [...secrets, ...keyIds, ...requestIds.filter(Boolean)];
  assert.ok(requestIds.filter(Boolean).length >= 10, 'request ids were collected');
  for (const value of values) {
    for (const secret of forbidden) assert.ok(!value.includes(secret), `label value ${value} leaks ${secret}`);
  }
  for (const name of ['request_id', 'user', 'key', 'key_id', 'model']) {
    assert.ok(!names.has(name), `no metric is labelled by ${name}`);
  }
});
