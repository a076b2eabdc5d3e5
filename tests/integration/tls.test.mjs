// TLS on the listener, with a throwaway self-signed certificate made
// at test time; exercised through mock-llm (same http::Server as serve).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { startMockLlm, tempDir, rawExchange } from './harness.mjs';

let mock;
let ca;
before(async () => {
  const dir = tempDir('strata-tls-');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'ignore' });
  ca = readFileSync(cert);
  mock = await startMockLlm(['--tls-cert', cert, '--tls-key', key]);
});
after(async () => { await mock?.stop(); });

function httpsRequest(options, body) {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port: mock.port, servername: 'localhost', ...options },
      (response) => {
        let data = '';
        response.on('data', (chunk) => { data += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, data }));
      });
    request.on('error', reject);
    request.end(body);
  });
}

test('the listener speaks TLS 1.2+ with the configured certificate', async () => {
  const { status, data } = await httpsRequest({
    ca, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' },
  }, JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'over tls' }] }));
  assert.equal(status, 200);
  assert.equal(JSON.parse(data).choices[0].message.content, 'Mock reply to: over tls');
  assert.match(mock.logs.find((l) => l.msg === 'listening').url, /^https:/);
});

test('streams work over TLS', async () => {
  const { status, data } = await httpsRequest({
    ca, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' },
  }, JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'tls stream' }] }));
  assert.equal(status, 200);
  assert.match(data, /data: \[DONE\]/);
});

test('a client that does not trust the certificate is refused, and the server stays up', async () => {
  await assert.rejects(httpsRequest({ method: 'GET', path: '/v1/models' }), /self.signed|certificate/i);
  const { status } = await httpsRequest({ ca, method: 'GET', path: '/v1/models' });
  assert.equal(status, 200);
});

test('plain HTTP on the TLS port is closed cleanly', async () => {
  const { closed } = await rawExchange(mock.port, 'GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok(closed);
  const { status } = await httpsRequest({ ca, method: 'GET', path: '/v1/models' });
  assert.equal(status, 200);
});
