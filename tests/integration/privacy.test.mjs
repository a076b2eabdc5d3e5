// Retention and data-subject requests (docs/PRIVACY.md) against a real node:
// chat requests from two end users, export and erase through the admin API
// and the CLI, the chain still verifying, content purged by a retention rule
// while metadata stays, and tenants kept apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { STRATA_BIN } from './harness.mjs';
import { cli, eventually, startGoverned } from './governance.mjs';

const DAY = 24 * 3600 * 1000;
let env, admin, acme, globex, appKey, acmeAdminKey, globexAdminKey;

function dataDir() { return path.join(env.server.dir, 'data'); }

async function chat(user, text) {
  const response = await fetch(`${env.server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', user, messages: [{ role: 'user', content: text }] }),
  });
  assert.equal(response.status, 200, await response.text());
}

const exportOf = (tenant, subject, opts) =>
  admin.post(`/admin/v1/tenants/${tenant.id}/subjects/export`, { subject }, opts);

before(async () => {
  env = await startGoverned();
  admin = env.admin;
  acme = (await admin.post('/admin/v1/tenants', { name: 'acme' })).body;
  globex = (await admin.post('/admin/v1/tenants', { name: 'globex' })).body;
  appKey = (await admin.post(`/admin/v1/tenants/${acme.id}/keys`, { name: 'app' })).body.secret;
  acmeAdminKey = (await admin.post(`/admin/v1/tenants/${acme.id}/keys`, { name: 'ops', role: 'tenant-admin' })).body.secret;
  globexAdminKey = (await admin.post(`/admin/v1/tenants/${globex.id}/keys`,
    { name: 'ops', role: 'tenant-admin' })).body.secret;
  await eventually(async () => (await fetch(`${env.server.url}/v1/models`,
    { headers: { authorization: `Bearer ${appKey}` } })).status === 200, 5000, 'the key to be served');
  await chat('alice', 'alice asks about the weather');
  await chat('alice', 'alice asks about tides');
  await chat('bob', 'bob asks about trains');
  await eventually(async () => (await exportOf(acme, 'alice')).body.records.length === 2, 5000, 'records logged');
});
after(async () => { if (env) await env.stop(); });

test('an export holds the subject\'s records with their content, and nobody else\'s', async () => {
  const { status, body } = await exportOf(acme, 'alice', { key: acmeAdminKey });
  assert.equal(status, 200);
  assert.equal(body.object, 'subject_export');
  assert.equal(body.subject, 'alice');
  assert.equal(body.records.length, 2);
  const text = JSON.stringify(body.records.map((r) => r.content));
  assert.match(text, /weather/);
  assert.match(text, /tides/);
  assert.doesNotMatch(text, /trains/);
  assert.equal((await exportOf(acme, 'bob')).body.records.length, 1);
  assert.equal((await exportOf(acme, 'nobody')).body.records.length, 0);
});

test('the CLI exports the same, to stdout or a 0600 file, while the server runs', () => {
  const printed = JSON.parse(cli(env.server, ['dsr', 'export', 'alice', '--tenant', 'acme']));
  assert.equal(printed.records.length, 2);
  const file = path.join(env.server.dir, 'alice.json');
  cli(env.server, ['dsr', 'export', 'alice', '--tenant', acme.id, '--out', file]);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).records.length, 2);
});

test('a tenant\'s admin cannot reach another tenant\'s subjects or retention', async () => {
  assert.equal((await exportOf(acme, 'alice', { key: globexAdminKey })).status, 404);
  const erase = await admin.post(`/admin/v1/tenants/${acme.id}/subjects/erase`, { subject: 'alice' },
    { key: globexAdminKey });
  assert.equal(erase.status, 404);
  assert.equal((await admin.get(`/admin/v1/tenants/${acme.id}/retention`, { key: globexAdminKey })).status, 404);
  assert.equal((await admin.put('/admin/v1/retention', { content: 1 }, { key: acmeAdminKey })).status, 403);
  assert.equal((await admin.post('/admin/v1/retention/runs', {}, { key: acmeAdminKey })).status, 403);
});

test('bad input is refused and changes nothing', async () => {
  const base = `/admin/v1/tenants/${acme.id}`;
  for (const body of [{ content: 0 }, { content: 'soon' }, { contents: 3 }, { content: 1.5 }, [], { content: 40000 }]) {
    const answer = await admin.put(`${base}/retention`, body);
    assert.equal(answer.status, 400, JSON.stringify(body));
  }
  assert.deepEqual((await admin.get(`${base}/retention`)).body.rules,
    { content: null, metadata: null, audit: null, reviews: null, feedback: null });
  assert.equal((await admin.post(`${base}/subjects/export`, {})).status, 400);
  assert.equal((await admin.post(`${base}/subjects/erase`, { subject: 'alice', extra: 1 })).status, 400);
  assert.equal((await exportOf(acme, 'alice')).body.records.length, 2);
});

test('a content rule purges content and keeps metadata; the run log lists it', async () => {
  const base = `/admin/v1/tenants/${acme.id}`;
  const put = await admin.put(`${base}/retention`, { content: 1, audit: 3650 }, { key: acmeAdminKey });
  assert.equal(put.status, 200);
  assert.equal(put.body.rules.content, 1);
  assert.deepEqual(put.body.effective.content, { days: 1, source: 'tenant' });
  assert.deepEqual(put.body.effective.metadata, { days: null, source: 'none' });
  const defaults = await admin.put('/admin/v1/retention', { metadata: 400 });
  assert.deepEqual(defaults.body.effective.metadata, { days: 400, source: 'default' });
  assert.deepEqual((await admin.get(`${base}/retention`)).body.effective.metadata, { days: 400, source: 'default' });

  // Now: nothing is a day old yet.
  const now = await admin.post('/admin/v1/retention/runs', {});
  assert.equal(now.status, 201);
  assert.equal(now.body.status, 'ok');
  assert.equal(now.body.purged[acme.id]?.content ?? 0, 0);
  // Two days on, as the CLI's --as-of says.
  const run = JSON.parse(cli(env.server, ['retention', 'run', '--as-of', String(Date.now() + 2 * DAY)]));
  assert.equal(run.status, 'ok');
  assert.equal(run.purged[acme.id].content, 3);
  const bob = (await exportOf(acme, 'bob')).body.records;
  assert.equal(bob.length, 1);
  assert.equal(bob[0].content, null);
  assert.equal(bob[0].kind, 'inference');

  const runs = await admin.get('/admin/v1/retention/runs');
  assert.equal(runs.body.data[0].id, run.id);
  assert.equal(runs.body.data[1].id, now.body.id);
  const seenByAcme = await admin.get('/admin/v1/retention/runs', { key: acmeAdminKey });
  assert.deepEqual(Object.keys(seenByAcme.body.data[0].purged), [acme.id]);
  await admin.put(`${base}/retention`, { content: null, audit: null });
  await admin.put('/admin/v1/retention', { metadata: null });
});

test('erasing a subject empties its export, audits it without the subject, and the chain verifies', async () => {
  const erased = await admin.post(`/admin/v1/tenants/${acme.id}/subjects/erase`, { subject: 'alice' },
    { key: acmeAdminKey });
  assert.equal(erased.status, 200);
  assert.equal(erased.body.object, 'subject_erasure');
  assert.equal(erased.body.key_destroyed, true);
  assert.equal(erased.body.records, 2);
  assert.match(erased.body.subject_ref, /^[0-9a-f]{64}$/);
  assert.equal(JSON.stringify(erased.body).includes('alice'), false);
  assert.equal((await exportOf(acme, 'alice')).body.records.length, 0);
  assert.equal((await exportOf(acme, 'bob')).body.records.length, 1);

  const again = JSON.parse(cli(env.server, ['dsr', 'erase', 'alice', '--tenant', acme.id, '--yes']));
  assert.equal(again.key_destroyed, false);
  const refused = spawnSync(STRATA_BIN, ['dsr', 'erase', 'bob', '--tenant', acme.id, '--data-dir', dataDir()],
    { encoding: 'utf8' });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /--yes/);
  assert.equal((await exportOf(acme, 'bob')).body.records.length, 1);

  // The tenant's chain holds the erasure, naming the subject only by its ref.
  const chainFile = path.join(env.server.dir, 'acme-chain.jsonl');
  const chainText = () => {
    execFileSync(STRATA_BIN, ['audit', 'export', '--data-dir', dataDir(), '--tenant', acme.id, '--out', chainFile]);
    return fs.readFileSync(chainFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
      .map((entry) => (entry.stored_b64 ? Buffer.from(entry.stored_b64, 'base64').toString('latin1') : '')).join('\n');
  };
  await eventually(() => chainText().includes('dsr.erase'), 5000, 'the erasure\'s audit entry');
  const chain = chainText();
  assert.ok(chain.includes(erased.body.subject_ref));
  assert.equal(chain.includes('alice'), false);
  const verified = spawnSync(STRATA_BIN, ['audit', 'verify', '--data-dir', dataDir()], { encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /verified/);
});
