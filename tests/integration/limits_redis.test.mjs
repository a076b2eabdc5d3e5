// Two Strata nodes sharing one store and one real redis-server: a limit of N
// per minute admits N in all, not N per node; a budget holds across both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import OpenAI from 'openai';
import { startMockLlm, startProcess, startStrata, tempDir, writeConfig } from './harness.mjs';
import { adminClient, cli, eventually, modelsConfig } from './governance.mjs';

let redis, mock, first, second, admin;

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = tempDir('strata-redis-');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir], { stdio: 'ignore' });
  await eventually(() => new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  }), 10000, 'redis-server to listen');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { port, stop: () => { child.kill('SIGTERM'); return exited; } };
}

before(async () => {
  [redis, mock] = await Promise.all([startRedis(), startMockLlm()]);
  const config = `${modelsConfig(mock)}\nauth: {refresh_interval: 100ms}\n` +
    `limits: {backend: redis, redis_url: "redis://127.0.0.1:${redis.port}", on_backend_error: deny}\n`;
  first = await startStrata({ config });
  // The second node: same database, same Redis.
  const dir = tempDir();
  second = await startProcess(['serve', '--port', '0', '--data-dir', path.join(first.dir, 'data'),
    '--config', writeConfig(dir, config)], { name: 'second node' });
  const adminKey = cli(first, ['keys', 'create', '--platform', '--role', 'admin', '--name', 'bootstrap']).trim();
  const openapi = await (await fetch(`${first.url}/openapi.json`)).json();
  admin = adminClient(first, adminKey, openapi);
});
after(async () => {
  await second?.stop();
  await first?.stop();
  await Promise.all([mock?.stop(), redis?.stop()]);
});

async function tenantKey(name) {
  const tenant = (await admin.post('/admin/v1/tenants', { name })).body;
  const key = (await admin.post(`/admin/v1/tenants/${tenant.id}/keys`, { name: 'app' })).body;
  return { key, base: `/admin/v1/tenants/${tenant.id}` };
}

const ask = (node, secret) => new OpenAI({ apiKey: secret, baseURL: `${node.url}/v1`, maxRetries: 0 })
  .chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
  .then(() => 'ok', (error) => (error instanceof OpenAI.RateLimitError ? error.code ?? 'limited' : String(error)));

// The second node learns of a new key at its next snapshot refresh.
async function knownToBoth(secret) {
  await eventually(async () => (await ask(second, secret)) === 'ok', 5000, 'the second node to know the key');
}

test('a limit of N requests per minute admits N across two nodes, not N per node', async () => {
  const { key, base } = await tenantKey('shared-rpm');
  await knownToBoth(key.secret);  // one request spent before the limit exists
  await admin.put(`${base}/rate-limits`, { scope_type: 'key', scope_id: key.id, requests_per_minute: 6 });
  await new Promise((r) => setTimeout(r, 400));  // both snapshots have the limit
  const outcomes = [];
  for (let i = 0; i < 8; i++) outcomes.push(await ask(i % 2 === 0 ? first : second, key.secret));
  assert.deepEqual(outcomes.filter((o) => o === 'ok').length, 6, outcomes.join());
  // Both nodes refuse from the shared count.
  assert.notEqual(await ask(first, key.secret), 'ok');
  assert.notEqual(await ask(second, key.secret), 'ok');
});

test('a budget is one budget across both nodes under concurrent load', async () => {
  const { key, base } = await tenantKey('shared-budget');
  await knownToBoth(key.secret);
  await admin.put(`${base}/budgets`, { scope_type: 'key', scope_id: key.id, period: 'day', limit_usd: 0.0002 });
  await new Promise((r) => setTimeout(r, 400));
  const outcomes = await Promise.all(Array.from({ length: 400 }, (_, i) => ask(i % 2 ? first : second, key.secret)));
  const admitted = outcomes.filter((o) => o === 'ok').length;
  assert.ok(admitted >= 1);
  const unexpected = outcomes.filter((o) => o !== 'ok' && o !== 'insufficient_quota');
  assert.deepEqual(unexpected, [], `${unexpected.length} answers were neither served nor refused for the budget`);
  let budget;
  await eventually(async () => {
    budget = (await admin.get(`${base}/budgets`)).body.data[0];
    return budget.reserved_usd === 0;
  }, 5000, 'reservations to settle');
  assert.ok(budget.spent_usd <= 0.0002, `spent ${budget.spent_usd}`);
  console.log(`two nodes: ${admitted} of 400 admitted, spent $${budget.spent_usd.toFixed(9)} of $0.0002`);
});

test('with on_backend_error: deny, a Redis outage refuses with 503 instead of letting everything through', async () => {
  const { key, base } = await tenantKey('outage');
  await knownToBoth(key.secret);
  await admin.put(`${base}/rate-limits`, { scope_type: 'key', scope_id: key.id, requests_per_minute: 100 });
  assert.equal(await ask(first, key.secret), 'ok');
  await redis.stop();
  const answer = await ask(first, key.secret);
  assert.match(answer, /503/);
});
