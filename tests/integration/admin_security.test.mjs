// Every admin route, read from the live /openapi.json (the server's own route
// table), is tried without credentials, by every role that lacks its
// permission, and by another tenant's admin: a new route cannot skip these.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startGoverned } from './governance.mjs';

// The permission table of docs/IDENTITY.md (the specification, not read from the server).
const PERMISSIONS = {
  'tenant-admin': ['tenants.read', 'teams.read', 'teams.write', 'users.read', 'users.write', 'keys.read', 'keys.write',
    'limits.read', 'limits.write', 'spend.read', 'audit.read', 'review.read', 'review.decide', 'policies.read',
    'policies.write', 'models.use'],
  developer: ['teams.read', 'keys.read', 'keys.write', 'limits.read', 'spend.read', 'models.use'],
  reviewer: ['review.read', 'review.decide', 'models.use'],
  auditor: ['tenants.read', 'teams.read', 'users.read', 'keys.read', 'limits.read', 'spend.read', 'audit.read',
    'review.read', 'policies.read'],
  viewer: ['tenants.read', 'teams.read', 'limits.read', 'spend.read', 'policies.read'],
};

let strata, admin, operations;
const tenants = {};  // name -> {tenant, team, user, key, limit, budget, keys: {role: secret}}

async function populate(name) {
  const tenant = (await admin.post('/admin/v1/tenants', { name })).body;
  const base = `/admin/v1/tenants/${tenant.id}`;
  const team = (await admin.post(`${base}/teams`, { name: 'platform' })).body;
  const user = (await admin.post(`${base}/users`, { email: `ops@${name}.example`, role: 'developer' })).body;
  const key = (await admin.post(`${base}/keys`, { name: 'service', team_id: team.id })).body;
  const limit = (await admin.put(`${base}/rate-limits`, { scope_type: 'team', scope_id: team.id,
    requests_per_minute: 1000 })).body;
  const budget = (await admin.put(`${base}/budgets`, { scope_type: 'tenant', limit_usd: 100 })).body;
  const keys = {};
  for (const role of Object.keys(PERMISSIONS)) {
    const body = { name: role, role };
    if (role === 'developer') body.team_id = team.id;
    keys[role] = (await admin.post(`${base}/keys`, body)).body.secret;
  }
  // A policy version, and one exchange through it: an inference record and a queued review.
  await admin.put(`${base}/policy`, { source: 'rules:\n  - name: all\n    then: {review: queued}\n' });
  const chat = await fetch(`${strata.server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.developer}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(chat.status, 200);
  let record, review;
  await eventually(async () => {
    record = (await admin.get(`${base}/records?kind=inference&limit=1`)).body.data[0];
    review = (await admin.get('/admin/v1/reviews?limit=500')).body.data.find((r) => r.tenant_id === tenant.id);
    return record !== undefined && review !== undefined;
  }, 5000, `${name}'s record and review`);
  tenants[name] = { tenant, team, user, key, limit, budget, keys, record, review };
}

// A concrete path for a route pattern, filled with `owner`'s objects.
function fill(pattern, owner) {
  const t = tenants[owner];
  const values = { tenant_id: t.tenant.id, team_id: t.team.id, user_id: t.user.id, key_id: t.key.id,
    limit_id: t.limit.id, budget_id: t.budget.id, record_id: t.record.id, review_id: t.review.id, version: '1' };
  return pattern.replace(/\{(\w+)\}/g, (_, name) => {
    assert.ok(values[name], `no test value for {${name}} in ${pattern}: add one`);
    return values[name];
  });
}

before(async () => {
  strata = await startGoverned();
  admin = strata.admin;
  await populate('alpha');
  await populate('bravo');
  operations = [];
  for (const [pattern, methods] of Object.entries(strata.openapi.paths)) {
    if (!pattern.startsWith('/admin/')) continue;
    for (const [method, operation] of Object.entries(methods)) operations.push({ pattern, method, operation });
  }
});
after(async () => { await strata?.stop(); });

async function send(method, path, key) {
  const response = await fetch(`${strata.server.url}${path}`, {
    method: method.toUpperCase(),
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: ['get', 'delete'].includes(method) ? undefined : '{}',
  });
  return { status: response.status, text: await response.text() };
}

test('the document lists every admin route with the one permission it checks', () => {
  assert.ok(operations.length >= 25, `only ${operations.length} admin operations`);
  const known = new Set(Object.values(PERMISSIONS).flat().concat(['tenants.write']));
  for (const { pattern, method, operation } of operations) {
    assert.ok(known.has(operation['x-strata-permission']), `${method} ${pattern}: ${operation['x-strata-permission']}`);
  }
});

test('every admin route refuses a caller without credentials', async () => {
  for (const { pattern, method } of operations) {
    const { status } = await send(method, fill(pattern, 'alpha'));
    assert.equal(status, 401, `${method} ${pattern}`);
  }
});

test('every admin route refuses every role that lacks its permission, with 403', async () => {
  for (const { pattern, method, operation } of operations) {
    const permission = operation['x-strata-permission'];
    for (const [role, granted] of Object.entries(PERMISSIONS)) {
      if (granted.includes(permission)) continue;
      const { status, text } = await send(method, fill(pattern, 'bravo'), tenants.bravo.keys[role]);
      assert.equal(status, 403, `${role} on ${method} ${pattern}: ${text}`);
    }
  }
});


test('every read route answers the roles that hold its permission', async () => {
  for (const { pattern, method, operation } of operations.filter((o) => o.method === 'get')) {
    for (const [role, granted] of Object.entries(PERMISSIONS)) {
      if (!granted.includes(operation['x-strata-permission'])) continue;
      const { status, text } = await send(method, fill(pattern, 'bravo'), tenants.bravo.keys[role]);
      // The platform's own policy may name any tenant: platform principals only (docs/POLICY.md).
      const platformOnly = pattern.startsWith('/admin/v1/policy');
      assert.ok(status === 200 || (role === 'developer' && pattern.endsWith('{key_id}') && status === 404) ||
        (platformOnly && status === 403), `${role} on ${method} ${pattern}: ${status} ${text}`);
    }
  }
});

test('a tenant\'s admin gets nothing of another tenant from any route, and changes nothing there', async () => {
  const intruder = tenants.bravo.keys['tenant-admin'];
  const alpha = tenants.alpha;
  const secretsOfAlpha = [alpha.tenant.id, alpha.team.id, alpha.user.id, alpha.key.id, alpha.limit.id, alpha.budget.id];
  for (const { pattern, method } of operations) {
    const path = fill(pattern, 'alpha');
    const { status, text } = await send(method, path, intruder);
    // A route naming a tenant, or an object of one (a review), hides another tenant's as not found.
    // An empty body may be refused before anything is looked up: that 400 tells nothing either.
    const refusedBody = !['get', 'delete'].includes(method) && status === 400;
    if (pattern.includes('{tenant_id}') || pattern.includes('{review_id}')) {
      assert.ok(status === 404 || status === 403 || refusedBody, `${method} ${pattern}: ${status} ${text}`);
    } else {
      assert.ok(status === 200 || status === 403 || refusedBody, `${method} ${pattern}: ${status} ${text}`);
    }
    // An id the intruder sent may come back in the refusal; nothing else of alpha's may.
    for (const id of secretsOfAlpha.filter((i) => !path.includes(i))) {
      assert.ok(!text.includes(id), `${method} ${pattern} leaked ${id}: ${text}`);
    }
  }
  // Nothing of alpha's was changed or deleted along the way.
  const base = `/admin/v1/tenants/${alpha.tenant.id}`;
  assert.equal((await admin.get(base)).body.disabled, false);
  assert.equal((await admin.get(`${base}/teams/${alpha.team.id}`)).status, 200);
  assert.equal((await admin.get(`${base}/users/${alpha.user.id}`)).status, 200);
  assert.equal((await admin.get(`${base}/keys/${alpha.key.id}`)).body.revoked_at, null);
  const limits = await admin.get(`${base}/rate-limits`);
  assert.ok(limits.body.data.some((l) => l.id === alpha.limit.id));
  const budgets = await admin.get(`${base}/budgets`);
  assert.ok(budgets.body.data.some((b) => b.id === alpha.budget.id));
});

test('nobody hands out more than they hold', async () => {
  const bravo = tenants.bravo;
  const base = `/admin/v1/tenants/${bravo.tenant.id}`;
  const asDeveloper = await admin.post(`${base}/keys`, { name: 'escalate', role: 'tenant-admin' },
    { key: bravo.keys.developer });
  assert.equal(asDeveloper.status, 403);
  const otherTeam = await admin.post(`${base}/teams`, { name: 'other' });
  const crossTeam = await admin.post(`${base}/keys`, { name: 'x', team_id: otherTeam.body.id },
    { key: bravo.keys.developer });
  assert.equal(crossTeam.status, 403);
  const platformRole = await admin.post(`${base}/keys`, { name: 'root', role: 'admin' },
    { key: bravo.keys['tenant-admin'] });
  assert.equal(platformRole.status, 400);
  const newTenant = await admin.post('/admin/v1/tenants', { name: 'sneaky' }, { key: bravo.keys['tenant-admin'] });
  assert.equal(newTenant.status, 403);
});
