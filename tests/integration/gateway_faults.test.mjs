// Fault injection, end to end: the official `openai` SDK (maxRetries: 0, so
// every retry seen here is Strata's) → strata serve → strata mock-llm
// processes, each started with one run-wide fault (the gateway does not pass
// client headers upstream, so a deployment misbehaves because its mock does).
// Where a test must see what reaches a vendor, a TCP relay (`startTap`) sits in
// front of the mock and counts the requests and connection closes.
//
// Every reliability path: the fallback triggers, the 4xx that stops, Retry-After,
// the circuit breaker through its states, streams broken before and after their
// first byte, a client leaving mid-stream, max_concurrency and the deadlines.
// Timing assertions are lower bounds on waits Strata imposes, never upper bounds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { startMockLlm, startStrata, startTap } from './harness.mjs';

const PROMPT = 'Hello faults';
const REPLY = `Mock reply to: ${PROMPT}`;
// The healthy deployments ask their mock for this model, and the mock echoes
// it: an answer carrying it was written by a healthy deployment's mock.
const HEALTHY_MODEL = 'healthy-model';

// No test may hang the run.
const LIMIT = { timeout: 30_000 };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function openaiDeployment(name, baseUrl, extra = '') {
  return `      - {name: ${name}, provider: openai-compatible, base_url: "${baseUrl}/v1", model: gpt-4o-mini${extra}}`;
}
function healthyDeployment(mock, name = 'mock-healthy', extra = '') {
  return `      - {name: ${name}, provider: openai-compatible, base_url: "${mock.url}/v1", model: ${HEALTHY_MODEL}${extra}}`;
}
function alias(name, ...deployments) {
  return [`  - name: ${name}`, '    deployments:', ...deployments].join('\n');
}

function clientFor(gateway) {
  return new OpenAI({ apiKey: 'x', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
}

function chat(client, model, extra = {}, options = {}) {
  return client.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }], ...extra }, options);
}

// Raw POST, for the headers of refusals.
function post(gateway, model, extra = {}) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: PROMPT }], ...extra }),
  });
}

async function readStream(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

function sql(gateway, query) {
  return execFileSync('sqlite3', [path.join(gateway.dir, 'data', 'strata.db'), query], { encoding: 'utf8' }).trim();
}

// The inference record of one request, read from the running gateway's SQLite
// file (WAL: a second reader is fine) once the write-behind queue flushed it.
async function recordOf(gateway, requestId) {
  assert.match(requestId ?? '', /^[0-9a-zA-Z-]+$/);
  let lastError;
  for (let i = 0; i < 100; i++) {
    try {
      const row = sql(gateway, `select payload from inference_records where json_extract(payload, '$.request_id') = '${requestId}'`);
      if (row) return JSON.parse(row);
    } catch (error) {
      lastError = error;  // not created yet, or busy for a moment
    }
    await sleep(100);
  }
  throw new Error(`no inference record for ${requestId}: ${lastError}`);
}

// What a test started, stopped in `after` should the test fail or time out
// before its own `finally` ran.
const running = new Set();
async function own(starting) {
  const thing = await starting;
  running.add(thing);
  return thing;
}

// A port where nothing listens any more: a mock was there and stopped.
async function closedPort() {
  const mock = await startMockLlm();
  const { port } = mock;
  await mock.stop();
  return port;
}

// ---------------------------------------------------------------------------
// One gateway for the fallback triggers and the streams, over one mock per fault.

let mocks = {};
let refusedPort;
let gw;
let client;

before(async () => {
  const specs = {
    healthy: [],
    s429: ['--fault', 'status:429'],
    s429EverySecond: ['--fault', 'status:429', '--fault-ratio', '0.5', '--fault-seed', '0'],
    s500: ['--fault', 'status:500'],
    s503: ['--fault', 'status:503'],
    s529: ['--fault', 'status:529'],
    s400: ['--fault', 'status:400'],
    s401: ['--fault', 'status:401'],
    reset: ['--fault', 'reset'],
    malformed: ['--fault', 'malformed'],
    slow: ['--latency-ms', '5000'],
    cut: ['--fault', 'disconnect:2', '--chunks', '6'],
    stall: ['--fault', 'stall-after:2', '--chunks', '6'],
    malformedStream: ['--fault', 'malformed', '--chunks', '6'],
  };
  const started = await Promise.all(Object.values(specs).map((args) => startMockLlm(args)));
  mocks = Object.fromEntries(Object.keys(specs).map((key, i) => [key, started[i]]));
  refusedPort = await closedPort();
  const { healthy } = mocks;
  gw = await startStrata({
    config: [
      'upstream: {first_byte_timeout: 500ms, idle_timeout: 500ms}',
      'routing:',
      // Short backoffs: a retry that waits a whole second waited for a Retry-After.
      '  retries: {max_attempts: 3, max_attempts_per_deployment: 2, base_delay: 10ms, max_delay: 50ms}',
      'models:',
      alias('via-429', openaiDeployment('mock-429', mocks.s429.url), healthyDeployment(healthy)),
      alias('via-500', openaiDeployment('mock-500', mocks.s500.url), healthyDeployment(healthy)),
      alias('via-503', openaiDeployment('mock-503', mocks.s503.url), healthyDeployment(healthy)),
      alias('via-529',
        `      - {name: mock-529, provider: anthropic, base_url: "${mocks.s529.url}", api_key: vendor-key, model: claude-sonnet-4-5}`,
        healthyDeployment(healthy)),
      alias('via-refused', openaiDeployment('mock-refused', `http://127.0.0.1:${refusedPort}`), healthyDeployment(healthy)),
      alias('via-reset', openaiDeployment('mock-reset', mocks.reset.url), healthyDeployment(healthy)),
      alias('via-malformed', openaiDeployment('mock-malformed', mocks.malformed.url), healthyDeployment(healthy)),
      alias('via-timeout', openaiDeployment('mock-slow', mocks.slow.url), healthyDeployment(healthy)),
      alias('via-401', openaiDeployment('mock-401', mocks.s401.url), healthyDeployment(healthy)),
      alias('via-400', openaiDeployment('mock-400', mocks.s400.url), healthyDeployment(healthy)),
      alias('rate-limited-once', openaiDeployment('mock-429-every-2nd', mocks.s429EverySecond.url), healthyDeployment(healthy)),
      alias('stream-503', openaiDeployment('mock-503-stream', mocks.s503.url), healthyDeployment(healthy)),
      alias('stream-reset', openaiDeployment('mock-reset-stream', mocks.reset.url), healthyDeployment(healthy)),
      alias('stream-timeout', openaiDeployment('mock-slow-stream', mocks.slow.url), healthyDeployment(healthy)),
      alias('stream-cut', openaiDeployment('mock-cut', mocks.cut.url), healthyDeployment(healthy)),
      alias('stream-stall', openaiDeployment('mock-stall', mocks.stall.url), healthyDeployment(healthy)),
      alias('stream-malformed', openaiDeployment('mock-malformed-stream', mocks.malformedStream.url), healthyDeployment(healthy)),
    ].join('\n'),
  });
  client = clientFor(gw);
});

after(async () => {
  await Promise.all([gw?.stop(), ...Object.values(mocks).map((mock) => mock.stop()),
    ...[...running].map((thing) => (thing.stop ? thing.stop('SIGKILL') : thing.close()))]);
});

// Each trigger, and the attempts the routing rules give for it (docs/ROUTING.md):
// transient failures are retried once on their deployment, then the next one;
// a timeout, a vendor refusing our key and an unreadable answer move on at once.
const fallbacks = [
  { trigger: 'a 429 (rate limited)', alias: 'via-429', attempts: ['mock-429', 'mock-429', 'mock-healthy'], atLeastMs: 1000 },
  { trigger: 'a 500', alias: 'via-500', attempts: ['mock-500', 'mock-500', 'mock-healthy'] },
  { trigger: 'a 503', alias: 'via-503', attempts: ['mock-503', 'mock-503', 'mock-healthy'] },
  { trigger: 'an Anthropic 529 overloaded_error', alias: 'via-529', attempts: ['mock-529', 'mock-529', 'mock-healthy'] },
  { trigger: 'a refused connection', alias: 'via-refused', attempts: ['mock-refused', 'mock-refused', 'mock-healthy'] },
  { trigger: 'a reset before the response head', alias: 'via-reset', attempts: ['mock-reset', 'mock-reset', 'mock-healthy'] },
  { trigger: 'a 200 whose body is not JSON', alias: 'via-malformed', attempts: ['mock-malformed', 'mock-healthy'] },
  { trigger: 'a first-byte timeout', alias: 'via-timeout', attempts: ['mock-slow', 'mock-healthy'], atLeastMs: 500 },
  { trigger: 'a vendor 401 (our vendor key refused)', alias: 'via-401', attempts: ['mock-401', 'mock-healthy'] },
];

for (const { trigger, alias: model, attempts, atLeastMs } of fallbacks) {
  test(`${trigger} moves the request to the next deployment, which answers`, LIMIT, async () => {
    const started = performance.now();
    const { data, response } = await chat(client, model).withResponse();
    const elapsed = performance.now() - started;
    assert.equal(data.choices[0].message.content, REPLY);
    assert.equal(data.model, HEALTHY_MODEL, 'the body is the healthy mock\'s');
    assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
    assert.equal(response.headers.get('x-strata-attempts'), String(attempts.length));
    const record = await recordOf(gw, response.headers.get('x-request-id'));
    assert.deepEqual(record.attempts, attempts);
    assert.equal(record.status, 200);
    assert.equal(record.deployment, 'mock-healthy');
    if (atLeastMs) assert.ok(elapsed >= atLeastMs - 5, `took ${elapsed} ms, expected at least ${atLeastMs}`);
  });
}

test('a vendor 400 is neither retried nor fallen back on: the client gets it, vendor message kept', LIMIT, async () => {
  const error = await chat(client, 'via-400').catch((e) => e);
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.match(error.message, /mock-400 answered 400/);
  assert.equal(error.headers.get('x-strata-attempts'), '1');
  const record = await recordOf(gw, error.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-400'], 'the healthy deployment was never called');
  assert.equal(record.status, 400);
});

test('a 429 is retried on the same deployment after its Retry-After, not after the short backoff', LIMIT, async () => {
  // The mock fails every second request (ratio 0.5, seed 0: requests 2, 4, …)
  // with 429 and Retry-After: 1. The first request uses up an odd turn.
  const warmUp = await chat(client, 'rate-limited-once').withResponse();
  assert.equal(warmUp.response.headers.get('x-strata-attempts'), '1');
  assert.equal(warmUp.response.headers.get('x-strata-deployment'), 'mock-429-every-2nd');

  const started = performance.now();
  const { data, response } = await chat(client, 'rate-limited-once').withResponse();
  const elapsed = performance.now() - started;
  assert.equal(data.choices[0].message.content, REPLY);
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-429-every-2nd', 'retried where it was refused');
  assert.equal(response.headers.get('x-strata-attempts'), '2');
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-429-every-2nd', 'mock-429-every-2nd']);
  // The configured backoff is at most 50 ms; only Retry-After makes it wait a second.
  assert.ok(elapsed >= 995, `the retry waited the vendor's Retry-After of 1 s (took ${elapsed} ms)`);
});

test('a stream that fails before its first byte falls back: 503, retried, then the next deployment', LIMIT, async () => {
  const { data: stream, response } = await chat(client, 'stream-503', { stream: true }).withResponse();
  assert.equal(await readStream(stream), REPLY);
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  assert.equal(response.headers.get('x-strata-attempts'), '3');
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-503-stream', 'mock-503-stream', 'mock-healthy']);
  assert.equal(record.stream, true);
});

test('a stream reset before its response head falls back', LIMIT, async () => {
  const { data: stream, response } = await chat(client, 'stream-reset', { stream: true }).withResponse();
  assert.equal(await readStream(stream), REPLY);
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-reset-stream', 'mock-reset-stream', 'mock-healthy']);
});

test('a stream whose vendor misses the first-byte timeout moves on at once', LIMIT, async () => {
  const started = performance.now();
  const { data: stream, response } = await chat(client, 'stream-timeout', { stream: true }).withResponse();
  assert.equal(await readStream(stream), REPLY);
  assert.ok(performance.now() - started >= 495, 'it waited out the 500 ms first-byte timeout');
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-slow-stream', 'mock-healthy']);
});

test('a stream cut after its first byte is not retried, and the SDK raises', LIMIT, async () => {
  const { data: stream, response } = await chat(client, 'stream-cut', { stream: true }).withResponse();
  assert.equal(response.headers.get('x-strata-deployment'), 'mock-cut');
  let text = '';
  const error = await (async () => { for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''; })()
    .then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.APIError, `the SDK raised an APIError, got ${error}`);
  assert.ok(text.length > 0 && REPLY.startsWith(text) && text !== REPLY, `a prefix of the answer arrived: '${text}'`);
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-cut'], 'no second attempt after the first byte');
});

test('a stream that goes quiet past upstream.idle_timeout ends with an error the SDK raises', LIMIT, async () => {
  const started = performance.now();
  const { data: stream, response } = await chat(client, 'stream-stall', { stream: true }).withResponse();
  const error = await readStream(stream).then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.APIError, `the SDK raised an APIError, got ${error}`);
  assert.match(error.message, /timed out/);
  assert.ok(performance.now() - started >= 495, 'not before the 500 ms idle timeout');
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-stall']);
});

test('a stream chunk that is not JSON ends the stream with an error the SDK raises, no retry', LIMIT, async () => {
  const { data: stream, response } = await chat(client, 'stream-malformed', { stream: true }).withResponse();
  const error = await readStream(stream).then(() => null, (e) => e);
  assert.ok(error instanceof OpenAI.APIError, `the SDK raised an APIError, got ${error}`);
  const record = await recordOf(gw, response.headers.get('x-request-id'));
  assert.deepEqual(record.attempts, ['mock-malformed-stream']);
});

// ---------------------------------------------------------------------------
// Retry-After beyond max_retry_after.

test('a Retry-After longer than retries.max_retry_after moves on at once instead of waiting', LIMIT, async () => {
  const gateway = await own(startStrata({ config: [
    'routing:',
    '  retries: {max_retry_after: 0s, base_delay: 10ms, max_delay: 50ms}',
    'models:',
    alias('impatient', openaiDeployment('mock-429', mocks.s429.url), healthyDeployment(mocks.healthy)),
  ].join('\n') }));
  try {
    const { data, response } = await chat(clientFor(gateway), 'impatient').withResponse();
    assert.equal(data.model, HEALTHY_MODEL);
    const record = await recordOf(gateway, response.headers.get('x-request-id'));
    assert.deepEqual(record.attempts, ['mock-429', 'mock-healthy'], 'the 1 s Retry-After was not waited on mock-429');
  } finally {
    await gateway.stop();
  }
});

// ---------------------------------------------------------------------------
// Circuit breakers. One worker, so that every request meets the same breaker.

test('a breaker opens after failure_threshold failures, then answers 503 + Retry-After without calling the vendor', LIMIT, async () => {
  const tap = await own(startTap(mocks.s503.port));
  const gateway = await own(startStrata({ config: [
    'server: {workers: 1}',
    'routing:',
    '  retries: {max_attempts_per_deployment: 1}',
    '  breaker: {failure_threshold: 3, cool_down: 5s}',
    'models:',
    alias('down', openaiDeployment('mock-503-tapped', tap.url)),
  ].join('\n') }));
  try {
    for (let i = 1; i <= 3; i++) {
      const failed = await post(gateway, 'down');
      assert.equal(failed.status, 503);
      assert.match((await failed.json()).error.message, /mock-503-tapped answered 503/);
      assert.equal(failed.headers.get('x-strata-attempts'), '1');
      assert.equal(tap.requests, i, 'the vendor was called');
    }
    for (let i = 0; i < 3; i++) {
      const refused = await post(gateway, 'down');
      assert.equal(refused.status, 503);
      const body = await refused.json();
      assert.match(body.error.message, /open circuit breaker/);
      assert.equal(refused.headers.get('x-strata-attempts'), null);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After within the 5 s cool-down, got ${retryAfter}`);
    }
    assert.equal(tap.requests, 3, 'an open breaker calls nobody');
    const sdkError = await chat(clientFor(gateway), 'down').catch((e) => e);
    assert.ok(sdkError instanceof OpenAI.InternalServerError && sdkError.status === 503, String(sdkError));
  } finally {
    await gateway.stop();
    await tap.close();
  }
});

test('an open breaker is skipped: requests go straight to the next deployment', LIMIT, async () => {
  const tap = await own(startTap(mocks.s503.port));
  const gateway = await own(startStrata({ config: [
    'server: {workers: 1}',
    'routing:',
    '  retries: {max_attempts_per_deployment: 1}',
    '  breaker: {failure_threshold: 2, cool_down: 30s}',
    'models:',
    alias('flaky', openaiDeployment('mock-503-tapped', tap.url), healthyDeployment(mocks.healthy)),
  ].join('\n') }));
  const gatewayClient = clientFor(gateway);
  try {
    for (let i = 0; i < 2; i++) {
      const { response } = await chat(gatewayClient, 'flaky').withResponse();
      assert.equal(response.headers.get('x-strata-attempts'), '2');
    }
    assert.equal(tap.requests, 2);
    for (let i = 0; i < 3; i++) {
      const { data, response } = await chat(gatewayClient, 'flaky').withResponse();
      assert.equal(data.model, HEALTHY_MODEL);
      assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
      assert.equal(response.headers.get('x-strata-attempts'), '1', 'the open deployment was not tried');
    }
    assert.equal(tap.requests, 2);
  } finally {
    await gateway.stop();
    await tap.close();
  }
});

test('vendor 400s never open a breaker: the request was at fault, not the deployment', LIMIT, async () => {
  const gateway = await own(startStrata({ config: [
    'server: {workers: 1}',
    'routing:',
    '  breaker: {failure_threshold: 2, cool_down: 30s}',
    'models:',
    alias('bad', openaiDeployment('mock-400', mocks.s400.url)),
  ].join('\n') }));
  try {
    for (let i = 0; i < 5; i++) {
      const response = await post(gateway, 'bad');
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('x-strata-attempts'), '1', `request ${i + 1} reached the vendor`);
    }
  } finally {
    await gateway.stop();
  }
});

test('half-open lets exactly one probe through; a failed probe reopens the breaker for a doubled cool-down', LIMIT, async () => {
  // Failing slowly, so the probe is still out while other requests arrive.
  const slowFailing = await own(startMockLlm(['--fault', 'status:503', '--latency-ms', '800']));
  const tap = await own(startTap(slowFailing.port));
  const gateway = await own(startStrata({ config: [
    'server: {workers: 1}',
    'routing:',
    '  retries: {max_attempts_per_deployment: 1}',
    '  breaker: {failure_threshold: 2, cool_down: 1s}',
    'models:',
    alias('down', openaiDeployment('mock-503-slow', tap.url)),
  ].join('\n') }));
  const isRefusal = (response) => response.status === 503 && response.headers.get('x-strata-attempts') === null;
  try {
    for (let i = 0; i < 2; i++) assert.equal((await post(gateway, 'down')).headers.get('x-strata-attempts'), '1');
    assert.ok(isRefusal(await post(gateway, 'down')), 'open');
    await sleep(1100);  // the cool-down passed

    const probe = post(gateway, 'down');
    await tap.waitForRequests(3);  // the probe reached the vendor and is waiting there
    const others = await Promise.all([post(gateway, 'down'), post(gateway, 'down')]);
    for (const other of others) assert.ok(isRefusal(other), 'refused while the probe is out');
    const probed = await probe;
    assert.equal(probed.status, 503);
    assert.equal(probed.headers.get('x-strata-attempts'), '1', 'the probe was a real request');
    assert.equal(tap.requests, 3, 'exactly one probe');

    const reopened = await post(gateway, 'down');
    assert.ok(isRefusal(reopened), 'the failed probe reopened the breaker');
    assert.equal(reopened.headers.get('retry-after'), '2', 'cool-down 1 s × 2');
    await sleep(1150);  // past the first cool-down, not the doubled one
    assert.ok(isRefusal(await post(gateway, 'down')), 'still open after 1.15 s');
    assert.equal(tap.requests, 3);
    await sleep(1050);  // over 2.2 s since the probe failed
    const secondProbe = await post(gateway, 'down');
    assert.equal(secondProbe.headers.get('x-strata-attempts'), '1', 'the next probe');
    assert.equal(tap.requests, 4);
  } finally {
    await gateway.stop();
    await tap.close();
    await slowFailing.stop();
  }
});

test('a probe that succeeds closes the breaker: concurrent requests flow again, cool-down back to its base', LIMIT, async () => {
  // The deployment is a relay that points at a failing mock, then at a healthy
  // one that answers slowly enough for concurrent requests to overlap.
  const slowHealthy = await own(startMockLlm(['--latency-ms', '300']));
  const tap = await own(startTap(mocks.s503.port));
  const gateway = await own(startStrata({ config: [
    'server: {workers: 1}',
    'routing:',
    '  retries: {max_attempts_per_deployment: 1}',
    '  breaker: {failure_threshold: 2, cool_down: 1s}',
    'models:',
    alias('recovering', openaiDeployment('mock-recovering', tap.url)),
  ].join('\n') }));
  const isRefusal = (response) => response.status === 503 && response.headers.get('x-strata-attempts') === null;
  try {
    for (let i = 0; i < 2; i++) assert.equal((await post(gateway, 'recovering')).status, 503);
    assert.ok(isRefusal(await post(gateway, 'recovering')), 'open');
    await sleep(1100);
    const failedProbe = await post(gateway, 'recovering');
    assert.equal(failedProbe.headers.get('x-strata-attempts'), '1', 'a probe, which fails');
    assert.equal(failedProbe.status, 503);
    assert.equal((await post(gateway, 'recovering')).headers.get('retry-after'), '2', 'cool-down doubled');

    tap.pointAt(slowHealthy.port);  // the vendor recovers
    await sleep(2100);
    const probe = await post(gateway, 'recovering');
    assert.equal(probe.status, 200, 'the probe succeeded');
    assert.equal(probe.headers.get('x-strata-attempts'), '1');
    await probe.text();

    // Closed: several requests at once all reach the vendor (half-open would let one through).
    const requestsBefore = tap.requests;
    const burst = await Promise.all([1, 2, 3].map(() => post(gateway, 'recovering')));
    for (const response of burst) {
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-strata-attempts'), '1');
    }
    assert.equal(tap.requests, requestsBefore + 3);

    // Failing again opens it with the base cool-down, not the doubled one.
    tap.pointAt(mocks.s503.port);
    for (let i = 0; i < 2; i++) assert.equal((await post(gateway, 'recovering')).headers.get('x-strata-attempts'), '1');
    const reopened = await post(gateway, 'recovering');
    assert.ok(isRefusal(reopened));
    assert.equal(reopened.headers.get('retry-after'), '1', 'cool-down back to 1 s');
  } finally {
    await gateway.stop();
    await tap.close();
    await slowHealthy.stop();
  }
});

// A deployment listed (by name) under two aliases is one deployment: ROUTING.md
// says one already tried "is not picked again by moving on (also not through a
// fallback alias that shares it)", and its breaker is the deployment's.
test('a deployment shared by an alias and its fallback is not tried again through the fallback',
  LIMIT, async () => {
    const gateway = await own(startStrata({ config: [
      'routing:',
      '  retries: {max_attempts: 3, max_attempts_per_deployment: 2, base_delay: 10ms, max_delay: 50ms}',
      'models:',
      alias('primary', openaiDeployment('shared-503', mocks.s503.url)),
      '    fallbacks: [secondary]',
      alias('secondary', openaiDeployment('shared-503', mocks.s503.url), healthyDeployment(mocks.healthy)),
    ].join('\n') }));
    try {
      const response = await post(gateway, 'primary');
      const record = await recordOf(gateway, response.headers.get('x-request-id'));
      assert.deepEqual(record.attempts, ['shared-503', 'shared-503', 'mock-healthy']);
      assert.equal(response.status, 200);
      assert.equal((await response.json()).model, HEALTHY_MODEL);
    } finally {
      await gateway.stop();
    }
  });

test('a deployment listed under two aliases has one breaker: opened through one alias, skipped by the other',
  LIMIT, async () => {
    const tap = await own(startTap(mocks.s503.port));
    const gateway = await own(startStrata({ config: [
      'server: {workers: 1}',
      'routing:',
      '  retries: {max_attempts_per_deployment: 1}',
      '  breaker: {failure_threshold: 2, cool_down: 30s}',
      'models:',
      alias('one', openaiDeployment('shared-503', tap.url)),
      alias('other', openaiDeployment('shared-503', tap.url), healthyDeployment(mocks.healthy)),
    ].join('\n') }));
    try {
      for (let i = 0; i < 2; i++) assert.equal((await post(gateway, 'one')).headers.get('x-strata-attempts'), '1');
      assert.equal((await post(gateway, 'one')).headers.get('x-strata-attempts'), null, 'open for alias one');
      const response = await post(gateway, 'other');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-strata-attempts'), '1', 'shared-503 skipped: its breaker is open');
      assert.equal(tap.requests, 2);
    } finally {
      await gateway.stop();
      await tap.close();
    }
  });

// ---------------------------------------------------------------------------
// The client leaving mid-stream.

async function abortAfterTwoChunks(gatewayClient, model) {
  const controller = new AbortController();
  const { data: stream, response } = await chat(gatewayClient, model, { stream: true }, { signal: controller.signal })
    .withResponse();
  let chunks = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta) chunks++;
    if (chunks === 2) {
      controller.abort();  // the SDK's stream ends quietly on an abort
      break;
    }
  }
  assert.equal(chunks, 2);
  return response.headers.get('x-request-id');
}

// Waits until the gateway counts `expected` open client connections, the
// asking one included (it asks on a connection of its own that it closes).
async function openConnectionsBecome(gateway, expected, withinMs) {
  const deadline = Date.now() + withinMs;
  let open;
  while (Date.now() < deadline) {
    const text = await new Promise((resolve, reject) => {
      http.get(`${gateway.url}/metrics`, { agent: false, headers: { connection: 'close' } }, (response) => {
        let body = '';
        response.on('data', (chunk) => { body += chunk; });
        response.on('end', () => resolve(body));
      }).on('error', reject);
    });
    open = Number(text.match(/^strata_http_open_connections (\S+)$/m)[1]);
    if (open === expected) return;
    await sleep(100);
  }
  assert.equal(open, expected, 'open client connections');
}

test('a client leaving mid-stream: the upstream is closed, the server stays healthy, the record says client_gone', LIMIT, async () => {
  const slowStream = await own(startMockLlm(['--chunk-delay-ms', '200', '--chunks', '20']));
  const tap = await own(startTap(slowStream.port));
  const gateway = await own(startStrata({ config: [
    'models:',
    alias('slow-stream', openaiDeployment('mock-slow-chunks', tap.url)),
  ].join('\n') }));
  const gatewayClient = clientFor(gateway);
  try {
    const requestId = await abortAfterTwoChunks(gatewayClient, 'slow-stream');
    const [upstream] = tap.connections;
    await tap.waitForClose(upstream);
    assert.ok(!upstream.fromUpstream.slice(0, upstream.upstreamBytesAtClose).includes('[DONE]'),
      'Strata closed its upstream connection before the vendor finished the stream');
    // The client's connection is closed too, at once, not left half-open
    // (CLOSE-WAIT) holding a connection slot until server.idle_timeout (75 s).
    await openConnectionsBecome(gateway, 1, 10_000);

    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    const full = await chat(gatewayClient, 'slow-stream', { stream: true });
    assert.equal(await readStream(full), REPLY, 'the same deployment still serves whole streams');

    gateway.child.kill('SIGTERM');
    assert.equal((await gateway.exited).code, 0, 'graceful stop');
    const rows = sql(gateway, 'select payload from inference_records order by seq').split('\n').map((row) => JSON.parse(row));
    assert.equal(rows.length, 2);
    const [gone, whole] = rows;
    assert.equal(gone.request_id, requestId);
    assert.equal(gone.client_gone, true);
    assert.equal(gone.stream, true);
    assert.deepEqual(gone.attempts, ['mock-slow-chunks']);
    assert.equal(whole.client_gone, false);
  } finally {
    await gateway.stop();
    await tap.close();
    await slowStream.stop();
  }
});

test('a client leaving while the upstream is quiet: the upstream connection is closed at once, not at the next chunk', LIMIT, async () => {
  // The first content piece comes at once, the next after 3 s.
  const quietStream = await own(startMockLlm(['--chunk-delay-ms', '3000', '--chunks', '4']));
  const tap = await own(startTap(quietStream.port));
  const gateway = await own(startStrata({ config: [
    'models:',
    alias('quiet-stream', openaiDeployment('mock-quiet', tap.url)),
  ].join('\n') }));
  try {
    await abortAfterTwoChunks(clientFor(gateway), 'quiet-stream');
    const [upstream] = tap.connections;
    const bytesAtAbort = upstream.fromUpstream.length;
    await tap.waitForClose(upstream);
    assert.equal(upstream.upstreamBytesAtClose, bytesAtAbort,
      'the upstream connection was closed before the vendor sent its next chunk');
  } finally {
    await gateway.stop();
    await tap.close();
    await quietStream.stop();
  }
});

// ---------------------------------------------------------------------------
// max_concurrency.

test('max_concurrency: while the first deployment is at its cap, the next request goes to the second', LIMIT, async () => {
  const slow = await own(startMockLlm(['--latency-ms', '2000']));
  const tap = await own(startTap(slow.port));
  const gateway = await own(startStrata({ config: [
    'server: {workers: 1}',
    'models:',
    alias('capped', openaiDeployment('mock-capped', tap.url, ', max_concurrency: 1'), healthyDeployment(mocks.healthy)),
    alias('capped-only', openaiDeployment('mock-capped-alone', tap.url, ', max_concurrency: 1')),
  ].join('\n') }));
  const gatewayClient = clientFor(gateway);
  try {
    const order = [];
    const first = chat(gatewayClient, 'capped').withResponse().then((result) => { order.push('first'); return result; });
    await tap.waitForRequests(1);  // the first is in flight on mock-capped
    const second = await chat(gatewayClient, 'capped').withResponse();
    order.push('second');
    assert.equal(second.response.headers.get('x-strata-deployment'), 'mock-healthy');
    assert.equal(second.response.headers.get('x-strata-attempts'), '1', 'the capped deployment was skipped, not tried');
    const firstResult = await first;
    assert.equal(firstResult.response.headers.get('x-strata-deployment'), 'mock-capped');
    assert.deepEqual(order, ['second', 'first'], 'the second did not wait for the first');
    assert.equal(tap.requests, 1);

    // The slot is free again once the first answered.
    const third = await chat(gatewayClient, 'capped').withResponse();
    assert.equal(third.response.headers.get('x-strata-deployment'), 'mock-capped');

    // With no other deployment, the request over the cap is refused at once.
    const alone = post(gateway, 'capped-only');
    await tap.waitForRequests(3);
    const refused = await post(gateway, 'capped-only');
    assert.equal(refused.status, 503);
    assert.match((await refused.json()).error.message, /max_concurrency/);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal((await alone).status, 200);
  } finally {
    await gateway.stop();
    await tap.close();
    await slow.stop();
  }
});

// ---------------------------------------------------------------------------
// Deadlines: routing.timeout (the whole request) and a deployment's timeout.

test('routing.timeout bounds an attempt in flight: a vendor slower than the budget gets the client a 504', LIMIT, async () => {
  const gateway = await own(startStrata({ config: [
    'routing: {timeout: 1s}',
    'models:',
    alias('slow-only', openaiDeployment('mock-slow', mocks.slow.url)),
  ].join('\n') }));
  try {
    const started = performance.now();
    const response = await post(gateway, 'slow-only');
    const elapsed = performance.now() - started;
    assert.equal(response.status, 504, `the 1 s budget ran out before the 5 s vendor answered (took ${elapsed} ms)`);
    assert.ok(elapsed >= 995);
  } finally {
    await gateway.stop();
  }
});

test('a deployment\'s timeout ends its call and moves on to the next deployment', LIMIT, async () => {
  const gateway = await own(startStrata({ config: [
    'models:',
    alias('slow-first', openaiDeployment('mock-slow', mocks.slow.url, ', timeout: 1s'), healthyDeployment(mocks.healthy)),
  ].join('\n') }));
  try {
    const { data, response } = await chat(clientFor(gateway), 'slow-first').withResponse();
    assert.equal(response.headers.get('x-strata-deployment'), 'mock-healthy');
    assert.equal(data.model, HEALTHY_MODEL);
    const record = await recordOf(gateway, response.headers.get('x-request-id'));
    assert.deepEqual(record.attempts, ['mock-slow', 'mock-healthy']);
  } finally {
    await gateway.stop();
  }
});
