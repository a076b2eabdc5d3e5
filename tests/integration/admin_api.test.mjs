// The admin API as an operator uses it: CRUD over tenants, teams, users, keys,
// limits and budgets, cursor pagination, and bad input that changes nothing.
// Every answer is validated against the live /openapi.json (governance.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGoverned } from './governance.mjs';

let strata, admin;

before(async () => {
  strata = await startGoverned();
  admin = strata.admin;
});
after(async () => { await strata?.stop(); });

test('/openapi.json is an OpenAPI 3.1 document of the gateway and admin routes', async () => {
  const doc = strata.openapi;
  assert.equal(doc.openapi, '3.1.0');
  for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/models', '/admin/v1/tenants',
    '/admin/v1/tenants/{tenant_id}/keys', '/healthz', '/openapi.json']) {
    assert.ok(doc.paths[path], `${path} is missing`);
  }
  const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
  assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
});

test('tenants, teams and users: create, read, update, delete', async () => {
  const created = await admin.post('/admin/v1/tenants', { name: 'globex', display_name: 'Globex Corp.',
    metadata: { plan: 'enterprise' } });
  assert.equal(created.status, 201);
  const base = `/admin/v1/tenants/${created.body.id}`;
  assert.deepEqual((await admin.get(base)).body.metadata, { plan: 'enterprise' });
  const updated = await admin.patch(base, { display_name: 'Globex' });
  assert.equal(updated.body.display_name, 'Globex');

  const team = (await admin.post(`${base}/teams`, { name: 'research' })).body;
  const user = await admin.post(`${base}/users`, { email: 'hank@globex.example', role: 'developer',
    team_id: team.id, password: 'correct horse battery staple' });
  assert.equal(user.status, 201);
  assert.equal(user.body.has_password, true);
  assert.ok(!JSON.stringify(user.body).includes('correct horse'));
  const service = await admin.post(`${base}/users`, { kind: 'service', display_name: 'ci', role: 'developer' });
  assert.equal(service.body.kind, 'service');
  const users = await admin.get(`${base}/users`);
  assert.deepEqual(users.body.data.map((u) => u.id).sort(), [user.body.id, service.body.id].sort());
  const promoted = await admin.patch(`${base}/users/${user.body.id}`, { role: 'tenant-admin' });
  assert.equal(promoted.body.role, 'tenant-admin');

  assert.equal((await admin.delete(`${base}/users/${service.body.id}`)).body.deleted, true);
  assert.equal((await admin.get(`${base}/users/${service.body.id}`)).status, 404);
  assert.equal((await admin.delete(`${base}/teams/${team.id}`)).status, 200);
  assert.equal((await admin.delete(base)).status, 200);
  assert.equal((await admin.get(base)).status, 404);
});

test('duplicate names are refused and change nothing', async () => {
  await admin.post('/admin/v1/tenants', { name: 'unique-co' });
  const again = await admin.post('/admin/v1/tenants', { name: 'unique-co' });
  assert.equal(again.status, 400);
  const all = await admin.get('/admin/v1/tenants?limit=500');
  assert.equal(all.body.data.filter((t) => t.name === 'unique-co').length, 1);
});

test('lists page with a cursor: every row once, in creation order', async () => {
  const tenant = (await admin.post('/admin/v1/tenants', { name: 'pager' })).body;
  const base = `/admin/v1/tenants/${tenant.id}`;
  const made = [];
  for (let i = 0; i < 7; i++) made.push((await admin.post(`${base}/teams`, { name: `team-${i}` })).body.id);
  const seen = [];
  let after = '';
  for (let pages = 0; pages < 10; pages++) {
    const page = await admin.get(`${base}/teams?limit=3${after ? `&after=${after}` : ''}`);
    seen.push(...page.body.data.map((t) => t.id));
    if (!page.body.has_more) break;
    after = page.body.next_after;
  }
  assert.deepEqual(seen, made);
});

test('bad input gets a clear 400 naming the field, and creates nothing', async () => {
  const tenant = (await admin.post('/admin/v1/tenants', { name: 'strict' })).body;
  const base = `/admin/v1/tenants/${tenant.id}`;
  const cases = [
    ['POST', '/admin/v1/tenants', '{"name": ', 'valid JSON'],
    ['POST', '/admin/v1/tenants', '[]', 'JSON object'],
    ['POST', '/admin/v1/tenants', { name: 42 }, 'name'],
    ['POST', '/admin/v1/tenants', { name: 'Has Spaces' }, 'name'],
    ['POST', '/admin/v1/tenants', { name: 'ok-name', colour: 'red' }, 'colour'],
    ['POST', `${base}/keys`, { name: 'k', allowed_models: 'gpt-4o' }, 'allowed_models'],
    ['POST', `${base}/keys`, { name: 'k', expires_at: 12 }, 'expires_at'],
    ['POST', `${base}/keys`, { name: 'k', role: 'wizard' }, 'role'],
    ['POST', `${base}/keys`, { name: 'k', team_id: 'team_nope' }, 'team'],
    ['POST', `${base}/users`, { role: 'developer' }, 'email'],
    ['POST', `${base}/users`, { email: 'a@b.c', role: 'developer', password: 'short' }, 'password'],
    ['PUT', `${base}/rate-limits`, { scope_type: 'planet', requests_per_minute: 5 }, 'scope_type'],
    ['PUT', `${base}/rate-limits`, { scope_type: 'tenant', requests_per_minute: -1 }, 'requests_per_minute'],
    ['PUT', `${base}/budgets`, { scope_type: 'tenant', limit_usd: 'ten' }, 'limit_usd'],
    ['PUT', `${base}/budgets`, { scope_type: 'tenant', limit_usd: 10, period: 'fortnight' }, 'period'],
    ['GET', `${base}/teams?limit=0`, undefined, 'limit'],
    ['GET', `${base}/spend?group_by=planet`, undefined, 'group_by'],
    ['GET', `${base}/spend?from=yesterday`, undefined, 'from'],
  ];
  for (const [method, path, body, mention] of cases) {
    const answer = await admin.call(method, path, body, { raw: typeof body === 'string' });
    assert.equal(answer.status, mention === 'team' ? 404 : 400, `${method} ${path} ${JSON.stringify(body)}`);
    assert.match(answer.body.error.message, new RegExp(mention), `${method} ${path}: ${answer.body.error.message}`);
  }
  assert.equal((await admin.get(`${base}/keys`)).body.data.length, 0);
  assert.equal((await admin.get(`${base}/users`)).body.data.length, 0);
  assert.equal((await admin.get(`${base}/rate-limits`)).body.data.length, 0);
  assert.equal((await admin.get(`${base}/budgets`)).body.data.length, 0);
  const tenants = (await admin.get('/admin/v1/tenants?limit=500')).body.data.map((t) => t.name);
  assert.ok(!tenants.includes('ok-name'));
});

test('a rate limit and a budget per scope: putting again replaces, deleting removes', async () => {
  const tenant = (await admin.post('/admin/v1/tenants', { name: 'limited' })).body;
  const base = `/admin/v1/tenants/${tenant.id}`;
  const first = await admin.put(`${base}/rate-limits`, { scope_type: 'tenant', requests_per_minute: 100 });
  const second = await admin.put(`${base}/rate-limits`, { scope_type: 'tenant', requests_per_minute: 50 });
  const limits = (await admin.get(`${base}/rate-limits`)).body.data;
  assert.equal(limits.length, 1);
  assert.equal(limits[0].requests_per_minute, 50);
  assert.ok(first.body.id && second.body.id);
  const budget = await admin.put(`${base}/budgets`, { scope_type: 'tenant', limit_usd: 25.5, soft_ratio: 0.5 });
  assert.equal(budget.body.limit_usd, 25.5);
  assert.equal(budget.body.spent_usd, 0);
  assert.equal(budget.body.remaining_usd, 25.5);
  assert.equal((await admin.delete(`${base}/budgets/${budget.body.id}`)).status, 200);
  assert.equal((await admin.get(`${base}/budgets`)).body.data.length, 0);
  assert.equal((await admin.delete(`${base}/rate-limits/${limits[0].id}`)).status, 200);
});

test('gateway answers match the document too', async () => {
  const tenant = (await admin.post('/admin/v1/tenants', { name: 'documented' })).body;
  const key = (await admin.post(`/admin/v1/tenants/${tenant.id}/keys`, { name: 'app' })).body.secret;
  const chat = await admin.post('/v1/chat/completions',
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { key });
  assert.equal(chat.status, 200);
  const models = await admin.get('/v1/models', { key });
  assert.ok(models.body.data.some((m) => m.id === 'gpt-4o-mini'));
  assert.equal((await admin.get('/v1/models/gpt-4o-mini', { key })).body.id, 'gpt-4o-mini');
  const embeddings = await admin.post('/v1/embeddings', { model: 'gpt-4o-mini', input: ['a', 'b'] }, { key });
  assert.equal(embeddings.body.data.length, 2);
  const message = await admin.post('/v1/messages',
    { model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }, { key });
  assert.equal(message.body.type, 'message');
  const refused = await admin.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] }, { key });
  assert.equal(refused.status, 400);
});
