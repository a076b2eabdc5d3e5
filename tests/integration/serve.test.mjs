// `strata serve` on its embedded defaults: health, readiness, metrics, ids, access log, drain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStrata } from './harness.mjs';

let server;
before(async () => { server = await startStrata(); });
after(async () => { await server?.stop(); });

test('healthz answers ok', async () => {
  const response = await fetch(`${server.url}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
});

test('readyz reports the store and config checks', async () => {
  const response = await fetch(`${server.url}/readyz`);
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.status, 'ready');
  assert.equal(body.checks.store, 'ok');
  assert.equal(body.checks.config, 'ok');
});

test('a client request id is echoed and a missing one is generated', async () => {
  const echoed = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'client-id-42' } });
  assert.equal(echoed.headers.get('x-request-id'), 'client-id-42');
  const generated = await fetch(`${server.url}/healthz`);
  assert.match(generated.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

test('unknown routes get the JSON error envelope', async () => {
  const response = await fetch(`${server.url}/v1/does-not-exist`);
  assert.equal(response.status, 404);
  const body = await response.json();
  assert.equal(body.error.type, 'not_found_error');
  assert.equal(typeof body.error.message, 'string');
});

test('metrics count requests by route and status in Prometheus format', async () => {
  for (let i = 0; i < 3; i++) await fetch(`${server.url}/healthz`);
  // A request is counted just after its response is written: poll briefly.
  let response;
  let text;
  let line;
  for (let i = 0; i < 100; i++) {
    response = await fetch(`${server.url}/metrics`);
    text = await response.text();
    line = text.split('\n').find((l) =>
      l.startsWith('strata_http_requests_total{route="/healthz",method="GET",status="200"}'));
    if (line && Number(line.split(' ').pop()) >= 3) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.ok(line, 'healthz request counter present');
  assert.ok(Number(line.split(' ').pop()) >= 3);
  assert.match(text, /# TYPE strata_http_request_duration_seconds histogram/);
  assert.match(text, /strata_http_request_duration_seconds_bucket\{route="\/healthz",method="GET",status="200",le="\+Inf"\} \d+/);
  assert.match(text, /strata_http_open_connections \d+/);
});

test('each request writes one JSON access-log line without the query string', async () => {
  await fetch(`${server.url}/healthz?api_key=sk-secret-value`, { headers: { 'x-request-id': 'log-line-check' } });
  let line;
  for (let i = 0; i < 50 && !line; i++) {
    line = server.logs.find((l) => l.msg === 'access' && l.request_id === 'log-line-check');
    if (!line) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(line, 'access log line written');
  assert.equal(line.method, 'GET');
  assert.equal(line.path, '/healthz');
  assert.equal(line.status, 200);
  assert.equal(typeof line.latency_us, 'number');
  assert.ok(line.bytes > 0);
  assert.ok(!server.rawStderr.some((l) => l.includes('sk-secret-value')), 'query secrets never logged');
});

test('SIGTERM drains and exits cleanly', async () => {
  const other = await startStrata();
  const result = await other.stop('SIGTERM');
  assert.equal(result.code, 0);
  assert.ok(other.logs.some((l) => l.msg === 'stopped'));
});
