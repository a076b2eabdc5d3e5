// `strata audit verify --data-dir` and `strata audit export` over a real
// node's database: records written through the gateway join their tenant's
// chain, the node signs the heads at shutdown, and every tampering done
// behind the store's back with the sqlite3 CLI is caught and named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { STRATA_BIN, startProcess, tempDir } from './harness.mjs';

const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;
const SECRET = 'the-plaintext-prompt-3b1f6e';
let root, pristine, tenant;

function strata(args) {
  return spawnSync(STRATA_BIN, args, { encoding: 'utf8' });
}

function sqlite(dataDir, sql) {
  const result = spawnSync('sqlite3', [path.join(dataDir, 'strata.db'), sql], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

// A fresh copy of the node's data directory, to tamper with.
function copy() {
  const dir = fs.mkdtempSync(path.join(root, 'copy-'));
  fs.cpSync(pristine, dir, { recursive: true });
  return dir;
}

function verifyDb(dataDir, ...args) {
  return strata(['audit', 'verify', '--data-dir', dataDir, ...args]);
}

// The node's checkpoint public key, derived from the seed in its key file.
function nodePublicKey(dataDir) {
  const seed = Buffer.from(fs.readFileSync(path.join(dataDir, 'audit-signing.key'), 'utf8').trim(), 'base64');
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const jwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

before(async () => {
  root = tempDir('strata-audit-db-');
  pristine = path.join(root, 'data');
  const server = await startProcess(['serve', '--port', '0', '--data-dir', pristine]);
  try {
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'strata-demo', messages: [{ role: 'user', content: `${SECRET} #${i}` }] }),
      });
      assert.equal(response.status, 200, await response.text());
    }
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
  if (hasSqlite) tenant = sqlite(pristine, 'SELECT tenant_id FROM audit_chain LIMIT 1');
});
after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

test('the gateway\'s records form a chain that verifies, signed at shutdown', () => {
  const { status, stdout, stderr } = verifyDb(pristine);
  assert.equal(status, 0, stdout + stderr);
  assert.match(stdout, /^verified: tenant \S+, 4 entries, 1 checkpoints$/m);
  const explicit = verifyDb(pristine, '--key', nodePublicKey(pristine));
  assert.equal(explicit.status, 0, explicit.stdout);
});

test('a key the operator does not trust fails the checkpoints', () => {
  const stranger = crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x;
  const { status, stdout } = verifyDb(pristine, '--key', Buffer.from(stranger, 'base64url').toString('base64'));
  assert.equal(status, 1, stdout);
  assert.match(stdout, /broken: tenant \S+ seq 4: checkpoint_unknown_key/);
});

test('no database is "cannot verify" (exit 2)', () => {
  const { status, stderr } = verifyDb(path.join(root, 'nowhere'));
  assert.equal(status, 2);
  assert.match(stderr, /no database/);
});

test('content is stored sealed: the prompt is nowhere in the database', () => {
  for (const name of fs.readdirSync(pristine)) {
    const bytes = fs.readFileSync(path.join(pristine, name));
    assert.equal(bytes.indexOf(SECRET), -1, `${name} holds the plaintext`);
  }
});

test('an edited record is caught at its seq', { skip: !hasSqlite && 'no sqlite3 CLI' }, () => {
  const dir = copy();
  sqlite(dir, `UPDATE inference_records SET payload = '{"edited":true}'
               WHERE id = (SELECT record_id FROM audit_chain WHERE seq = 2)`);
  const { status, stdout } = verifyDb(dir);
  assert.equal(status, 1, stdout);
  assert.match(stdout, new RegExp(`^broken: tenant ${tenant} seq 2: hash_mismatch`, 'm'));
});

test('a record deleted with its chain link is a gap', { skip: !hasSqlite && 'no sqlite3 CLI' }, () => {
  const dir = copy();
  sqlite(dir, `DELETE FROM inference_records WHERE id = (SELECT record_id FROM audit_chain WHERE seq = 2);
               DELETE FROM audit_chain WHERE seq = 2`);
  const { status, stdout } = verifyDb(dir);
  assert.equal(status, 1, stdout);
  assert.match(stdout, /seq 2: seq_gap/);
});

test('the last entry cut off is caught by the checkpoint', { skip: !hasSqlite && 'no sqlite3 CLI' }, () => {
  const dir = copy();
  sqlite(dir, `DELETE FROM inference_records WHERE id = (SELECT record_id FROM audit_chain WHERE seq = 4);
               DELETE FROM audit_chain WHERE seq = 4`);
  const { status, stdout } = verifyDb(dir);
  assert.equal(status, 1, stdout);
  assert.match(stdout, /seq 4: checkpoint_beyond_chain/);
});

test('two chain links swapped are caught', { skip: !hasSqlite && 'no sqlite3 CLI' }, () => {
  const dir = copy();
  sqlite(dir, `UPDATE audit_chain SET seq = 100 WHERE seq = 2;
               UPDATE audit_chain SET seq = 2 WHERE seq = 3;
               UPDATE audit_chain SET seq = 3 WHERE seq = 100`);
  const { status, stdout } = verifyDb(dir);
  assert.equal(status, 1, stdout);
  assert.match(stdout, /seq 2: prev_hash_mismatch/);
});

test('an inserted record or chain link is caught', { skip: !hasSqlite && 'no sqlite3 CLI' }, () => {
  const forgedRecord = copy();
  sqlite(forgedRecord, `INSERT INTO inference_records(id, created_at_ms, kind, payload, tenant_id)
                        VALUES ('forged', 1, 'inference', '{}', '${tenant}')`);
  let { status, stdout } = verifyDb(forgedRecord);
  assert.equal(status, 1, stdout);
  assert.match(stdout, /record forged: unchained_record/);

  const forgedLink = copy();
  sqlite(forgedLink, `INSERT INTO inference_records(id, created_at_ms, kind, payload, tenant_id)
                      VALUES ('forged', 1, 'inference', '{}', '${tenant}');
                      INSERT INTO audit_chain(tenant_id, seq, record_id, stored_digest, prev_hash, hash)
                      SELECT tenant_id, 5, 'forged', randomblob(32), hash, randomblob(32)
                      FROM audit_chain WHERE seq = 4`);
  ({ status, stdout } = verifyDb(forgedLink));
  assert.equal(status, 1, stdout);
  assert.match(stdout, /seq 5: hash_mismatch/);
});

test('erasure and retention leave the chain verifying', { skip: !hasSqlite && 'no sqlite3 CLI' }, () => {
  const dir = copy();
  // What RecordStore::EraseSubject and PurgeRecordsBefore do.
  sqlite(dir, `UPDATE inference_records SET content = NULL
                 WHERE content_key_id IN (SELECT id FROM subject_keys);
               DELETE FROM subject_keys;
               DELETE FROM inference_records WHERE id = (SELECT record_id FROM audit_chain WHERE seq = 1)`);
  assert.equal(sqlite(dir, 'SELECT COUNT(*) FROM inference_records WHERE content IS NOT NULL'), '0');
  const { status, stdout } = verifyDb(dir);
  assert.equal(status, 0, stdout);
  assert.match(stdout, /verified: tenant \S+, 4 entries, 1 checkpoints/);
});

test('an export of the database verifies offline, with or without the stored bytes', () => {
  const key = nodePublicKey(pristine);
  for (const extra of [[], ['--digests-only']]) {
    const out = path.join(root, `export${extra.length}.jsonl`);
    const exported = strata(['audit', 'export', '--data-dir', pristine, '--tenant', tenant ?? 'default',
      '--out', out, ...extra]);
    assert.equal(exported.status, 0, exported.stdout + exported.stderr);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 5);
    assert.equal('stored_digest' in lines[0], extra.length > 0);
    const verified = strata(['audit', 'verify', out, '--key', key]);
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^verified: 4 entries, 1 checkpoints, 1 tenants$/m);
  }
});
