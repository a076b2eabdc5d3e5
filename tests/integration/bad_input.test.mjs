// Bad input at the edge: each case is answered or closed cleanly, and the
// server is asserted healthy afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startStrata, rawExchange, parseRawResponse } from './harness.mjs';

let server;
before(async () => {
  server = await startStrata({
    config: [
      'server:',
      '  max_body_bytes: 64KiB',
      '  max_header_bytes: 8KiB',
      '  header_timeout: 500ms',
      '  body_timeout: 500ms',
      'log:',
      '  access_log: false',
    ].join('\n'),
  });
});
after(async () => { await server?.stop(); });

async function assertHealthy() {
  const response = await fetch(`${server.url}/healthz`);
  assert.equal(response.status, 200);
}

const malformed = [
  ['garbage request line', 'HELLO\r\n\r\n'],
  ['binary junk', '\x00\x01\x02\x03\xff\xfe\r\n\r\n'],
  ['missing version', 'GET /healthz\r\n\r\n'],
  ['bad version', 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n'],
  ['space in header name', 'GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n'],
  ['bad content length', 'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
  ['two content lengths', 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
  ['bad chunk size', 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
];

for (const [name, bytes] of malformed) {
  test(`malformed request (${name}) gets a 400 and a close`, async () => {
    const { data, closed } = await rawExchange(server.port, bytes);
    const { status, body } = parseRawResponse(data);
    assert.equal(status, 400, data);
    assert.equal(JSON.parse(body).error.type, 'invalid_request_error');
    assert.ok(closed);
    await assertHealthy();
  });
}

test('oversized headers get a 431', async () => {
  const { data } = await rawExchange(server.port,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nx-filler: ${'a'.repeat(16 * 1024)}\r\n\r\n`);
  assert.equal(parseRawResponse(data).status, 431);
  await assertHealthy();
});

test('an oversized body is refused with 413 from its Content-Length alone', async () => {
  const { data, closed } = await rawExchange(server.port,
    `POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 * 1024}\r\n\r\n`);
  const { status, body } = parseRawResponse(data);
  assert.equal(status, 413);
  assert.equal(JSON.parse(body).error.code, 'payload_too_large');
  assert.ok(closed);
  await assertHealthy();
});

test('an oversized body sent in full still gets its 413', async () => {
  const response = await fetch(`${server.url}/healthz`, { method: 'POST', body: 'x'.repeat(200 * 1024) })
    .catch((error) => error);
  // The server answers before reading the body; the client sees the 413.
  assert.equal(response.status, 413);
  await assertHealthy();
});

test('slowloris: a head that never completes gets a 408 and a close', async () => {
  const started = Date.now();
  const socket = net.connect(server.port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => { if (!socket.destroyed) socket.write('x-drip: 1\r\n'); }, 100);
  await closed;
  clearInterval(drip);
  assert.equal(parseRawResponse(received).status, 408);
  assert.ok(Date.now() - started < 5000);
  await assertHealthy();
});

test('a body that stops arriving gets a 408', async () => {
  const { data } = await rawExchange(server.port,
    'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part', { timeoutMs: 4000 });
  assert.equal(parseRawResponse(data).status, 408);
  await assertHealthy();
});

test('clients vanishing mid-head and mid-body leave the server healthy', async () => {
  const cuts = [
    'GET /heal',
    'GET /healthz HTTP/1.1\r\nHo',
    'POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabc',
  ];
  for (const bytes of cuts) {
    await new Promise((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(bytes);
        socket.resetAndDestroy ? socket.resetAndDestroy() : socket.destroy();
        resolve();
      });
      socket.on('error', resolve);
    });
  }
  await assertHealthy();
});

test('invalid UTF-8 in the path and headers gets valid JSON back', async () => {
  const { data } = await rawExchange(server.port,
    'GET /v1/\xff\xfe\xc0\xaf HTTP/1.1\r\nHost: x\r\nx-weird: \xff\xfe\r\nConnection: close\r\n\r\n');
  const { status, body } = parseRawResponse(data);
  assert.equal(status, 404);
  assert.equal(JSON.parse(body).error.type, 'not_found_error');
  await assertHealthy();
});

test('10 000 connections opened and dropped leave the server healthy', async () => {
  const total = 10000;
  const batch = 250;
  for (let done = 0; done < total; done += batch) {
    await Promise.all(Array.from({ length: batch }, () => new Promise((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => { socket.destroy(); resolve(); });
      socket.on('error', resolve);
    })));
  }
  await assertHealthy();
  // The server noticed every drop: open connections go back to (about) just ours.
  let open = Infinity;
  for (let i = 0; i < 100 && open > 2; i++) {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    open = Number(text.match(/^strata_http_open_connections (\S+)$/m)[1]);
    if (open > 2) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(open <= 2, `open connections after the storm: ${open}`);
});
