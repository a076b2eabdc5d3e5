// `strata audit verify` against exports built here, in JavaScript, from the
// byte layouts in docs/AUDIT.md alone (node:crypto's SHA-256 and Ed25519): a
// second implementation of the format, so the binary is checked against the
// document, not against itself. Each tampering is caught and named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { STRATA_BIN, tempDir } from './harness.mjs';

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest();
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
const framed = (text) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);

function entryHash(tenant, seq, prevHash, storedDigest) {
  return sha256(Buffer.concat([framed('strata.audit.entry.v1'), framed(tenant), u64(seq), prevHash, storedDigest]));
}

function rawPublicKey(publicKey) {
  return Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
}

function checkpointLine(tenant, seq, hash, timeMs, keys) {
  const signed = Buffer.concat([framed('strata.audit.checkpoint.v1'), framed(tenant), u64(seq), hash, u64(timeMs)]);
  return JSON.stringify({ checkpoint: {
    tenant, seq, hash: hash.toString('hex'), time_ms: timeMs,
    key: rawPublicKey(keys.publicKey).toString('base64'),
    signature: crypto.sign(null, signed, keys.privateKey).toString('base64'),
  } });
}

// Two tenants' chains, interleaved, with a checkpoint every 4 entries.
function buildExport(keys) {
  const lines = [];
  const heads = { acme: Buffer.alloc(32), globex: Buffer.alloc(32) };
  const seqs = { acme: 0, globex: 0 };
  for (let i = 0; i < 12; i++) {
    const tenant = i % 3 === 2 ? 'globex' : 'acme';
    const seq = ++seqs[tenant];
    const stored = Buffer.from(`record ${i} of ${tenant}: ciphertext stands in here`);
    const hash = entryHash(tenant, seq, heads[tenant], sha256(stored));
    lines.push(JSON.stringify({ tenant, seq, stored_b64: stored.toString('base64'),
      prev_hash: heads[tenant].toString('hex'), hash: hash.toString('hex') }));
    heads[tenant] = hash;
    if (seq % 4 === 0) lines.push(checkpointLine(tenant, seq, hash, 1_764_000_000_000 + i, keys));
  }
  return lines;
}

function verify(lines, args) {
  const dir = tempDir('strata-audit-');
  const file = path.join(dir, 'export.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return spawnSync(STRATA_BIN, ['audit', 'verify', file, ...args], { encoding: 'utf8' });
}

const keys = crypto.generateKeyPairSync('ed25519');
const trusted = ['--key', rawPublicKey(keys.publicKey).toString('base64')];
const lines = buildExport(keys);
const lineOf = (tenant, seq) => lines.findIndex((line) => {
  const parsed = JSON.parse(line);
  return parsed.tenant === tenant && parsed.seq === seq;
});

test('an untouched export verifies, with each tenant\'s head', () => {
  const { status, stdout } = verify(lines, trusted);
  assert.equal(status, 0, stdout);
  const checkpoints = lines.filter((line) => 'checkpoint' in JSON.parse(line)).length;
  assert.equal(checkpoints, 3);  // acme at seq 4 and 8, globex at 4
  assert.match(stdout, new RegExp(`^verified: 12 entries, ${checkpoints} checkpoints, 2 tenants$`, 'm'));
  const acmeHead = JSON.parse(lines[lineOf('acme', 8)]).hash;
  assert.match(stdout, new RegExp(`acme: seq 8, head ${acmeHead}`));
});

test('an edited record is caught at its line', () => {
  const edited = [...lines];
  const at = lineOf('acme', 3);
  const entry = JSON.parse(edited[at]);
  entry.stored_b64 = Buffer.from('record edited after the fact').toString('base64');
  edited[at] = JSON.stringify(entry);
  const { status, stdout } = verify(edited, trusted);
  assert.equal(status, 1);
  assert.match(stdout, new RegExp(`^broken: line ${at + 1}: hash_mismatch, tenant acme, seq 3:`, 'm'));
});

test('a deleted record is caught as a gap in its tenant\'s sequence', () => {
  const at = lineOf('globex', 2);
  const { status, stdout } = verify(lines.filter((_, i) => i !== at), trusted);
  assert.equal(status, 1);
  assert.match(stdout, /^broken: line \d+: seq_gap, tenant globex, seq 2:/m);
});

test('a record inserted with a made-up link is caught', () => {
  const forged = [...lines];
  const at = lineOf('acme', 5);
  const entry = JSON.parse(forged[at]);
  const stored = Buffer.from('a record that was never written');
  const prev = Buffer.from(entry.prev_hash, 'hex');
  const insertedHash = entryHash('acme', 5, prev, sha256(stored));
  forged.splice(at, 0, JSON.stringify({ tenant: 'acme', seq: 5, stored_b64: stored.toString('base64'),
    prev_hash: entry.prev_hash, hash: insertedHash.toString('hex') }));
  const { status, stdout } = verify(forged, trusted);
  assert.equal(status, 1);
  assert.match(stdout, /^broken: line \d+: (duplicate_seq|prev_hash_mismatch), tenant acme/m);
});

test('after erasure (content replaced by its digest) the export still verifies', () => {
  const erased = lines.map((line) => {
    const parsed = JSON.parse(line);
    if (parsed.tenant !== 'acme') return line;
    const { stored_b64: stored, ...rest } = parsed;
    return JSON.stringify({ tenant: rest.tenant, seq: rest.seq,
      stored_digest: sha256(Buffer.from(stored, 'base64')).toString('hex'), prev_hash: rest.prev_hash, hash: rest.hash });
  });
  const { status, stdout } = verify(erased, trusted);
  assert.equal(status, 0, stdout);
});

test('a checkpoint signed by a key the verifier does not trust is refused', () => {
  const stranger = crypto.generateKeyPairSync('ed25519');
  const { status, stdout } = verify(lines, ['--key', rawPublicKey(stranger.publicKey).toString('base64')]);
  assert.equal(status, 1);
  assert.match(stdout, /checkpoint_unknown_key/);
});

test('keys come from a keys file too, and a tail cut after a checkpoint is caught', () => {
  const dir = tempDir('strata-audit-keys-');
  const keysFile = path.join(dir, 'trusted.txt');
  fs.writeFileSync(keysFile, `# the node's key\n${rawPublicKey(keys.publicKey).toString('base64')}\n`);
  const lastAcme = lineOf('acme', 8);
  const cut = lines.filter((line, i) => !(JSON.parse(line).tenant === 'acme' && i >= lastAcme - 1 && !line.startsWith('{"checkpoint"')));
  const { status, stdout } = verify(cut, ['--keys-file', keysFile]);
  assert.equal(status, 1);
  assert.match(stdout, /checkpoint_beyond_chain, tenant acme, seq 8/);
});

test('a malformed line is named; a bad key or a missing file cannot verify (exit 2)', () => {
  const broken = [...lines];
  broken[3] = '{"tenant":"acme","seq":"two"}';
  const malformed = verify(broken, trusted);
  assert.equal(malformed.status, 1);
  assert.match(malformed.stdout, /^malformed: line 4: /m);

  const badKey = verify(lines, ['--key', 'not-base64!']);
  assert.equal(badKey.status, 2);
  assert.match(badKey.stderr, /not a base64 Ed25519 public key/);

  const missing = spawnSync(STRATA_BIN, ['audit', 'verify', '/nonexistent/export.jsonl', ...trusted], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
});

test('keygen writes a private key file readable by its owner only and prints the public key', () => {
  const dir = tempDir('strata-audit-keygen-');
  const file = path.join(dir, 'node.key');
  const made = spawnSync(STRATA_BIN, ['audit', 'keygen', '--out', file], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  assert.equal(Buffer.from(made.stdout.trim(), 'base64').length, 32);
  assert.equal(fs.statSync(file).mode & 0o077, 0);
  assert.ok(!made.stdout.includes(fs.readFileSync(file, 'utf8').trim()), 'the private key is never printed');
  const again = spawnSync(STRATA_BIN, ['audit', 'keygen', '--out', file], { encoding: 'utf8' });
  assert.notEqual(again.status, 0, 'an existing key is never overwritten');
});
