// Rate limits, concurrency caps and budgets through the real gateway, set with
// the admin API and felt through the official SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockLlm } from './harness.mjs';
import { eventually, startGoverned } from './governance.mjs';

let strata, slowMock;

before(async () => {
  slowMock = await startMockLlm(['--latency-ms', '300']);
  strata = await startGoverned({
    config: [
      'limits:',
      '  per_model:',
      '    - {model: gpt-4o, requests_per_minute: 2}',
    ].join('\n'),
  });
});
after(async () => { await Promise.all([strata?.stop(), slowMock?.stop()]); });

async function tenantKey(name, team) {
  const tenant = (await strata.admin.post('/admin/v1/tenants', { name })).body;
  const key = (await strata.admin.post(`/admin/v1/tenants/${tenant.id}/keys`, { name: 'app' })).body;
  return { tenant, key, base: `/admin/v1/tenants/${tenant.id}` };
}

function chat(secret, { model = 'gpt-4o-mini', max_tokens = 50 } = {}) {
  const client = new OpenAI({ apiKey: secret, baseURL: `${strata.server.url}/v1`, maxRetries: 0 });
  return client.chat.completions.create({ model, max_tokens, messages: [{ role: 'user', content: 'count to three' }] })
    .withResponse();
}

test('a key\'s requests per minute: the limit is admitted, the next gets 429 with Retry-After and x-ratelimit headers', async () => {
  const { key, base } = await tenantKey('rpm');
  await strata.admin.put(`${base}/rate-limits`, { scope_type: 'key', scope_id: key.id, requests_per_minute: 3 });
  const heads = [];
  for (let i = 0; i < 3; i++) heads.push((await chat(key.secret)).response.headers);
  assert.equal(heads[0].get('x-ratelimit-limit-requests'), '3');
  assert.deepEqual(heads.map((h) => h.get('x-ratelimit-remaining-requests')), ['2', '1', '0']);
  const refused = await chat(key.secret).catch((error) => error);
  assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter}`);  // one request's share of a minute
  assert.equal(refused.headers.get('x-ratelimit-remaining-requests'), '0');
  assert.match(refused.headers.get('x-ratelimit-reset-requests'), /^\d+(\.\d+)?(ms|s)$|^\d+m/);
});

test('a tenant\'s limit counts every key of the tenant together', async () => {
  const { tenant, key, base } = await tenantKey('tenant-rpm');
  const second = (await strata.admin.post(`${base}/keys`, { name: 'second' })).body;
  await strata.admin.put(`${base}/rate-limits`, { scope_type: 'tenant', requests_per_minute: 2 });
  await chat(key.secret);
  await chat(second.secret);
  await assert.rejects(chat(key.secret), OpenAI.RateLimitError);
  await assert.rejects(chat(second.secret), OpenAI.RateLimitError);
  assert.ok(tenant.id);
});

test('tokens per minute: usage beyond the limit refuses the next request', async () => {
  const { key, base } = await tenantKey('tpm');
  await strata.admin.put(`${base}/rate-limits`, { scope_type: 'key', scope_id: key.id, tokens_per_minute: 60 });
  let refused;
  for (let i = 0; i < 10 && !refused; i++) {
    refused = await chat(key.secret).then(() => undefined, (error) => error);
  }
  assert.ok(refused instanceof OpenAI.RateLimitError, 'no refusal within 10 requests of ~20 tokens each');
  assert.equal(refused.headers.get('x-ratelimit-limit-tokens'), '60');
});

test('a per-model limit from config applies to everyone', async () => {
  const { key } = await tenantKey('model-limit');
  await chat(key.secret, { model: 'gpt-4o' });
  await chat(key.secret, { model: 'gpt-4o' });
  await assert.rejects(chat(key.secret, { model: 'gpt-4o' }), OpenAI.RateLimitError);
  await chat(key.secret);  // other models are not affected
});

test('a hard budget holds under 1 000 concurrent requests: nothing beyond it is admitted', async () => {
  const { key, base } = await tenantKey('budget');
  // gpt-4o-mini: $0.15 / $0.60 per 1M tokens. With max_tokens 50 a request reserves about $0.000032,
  // so $0.0002 leaves room for about six at a time: a nearly spent budget.
  const limitUsd = 0.0002;
  await strata.admin.put(`${base}/budgets`, { scope_type: 'key', scope_id: key.id, period: 'day', limit_usd: limitUsd });
  const outcomes = await Promise.all(Array.from({ length: 1000 }, () =>
    chat(key.secret).then(({ data }) => ({ ok: true, data }), (error) => ({ ok: false, error }))));
  const admitted = outcomes.filter((o) => o.ok);
  const refused = outcomes.filter((o) => !o.ok);
  assert.ok(admitted.length >= 1, 'nothing was admitted');
  for (const { error } of refused) {
    assert.ok(error instanceof OpenAI.RateLimitError, String(error));
    assert.equal(error.code, 'insufficient_quota');
    assert.equal(error.headers.get('x-should-retry'), 'false');
  }
  const spentByAnswers = admitted.reduce((sum, { data }) =>
    sum + (data.usage.prompt_tokens * 0.15 + data.usage.completion_tokens * 0.60) / 1e6, 0);
  let budget;
  await eventually(async () => {
    budget = (await strata.admin.get(`${base}/budgets`)).body.data[0];
    return budget.reserved_usd === 0;
  }, 5000, 'every reservation to settle');
  assert.ok(Math.abs(budget.spent_usd - spentByAnswers) < 1e-9, `${budget.spent_usd} vs ${spentByAnswers}`);
  const overshoot = Math.max(0, budget.spent_usd - limitUsd);
  console.log(`budget: ${admitted.length} of 1000 admitted, spent $${budget.spent_usd.toFixed(9)} of ` +
    `$${limitUsd}, overshoot $${overshoot.toFixed(9)}`);
  assert.equal(overshoot, 0);
});

test('the spend report adds up what the answers cost, by key and model', async () => {
  const { key, base } = await tenantKey('spender');
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push((await chat(key.secret)).data);
  const expected = answers.reduce((sum, a) => sum + (a.usage.prompt_tokens * 0.15 + a.usage.completion_tokens * 0.6) / 1e6, 0);
  let row;
  await eventually(async () => {
    const report = await strata.admin.get(`${base}/spend?group_by=key,model`);
    row = report.body.data.find((r) => r.key_id === key.id && r.model === 'gpt-4o-mini');
    return row?.requests === 3;
  }, 5000, 'the spend rollup');
  assert.ok(Math.abs(row.cost_usd - expected) < 1e-9, `${row.cost_usd} vs ${expected}`);
  assert.equal(row.input_tokens, answers.reduce((s, a) => s + a.usage.prompt_tokens, 0));
});

test('a concurrency cap refuses requests beyond it while they are in flight', async () => {
  const server = await startGoverned({ mock: slowMock });
  try {
    const tenant = (await server.admin.post('/admin/v1/tenants', { name: 'conc' })).body;
    const base = `/admin/v1/tenants/${tenant.id}`;
    const key = (await server.admin.post(`${base}/keys`, { name: 'app' })).body;
    await server.admin.put(`${base}/rate-limits`, { scope_type: 'key', scope_id: key.id, max_concurrent: 2 });
    const client = new OpenAI({ apiKey: key.secret, baseURL: `${server.server.url}/v1`, maxRetries: 0 });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'slow' }] })
      .then(() => 'ok', (error) => (error instanceof OpenAI.RateLimitError ? 'limited' : String(error)))));
    assert.equal(outcomes.filter((o) => o === 'ok').length, 2, outcomes.join());
    assert.equal(outcomes.filter((o) => o === 'limited').length, 3, outcomes.join());
    // Slots come back when requests end.
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] });
  } finally {
    await server.stop();
  }
});

test('a per-address limit from config counts every key coming from that address', async () => {
  const server = await startGoverned({ mock: strata.mock, config: 'limits: {per_ip: {requests_per_minute: 3}}' });
  try {
    const tenant = (await server.admin.post('/admin/v1/tenants', { name: 'by-address' })).body;
    const base = `/admin/v1/tenants/${tenant.id}`;
    const keys = [];
    for (const name of ['one', 'two']) keys.push((await server.admin.post(`${base}/keys`, { name })).body.secret);
    const ask = (secret) => new OpenAI({ apiKey: secret, baseURL: `${server.server.url}/v1`, maxRetries: 0 })
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await ask(keys[0]);
    await ask(keys[1]);
    await ask(keys[0]);
    await assert.rejects(ask(keys[1]), OpenAI.RateLimitError);
  } finally {
    await server.stop();
  }
});
