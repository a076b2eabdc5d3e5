// Tenants and virtual keys end to end: the README's quick start, the official
// SDK with a tenant's key, revocation, expiry, model allowlists, platform keys,
// and secrets that never reach the logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { cli, eventually, startGoverned } from './governance.mjs';

let strata;
const secrets = [];

before(async () => {
  strata = await startGoverned();
  secrets.push(strata.adminKey);
});
after(async () => { await strata?.stop(); });

function openai(key) {
  return new OpenAI({ apiKey: key, baseURL: `${strata.server.url}/v1`, maxRetries: 0 });
}
const ask = (key, model = 'gpt-4o-mini') =>
  openai(key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] });

async function tenantWithKey(name, keyBody = {}) {
  const tenant = (await strata.admin.post('/admin/v1/tenants', { name })).body;
  const key = await strata.admin.post(`/admin/v1/tenants/${tenant.id}/keys`, { name: 'app', ...keyBody });
  assert.equal(key.status, 201);
  secrets.push(key.body.secret);
  return { tenant, key: key.body };
}

test('quick start: a platform admin creates a tenant and a key, and the SDK calls the gateway with it', async () => {
  const { tenant, key } = await tenantWithKey('acme');
  assert.match(key.secret, /^sk-strata-[0-9A-Za-z]{43}$/);
  assert.ok(key.secret.startsWith(key.prefix));
  assert.equal(key.tenant_id, tenant.id);
  const answer = await ask(key.secret);
  assert.equal(answer.object, 'chat.completion');
  // The key is listed, but its secret never again.
  const listed = await strata.admin.get(`/admin/v1/tenants/${tenant.id}/keys`);
  const row = listed.body.data.find((k) => k.id === key.id);
  assert.equal(row.secret, undefined);
  assert.ok(!JSON.stringify(listed.body).includes(key.secret));
});

test('once a key exists, calls without one, or with a made-up one, get a 401 in each API\'s envelope', async () => {
  await assert.rejects(ask('sk-strata-not-a-real-key-000000000000000000000000'), OpenAI.AuthenticationError);
  const response = await fetch(`${strata.server.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
  assert.equal(response.status, 401);
  const anthropic = new Anthropic({ apiKey: 'sk-strata-wrong', baseURL: strata.server.url, maxRetries: 0 });
  await assert.rejects(anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 10,
    messages: [{ role: 'user', content: 'hi' }] }), Anthropic.AuthenticationError);
});

test('the Anthropic SDK authenticates with x-api-key', async () => {
  const { key } = await tenantWithKey('anthropic-user');
  const anthropic = new Anthropic({ apiKey: key.secret, baseURL: strata.server.url, maxRetries: 0 });
  const message = await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 20,
    messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(message.type, 'message');
});

test('a revoked key is refused within the refresh interval, and revoking again changes nothing', async () => {
  const { tenant, key } = await tenantWithKey('revokers');
  await ask(key.secret);
  const revoked = await strata.admin.delete(`/admin/v1/tenants/${tenant.id}/keys/${key.id}`);
  assert.equal(revoked.status, 200);
  assert.equal(typeof revoked.body.revoked_at, 'number');
  await eventually(async () => {
    try { await ask(key.secret); return false; } catch (error) { return error instanceof OpenAI.AuthenticationError; }
  }, 3000, 'the revoked key to be refused');
  const again = await strata.admin.delete(`/admin/v1/tenants/${tenant.id}/keys/${key.id}`);
  assert.equal(again.body.revoked_at, revoked.body.revoked_at);
  const active = await strata.admin.get(`/admin/v1/tenants/${tenant.id}/keys`);
  assert.ok(!active.body.data.some((k) => k.id === key.id), 'revoked keys are hidden by default');
  const all = await strata.admin.get(`/admin/v1/tenants/${tenant.id}/keys?include_revoked=true`);
  assert.ok(all.body.data.some((k) => k.id === key.id));
});

test('a key revoked with the CLI, out of the server\'s process, is refused too', async () => {
  const { tenant, key } = await tenantWithKey('cli-revokers');
  await ask(key.secret);
  cli(strata.server, ['keys', 'revoke', key.id, '--tenant', tenant.name]);
  await eventually(async () => {
    try { await ask(key.secret); return false; } catch (error) { return error instanceof OpenAI.AuthenticationError; }
  }, 3000, 'the CLI-revoked key to be refused');
});

test('an expired key is refused', async () => {
  const { key } = await tenantWithKey('expiring', { expires_at: Math.floor(Date.now() / 1000) + 2 });
  await ask(key.secret);
  await eventually(async () => {
    try { await ask(key.secret); return false; } catch (error) { return error instanceof OpenAI.AuthenticationError; }
  }, 5000, 'the key to expire');
});

test('a disabled tenant\'s keys are refused until it is enabled again', async () => {
  const { tenant, key } = await tenantWithKey('suspended');
  await strata.admin.patch(`/admin/v1/tenants/${tenant.id}`, { disabled: true });
  await assert.rejects(ask(key.secret), OpenAI.AuthenticationError);
  await strata.admin.patch(`/admin/v1/tenants/${tenant.id}`, { disabled: false });
  assert.equal((await ask(key.secret)).object, 'chat.completion');
});

test('a key limited to some models gets a 403 for the others', async () => {
  const { key } = await tenantWithKey('restricted', { allowed_models: ['gpt-4o-mini'] });
  assert.equal((await ask(key.secret, 'gpt-4o-mini')).object, 'chat.completion');
  await assert.rejects(ask(key.secret, 'gpt-4o'), (error) =>
    error instanceof OpenAI.PermissionDeniedError && /gpt-4o/.test(error.message));
});

test('platform keys manage Strata but do not call models; tenant keys do not manage', async () => {
  await assert.rejects(ask(strata.adminKey), OpenAI.PermissionDeniedError);
  const { key } = await tenantWithKey('plain-developer');
  const denied = await strata.admin.get('/admin/v1/tenants', { key: key.secret });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /developer/);
});

test('keys of roles that may not use models are refused by the gateway', async () => {
  const { tenant } = await tenantWithKey('auditing');
  const auditor = await strata.admin.post(`/admin/v1/tenants/${tenant.id}/keys`, { name: 'audit', role: 'auditor' });
  secrets.push(auditor.body.secret);
  await assert.rejects(ask(auditor.body.secret), OpenAI.PermissionDeniedError);
});

test('no secret ever appears in the server\'s logs', async () => {
  // Every request above was logged (access log, warnings); grep all of it.
  const logs = strata.server.rawStderr.join('\n') + strata.server.stdout;
  assert.ok(secrets.length >= 8);
  for (const secret of secrets) {
    assert.ok(!logs.includes(secret), 'a key secret was logged');
    assert.ok(!logs.includes(secret.slice(-20)), 'part of a key secret was logged');
  }
});
