// Policies loaded through the admin API, and what they leave behind: the
// gateway applies a new version at once, a tenant's document tightens only
// its own tenant, every exchange's decision record is readable through the
// admin API without any matched value in it, and each policy change is an
// audit entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGoverned, eventually } from './governance.mjs';

const LIMIT = { timeout: 30_000 };
let governed, admin, tenantA, tenantB, clientA, clientB;

before(async () => {
  governed = await startGoverned();
  admin = governed.admin;
  const tenant = async (name) => {
    const created = (await admin.post('/admin/v1/tenants', { name })).body;
    const secret = (await admin.post(`/admin/v1/tenants/${created.id}/keys`, { name: 'app' })).body.secret;
    return { ...created, client: new OpenAI({ apiKey: secret, baseURL: `${governed.server.url}/v1`, maxRetries: 0 }) };
  };
  tenantA = await tenant('acme');
  tenantB = await tenant('globex');
  clientA = tenantA.client;
  clientB = tenantB.client;
});

after(async () => { await governed?.stop(); });

const ask = (client, content) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

const records = async (tenant, kind) =>
  (await admin.get(`/admin/v1/tenants/${tenant.id}/records?kind=${kind}&limit=500`)).body.data;

test('an invalid document is refused with its lines, and nothing is stored', LIMIT, async () => {
  const refused = await admin.put('/admin/v1/policy', { source: 'rules:\n  - name: x\n    then: {input: {EMAIL: shred}}\n' });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error.message, /line 3: .*shred/);
  assert.equal((await admin.get('/admin/v1/policy')).status, 404);
});

test('a platform policy applies at once; its decision record is in the admin API, values never', LIMIT, async () => {
  const put = await admin.put('/admin/v1/policy', {
    source: 'rules:\n  - name: pii\n    then: {input: {EMAIL: redact}, log_content: redacted}\n',
  });
  assert.equal(put.status, 201);
  assert.equal(put.body.label, 'platform@v1');
  const answer = await ask(clientA, 'Reply to dora@example.com please');
  assert.equal(answer.choices[0].message.content, 'Mock reply to: Reply to dora@example.com please');

  let record;
  await eventually(async () => {
    record = (await records(tenantA, 'inference')).find((r) => r.record.decision?.matched_rules?.includes('platform@v1/pii'));
    return record !== undefined;
  }, 5000, 'the inference record');
  const { decision } = record.record;
  assert.deepEqual(decision.policy, ['platform@v1']);
  assert.deepEqual(decision.findings.map((f) => [f.direction, f.type, f.action, f.path]),
    [['input', 'EMAIL', 'redact', 'messages[0].content']]);
  assert.equal(record.has_content, true, 'content is logged, sealed');
  assert.ok(!JSON.stringify(record).includes('dora@'), 'no value in the record');
  const one = await admin.get(`/admin/v1/tenants/${tenantA.id}/records/${record.id}`);
  assert.deepEqual(one.body, record);
  // Another tenant's records are not visible through this tenant's path.
  assert.equal((await admin.get(`/admin/v1/tenants/${tenantB.id}/records/${record.id}`)).status, 404);
});

test('a tenant document tightens its own tenant only', LIMIT, async () => {
  const put = await admin.put(`/admin/v1/tenants/${tenantA.id}/policy`, {
    source: 'rules:\n  - name: no-phones\n    then: {input: {PHONE: block}}\n',
  });
  assert.equal(put.status, 201);
  await assert.rejects(ask(clientA, 'call me at +1 415 555 0132'), (error) => error.status === 400 &&
    error.code === 'content_policy_violation');
  const b = await ask(clientB, 'call me at +1 415 555 0132');
  assert.equal(b.choices[0].message.content, 'Mock reply to: call me at +1 415 555 0132');
});

test('each policy change is an entry in the audit chain of the tenant it acted on', LIMIT, async () => {
  await eventually(async () => (await records(tenantA, 'audit'))
    .some((r) => r.record.action === 'PUT /admin/v1/tenants/{tenant_id}/policy'), 5000, 'the audit entry');
  const entry = (await records(tenantA, 'audit')).find((r) => r.record.action === 'PUT /admin/v1/tenants/{tenant_id}/policy');
  assert.equal(entry.record.status, 201);
  assert.equal(entry.record.actor_role, 'admin');
  assert.ok(!(await records(tenantB, 'audit')).some((r) => r.record.path.includes(tenantA.id)));
});
