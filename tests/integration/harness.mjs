// Starts the real `strata` binary on loopback (port 0) and speaks to it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const STRATA_BIN = process.env.STRATA_BIN ?? path.resolve('build/asan/src/cli/strata');

export function tempDir(prefix = 'strata-test-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeConfig(dir, yaml) {
  const file = path.join(dir, 'strata.yaml');
  writeFileSync(file, yaml);
  return file;
}

// Spawns `strata <args>` and resolves once it logs that it listens. Every
// stderr line that parses as JSON is kept in `logs`.
export function startProcess(args, { env = {}, name = 'strata' } = {}) {
  const child = spawn(STRATA_BIN, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  const rawStderr = [];
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${rawStderr.join('\n')}`)), 20000);
    child.stderr.on('data', (chunk) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        rawStderr.push(line);
        let record;
        try { record = JSON.parse(line); } catch { continue; }
        logs.push(record);
        if (record.msg === 'listening') {
          clearTimeout(timer);
          const port = record.port;
          resolve({
            child, logs, rawStderr, exited, port,
            url: `http://127.0.0.1:${port}`,
            get stdout() { return stdout; },
            async stop(signal = 'SIGTERM') {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening: ${rawStderr.join('\n')}`));
    });
  });
}

export async function startStrata({ config, extraArgs = [], env } = {}) {
  const dir = tempDir();
  const args = ['serve', '--port', '0', '--data-dir', path.join(dir, 'data')];
  if (config) args.push('--config', writeConfig(dir, config));
  const server = await startProcess([...args, ...extraArgs], { env });
  const stop = server.stop;
  server.dir = dir;
  server.stop = async (signal) => {
    const result = await stop(signal);
    rmSync(dir, { recursive: true, force: true });
    return result;
  };
  return server;
}

export function startMockLlm(extraArgs = []) {
  return startProcess(['mock-llm', '--port', '0', '--workers', '1', ...extraArgs], { name: 'mock-llm' });
}

// Sends raw bytes and collects whatever comes back until the server closes or
// `timeoutMs` passes. Resolves { data, closed }.
export function rawExchange(port, bytes, { timeoutMs = 3000, keepOpen = false } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!keepOpen) socket.destroy();
      resolve({ data: data.toString('latin1'), closed, socket });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => { if (bytes) socket.write(bytes); });
    socket.on('data', (chunk) => { data = Buffer.concat([data, chunk]); });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

// Parses the status code and JSON body out of a raw HTTP/1.1 response.
export function parseRawResponse(raw) {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, headEnd);
  const status = Number(head.split(' ')[1]);
  const body = raw.slice(headEnd + 4);
  return { status, head, body };
}

// A TCP relay on loopback (port 0) in front of an upstream, for tests that must
// see what the gateway does to its upstream connections: `requests` counts the
// HTTP requests that went through, `connections` keeps per connection what the
// upstream sent back (`fromUpstream`) and, once the gateway's side closed,
// what had come back by then (`upstreamBytesAtClose`). `pointAt(port)` sends
// new connections elsewhere and cuts the open ones; `pointAt(null)` resets
// every new connection at once.
export async function startTap(targetPort) {
  const sockets = new Set();
  const waiters = [];
  const tap = {
    target: targetPort,
    requests: 0,
    connections: [],
    port: 0,
    url: '',
    // Resolves once `count` requests in all have gone through.
    waitForRequests(count) {
      if (tap.requests >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test: () => tap.requests >= count, resolve }));
    },
    // Resolves once `connection` was closed by the gateway's side.
    waitForClose(connection) {
      if (connection.closedAt !== null) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test: () => connection.closedAt !== null, resolve }));
    },
    pointAt(port) {
      tap.target = port;
      for (const socket of sockets) reset(socket);
      sockets.clear();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const reset = (socket) => {
    if (socket.destroyed) return;
    try { socket.resetAndDestroy(); } catch { socket.destroy(); }
  };
  const notify = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].test()) waiters.splice(i, 1)[0].resolve();
    }
  };
  const server = net.createServer((client) => {
    if (tap.target === null) {
      client.on('error', () => {});
      reset(client);
      return;
    }
    const upstream = net.connect(tap.target, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const connection = { fromGateway: '', fromUpstream: '', closedAt: null, upstreamBytesAtClose: null };
    tap.connections.push(connection);
    let unparsed = '';  // the gateway's bytes not yet framed into requests
    client.on('data', (chunk) => {
      connection.fromGateway += chunk.toString('latin1');
      unparsed += chunk.toString('latin1');
      for (;;) {  // one request: a head, then Content-Length bytes of body
        const headEnd = unparsed.indexOf('\r\n\r\n');
        if (headEnd < 0) break;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(unparsed.slice(0, headEnd + 2))?.[1] ?? 0);
        if (unparsed.length < headEnd + 4 + length) break;
        unparsed = unparsed.slice(headEnd + 4 + length);
        tap.requests++;
      }
      upstream.write(chunk);
      notify();
    });
    upstream.on('data', (chunk) => {
      connection.fromUpstream += chunk.toString('latin1');
      client.write(chunk);
    });
    const clientClosed = () => {
      if (connection.closedAt !== null) return;
      connection.closedAt = Date.now();
      connection.upstreamBytesAtClose = connection.fromUpstream.length;
      notify();
    };
    client.on('end', () => { clientClosed(); upstream.end(); });
    client.on('close', () => { clientClosed(); upstream.destroy(); sockets.delete(client); });
    client.on('error', () => {});
    upstream.on('end', () => client.end());
    upstream.on('close', (hadError) => {
      sockets.delete(upstream);
      if (hadError) reset(client); else client.end();
    });
    upstream.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  tap.port = server.address().port;
  tap.url = `http://127.0.0.1:${tap.port}`;
  return tap;
}
