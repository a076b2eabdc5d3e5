// `strata config check FILE` validates without starting anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { STRATA_BIN, tempDir, writeConfig } from './harness.mjs';

function check(yaml, env = {}) {
  const file = writeConfig(tempDir(), yaml);
  const result = spawnSync(STRATA_BIN, ['config', 'check', file], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { ...result, file };
}

test('a valid file passes', () => {
  const { status, stdout } = check('server:\n  port: 8080\n  header_timeout: 5s\nlog:\n  level: debug\n');
  assert.equal(status, 0);
  assert.match(stdout, /ok/);
});

test('an unknown key is refused with its line and a suggestion', () => {
  const { status, stderr, file } = check('server:\n  host: 127.0.0.1\n  prot: 80\n');
  assert.notEqual(status, 0);
  assert.ok(stderr.includes(`${file}:3:`), stderr);
  assert.match(stderr, /did you mean 'port'/);
});

test('a wrong type is refused with its line', () => {
  const { status, stderr, file } = check('server:\n  port: eighty\n');
  assert.notEqual(status, 0);
  assert.ok(stderr.includes(`${file}:2:`), stderr);
});

test('environment variables are interpolated, and secrets are not echoed', () => {
  assert.equal(check('server:\n  port: ${STRATA_TEST_PORT}\n', { STRATA_TEST_PORT: '9000' }).status, 0);
  const bad = check('server:\n  port: ${STRATA_TEST_PORT}\n', { STRATA_TEST_PORT: 'hunter2-secret' });
  assert.notEqual(bad.status, 0);
  assert.ok(!bad.stderr.includes('hunter2-secret'), bad.stderr);
  const unset = check('server:\n  host: ${STRATA_UNSET_VARIABLE_X}\n');
  assert.notEqual(unset.status, 0);
  assert.match(unset.stderr, /STRATA_UNSET_VARIABLE_X/);
});

test('a missing file is an error, not a crash', () => {
  const result = spawnSync(STRATA_BIN, ['config', 'check', '/nonexistent/strata.yaml'], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.ok(result.stderr.length > 0);
});
