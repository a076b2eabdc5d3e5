// OpenTelemetry tracing end to end (docs/TRACING.md): the official `openai`
// SDK → strata serve → a recording proxy → strata mock-llm, with an OTLP/HTTP
// receiver written here. Every payload the gateway exports is validated
// against schemas/otlp_trace.schema.json (OTLP ExportTraceServiceRequest, JSON
// encoding), and the spans, the upstream's traceparent and the access log
// are checked against what the client saw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Ajv from 'ajv';
import OpenAI from 'openai';
import { STRATA_BIN, startMockLlm, startStrata, rawExchange, parseRawResponse, tempDir, writeConfig } from './harness.mjs';

const KEY = 'sk-strata-trace-test-key';
const PROMPT = 'Tell the collector nothing secret';
const schema = JSON.parse(readFileSync(new URL('./schemas/otlp_trace.schema.json', import.meta.url)));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

// An OTLP/HTTP collector: POST /v1/traces, JSON. Every payload must validate.
async function startReceiver() {
  const receiver = { payloads: [], invalid: [], requests: [] };
  receiver.server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      receiver.requests.push({ method: request.method, url: request.url, headers: request.headers });
      let payload;
      try { payload = JSON.parse(body); } catch { payload = undefined; }
      if (payload === undefined || !validate(payload)) {
        receiver.invalid.push({ body, errors: validate.errors });
      } else {
        receiver.payloads.push(payload);
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${receiver.server.address().port}`;
  receiver.spans = () => receiver.payloads.flatMap((p) => p.resourceSpans.flatMap(
    (r) => r.scopeSpans.flatMap((s) => s.spans)));
  // The spans of one trace once its SERVER span (the last to end) is in.
  receiver.trace = async (traceId, { timeoutMs = 8000 } = {}) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const spans = receiver.spans().filter((s) => s.traceId === traceId);
      if (spans.some((s) => s.kind === 2)) return spans;
      if (Date.now() > deadline) assert.fail(`no server span for trace ${traceId}; got ${JSON.stringify(spans)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  receiver.close = () => new Promise((resolve) => { receiver.server.closeAllConnections(); receiver.server.close(resolve); });
  return receiver;
}

// An HTTP proxy in front of mock-llm that keeps each request's headers: what
// the vendor would see.
async function startRecordingProxy(target) {
  const proxy = { seen: [] };
  proxy.server = http.createServer((request, response) => {
    proxy.seen.push({ url: request.url, headers: request.headers });
    const forward = http.request({ host: '127.0.0.1', port: target.port, method: request.method, path: request.url,
      headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    });
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.port = proxy.server.address().port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () => new Promise((resolve) => { proxy.server.closeAllConnections(); proxy.server.close(resolve); });
  return proxy;
}

const hex = (bytes) => randomBytes(bytes).toString('hex');
const newTraceparent = (flags = '01') => {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, header: `00-${traceId}-${spanId}-${flags}` };
};
const attr = (span, key) => {
  const found = (span.attributes ?? []).find((a) => a.key === key);
  if (!found) return undefined;
  const v = found.value;
  if ('intValue' in v) return Number(v.intValue);
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map((x) => x.stringValue);
  return v.stringValue ?? v.boolValue ?? v.doubleValue;
};
const parseTraceparent = (value) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value ?? '');
  assert.ok(m, `not a traceparent: ${value}`);
  return { traceId: m[1], spanId: m[2], flags: m[3] };
};
// The access log line of a request (stderr, JSON), once it is written.
async function accessLine(server, requestId) {
  for (let i = 0; i < 100; i++) {
    const line = server.logs.find((l) => l.msg === 'access' && l.request_id === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no access log line for ${requestId}`);
}
const upstreamRequestsSince = (proxy, count) => proxy.seen.slice(count).filter((r) => r.url.endsWith('/chat/completions'));

let healthy, failing, healthyProxy, failingProxy, receiver, contentReceiver, silentReceiver;
let traced, capturing, unsampled, disabled;

function config(receiverUrl, tracingLines) {
  return [
    'auth:',
    `  api_keys: [${KEY}]`,
    'routing:',
    '  retries: {max_attempts_per_deployment: 1, base_delay: 0ms, max_delay: 0ms}',
    'models:',
    '  - name: fast',
    '    deployments:',
    `      - {name: mock-healthy, provider: openai-compatible, base_url: "${healthyProxy.url}/v1", model: gpt-4o-mini}`,
    '  - name: flaky',
    '    deployments:',
    `      - {name: mock-503, provider: openai-compatible, base_url: "${failingProxy.url}/v1", model: gpt-4o-broken}`,
    `      - {name: mock-healthy, provider: openai-compatible, base_url: "${healthyProxy.url}/v1", model: gpt-4o-mini}`,
    'tracing:',
    ...(receiverUrl ? [`  endpoint: ${receiverUrl}`] : []),
    '  batch: {max_delay: 100ms}',
    ...tracingLines.map((line) => `  ${line}`),
  ].join('\n');
}

before(async () => {
  [healthy, failing] = await Promise.all([startMockLlm(), startMockLlm(['--fault', 'status:503'])]);
  [healthyProxy, failingProxy, receiver, contentReceiver, silentReceiver] = await Promise.all([
    startRecordingProxy(healthy), startRecordingProxy(failing), startReceiver(), startReceiver(), startReceiver(),
  ]);
  [traced, capturing, unsampled, disabled] = await Promise.all([
    startStrata({ config: config(receiver.url, ['enabled: true']) }),
    startStrata({ config: config(contentReceiver.url, ['enabled: true', 'capture_content: true']) }),
    startStrata({ config: config(silentReceiver.url, ['enabled: true', 'sample_ratio: 0']) }),
    startStrata({ config: config(null, ['enabled: false']) }),
  ]);
});
after(async () => {
  await Promise.all([traced?.stop(), capturing?.stop(), unsampled?.stop(), disabled?.stop()]);
  await Promise.all([healthy?.stop(), failing?.stop(), healthyProxy?.close(), failingProxy?.close(),
    receiver?.close(), contentReceiver?.close(), silentReceiver?.close()]);
});

const clientOf = (server) => new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0 });
const ask = (server, model, headers, extra = {}) => clientOf(server).chat.completions.create(
  { model, messages: [{ role: 'user', content: PROMPT }], ...extra }, { headers }).withResponse();

test('a chat request continues the caller\'s trace: server span, admit span, attempt span, upstream header, log', async () => {
  const caller = newTraceparent();
  const before = healthyProxy.seen.length;
  const { data, response } = await ask(traced, 'fast', { traceparent: caller.header, tracestate: 'congo=t61rcWkgMzE' });
  const requestId = response.headers.get('x-request-id');
  const spans = await receiver.trace(caller.traceId);

  const server = spans.find((s) => s.kind === 2);
  assert.equal(server.parentSpanId, caller.spanId);
  assert.equal(server.name, 'POST /v1/chat/completions');
  assert.equal(server.traceState, 'congo=t61rcWkgMzE');
  assert.equal(attr(server, 'http.request.method'), 'POST');
  assert.equal(attr(server, 'http.route'), '/v1/chat/completions');
  assert.equal(attr(server, 'http.response.status_code'), 200);
  assert.equal(attr(server, 'gen_ai.operation.name'), 'chat');
  assert.equal(attr(server, 'gen_ai.request.model'), 'fast');
  assert.equal(attr(server, 'gen_ai.usage.input_tokens'), data.usage.prompt_tokens);
  assert.equal(attr(server, 'gen_ai.usage.output_tokens'), data.usage.completion_tokens);
  assert.equal(attr(server, 'strata.request_id'), requestId);
  assert.equal(attr(server, 'strata.tenant'), 'default');
  assert.equal(attr(server, 'strata.key_id'), 'static-key-1');
  assert.equal(attr(server, 'strata.attempts'), 1);
  assert.equal(attr(server, 'strata.deployment'), 'mock-healthy');
  assert.equal(server.status?.code ?? 0, 0);

  const admit = spans.find((s) => s.kind === 1 && s.name === 'admit');
  assert.ok(admit, 'the admit stage has its span');
  assert.equal(admit.parentSpanId, server.spanId);
  assert.equal(attr(admit, 'strata.stage'), 'admit');

  const attempts = spans.filter((s) => s.kind === 3);
  assert.equal(attempts.length, 1);
  const [attempt] = attempts;
  assert.equal(attempt.parentSpanId, server.spanId);
  assert.equal(attempt.name, 'chat gpt-4o-mini');
  assert.equal(attr(attempt, 'gen_ai.operation.name'), 'chat');
  assert.equal(attr(attempt, 'gen_ai.provider.name'), 'openai-compatible');
  assert.equal(attr(attempt, 'gen_ai.request.model'), 'gpt-4o-mini');
  assert.equal(attr(attempt, 'gen_ai.response.model'), data.model);
  assert.equal(attr(attempt, 'gen_ai.response.id'), data.id);
  assert.deepEqual(attr(attempt, 'gen_ai.response.finish_reasons'), ['stop']);
  assert.equal(attr(attempt, 'gen_ai.usage.input_tokens'), data.usage.prompt_tokens);
  assert.equal(attr(attempt, 'gen_ai.usage.output_tokens'), data.usage.completion_tokens);
  assert.equal(attr(attempt, 'server.address'), '127.0.0.1');
  assert.equal(attr(attempt, 'server.port'), healthyProxy.port);
  assert.equal(attr(attempt, 'strata.attempt'), 1);
  assert.equal(attr(attempt, 'strata.deployment'), 'mock-healthy');
  assert.ok(BigInt(attempt.startTimeUnixNano) >= BigInt(server.startTimeUnixNano));
  assert.ok(BigInt(attempt.endTimeUnixNano) <= BigInt(server.endTimeUnixNano));

  // The vendor was told the attempt is its parent, in the caller's trace.
  const [upstream] = upstreamRequestsSince(healthyProxy, before);
  const sent = parseTraceparent(upstream.headers.traceparent);
  assert.deepEqual(sent, { traceId: caller.traceId, spanId: attempt.spanId, flags: '01' });
  assert.equal(upstream.headers.tracestate, 'congo=t61rcWkgMzE');

  // Content is off by default: no message text leaves for the collector, and
  // neither does the API key.
  const exported = JSON.stringify(receiver.payloads);
  assert.ok(!exported.includes(PROMPT));
  assert.ok(!exported.includes(data.choices[0].message.content));
  assert.ok(!exported.includes(KEY));
  assert.equal(attr(server, 'gen_ai.input.messages'), undefined);
  assert.equal(attr(attempt, 'gen_ai.output.messages'), undefined);

  const line = await accessLine(traced, requestId);
  assert.equal(line.trace_id, caller.traceId);
  assert.equal(line.span_id, server.spanId);
  assert.deepEqual(receiver.invalid, []);
});

test('a fallback is two attempt spans, the failed one marked, each sending its own traceparent', async () => {
  const caller = newTraceparent();
  const beforeFailing = failingProxy.seen.length;
  const beforeHealthy = healthyProxy.seen.length;
  const { response } = await ask(traced, 'flaky', { traceparent: caller.header });
  assert.equal(response.headers.get('x-strata-attempts'), '2');
  const spans = await receiver.trace(caller.traceId);
  const server = spans.find((s) => s.kind === 2);
  const attempts = spans.filter((s) => s.kind === 3).sort((a, b) => attr(a, 'strata.attempt') - attr(b, 'strata.attempt'));
  assert.equal(attempts.length, 2);
  const [failed, served] = attempts;
  for (const attempt of attempts) assert.equal(attempt.parentSpanId, server.spanId);
  assert.equal(attr(failed, 'strata.attempt'), 1);
  assert.equal(attr(failed, 'strata.deployment'), 'mock-503');
  assert.equal(attr(failed, 'gen_ai.request.model'), 'gpt-4o-broken');
  assert.equal(failed.status.code, 2);
  assert.equal(attr(failed, 'error.type'), 'upstream_unavailable');
  assert.equal(attr(served, 'strata.attempt'), 2);
  assert.equal(attr(served, 'strata.deployment'), 'mock-healthy');
  assert.equal(served.status?.code ?? 0, 0);
  assert.equal(attr(served, 'error.type'), undefined);
  assert.equal(attr(server, 'strata.attempts'), 2);
  assert.equal(server.status?.code ?? 0, 0);

  const [toFailing] = upstreamRequestsSince(failingProxy, beforeFailing);
  const [toHealthy] = upstreamRequestsSince(healthyProxy, beforeHealthy);
  assert.equal(parseTraceparent(toFailing.headers.traceparent).spanId, failed.spanId);
  assert.equal(parseTraceparent(toHealthy.headers.traceparent).spanId, served.spanId);
  assert.equal(parseTraceparent(toHealthy.headers.traceparent).traceId, caller.traceId);
  assert.deepEqual(receiver.invalid, []);
});

test('a streamed request is traced, with its first token and usage', async () => {
  const caller = newTraceparent();
  const stream = await clientOf(traced).chat.completions.create(
    { model: 'fast', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: PROMPT }] },
    { headers: { traceparent: caller.header } });
  let usage;
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(text.length > 0 && usage);
  const spans = await receiver.trace(caller.traceId);
  const server = spans.find((s) => s.kind === 2);
  assert.equal(server.parentSpanId, caller.spanId);
  assert.equal(attr(server, 'strata.stream'), true);
  assert.ok((server.events ?? []).some((e) => e.name === 'strata.first_token'));
  const attempt = spans.find((s) => s.kind === 3);
  assert.equal(attempt.parentSpanId, server.spanId);
  assert.equal(attr(attempt, 'gen_ai.usage.input_tokens'), usage.prompt_tokens);
  assert.equal(attr(attempt, 'gen_ai.usage.output_tokens'), usage.completion_tokens);
  assert.equal(attr(server, 'gen_ai.usage.output_tokens'), usage.completion_tokens);
  assert.deepEqual(receiver.invalid, []);
});

test('without a traceparent the request starts a trace, and the vendor joins it', async () => {
  const before = healthyProxy.seen.length;
  const { response } = await ask(traced, 'fast', {});
  const [upstream] = upstreamRequestsSince(healthyProxy, before);
  const sent = parseTraceparent(upstream.headers.traceparent);
  const spans = await receiver.trace(sent.traceId);
  const server = spans.find((s) => s.kind === 2);
  assert.equal(server.parentSpanId, undefined);
  assert.equal(spans.find((s) => s.kind === 3).spanId, sent.spanId);
  const line = await accessLine(traced, response.headers.get('x-request-id'));
  assert.equal(line.trace_id, sent.traceId);
});

test('a traceparent sent twice counts as absent', async () => {
  const caller = newTraceparent();
  const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: PROMPT }] });
  const before = healthyProxy.seen.length;
  const { data } = await rawExchange(traced.port,
    'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
    `Authorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n` +
    `traceparent: ${caller.header}\r\ntraceparent: ${caller.header}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  assert.equal(parseRawResponse(data).status, 200);
  const [upstream] = upstreamRequestsSince(healthyProxy, before);
  const sent = parseTraceparent(upstream.headers.traceparent);
  assert.notEqual(sent.traceId, caller.traceId);
  const server = (await receiver.trace(sent.traceId)).find((s) => s.kind === 2);
  assert.equal(server.parentSpanId, undefined);
});

test('with capture_content, the prompt and the answer are on the spans', async () => {
  const caller = newTraceparent();
  const { data } = await ask(capturing, 'fast', { traceparent: caller.header });
  const spans = await contentReceiver.trace(caller.traceId);
  const server = spans.find((s) => s.kind === 2);
  const attempt = spans.find((s) => s.kind === 3);
  const input = JSON.parse(attr(server, 'gen_ai.input.messages'));
  assert.deepEqual(input, [{ role: 'user', content: PROMPT }]);
  const output = JSON.parse(attr(attempt, 'gen_ai.output.messages'));
  assert.equal(output[0].content, data.choices[0].message.content);
  assert.deepEqual(contentReceiver.invalid, []);
});

test('sample_ratio 0 exports nothing, yet the vendor still gets an unsampled traceparent', async () => {
  const before = healthyProxy.seen.length;
  const { response } = await ask(unsampled, 'fast', {});
  const [upstream] = upstreamRequestsSince(healthyProxy, before);
  const sent = parseTraceparent(upstream.headers.traceparent);
  assert.equal(sent.flags, '00');
  // The log still ties the request to the trace the vendor saw.
  const line = await accessLine(unsampled, response.headers.get('x-request-id'));
  assert.equal(line.trace_id, sent.traceId);
  // Well past max_delay (100 ms, twice that if a wake-up races): nothing came.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(silentReceiver.requests.length, 0);
});

test('an unsampled caller is followed: no export, flag 00 upstream, same trace', async () => {
  const caller = newTraceparent('00');
  const before = healthyProxy.seen.length;
  await ask(traced, 'fast', { traceparent: caller.header });
  const [upstream] = upstreamRequestsSince(healthyProxy, before);
  const sent = parseTraceparent(upstream.headers.traceparent);
  assert.equal(sent.traceId, caller.traceId);
  assert.equal(sent.flags, '00');
  assert.notEqual(sent.spanId, caller.spanId);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(receiver.spans().filter((s) => s.traceId === caller.traceId).length, 0);
});

test('with tracing off, the caller\'s trace id is logged and its traceparent passed on unchanged', async () => {
  const caller = newTraceparent();
  const before = healthyProxy.seen.length;
  const { response } = await ask(disabled, 'fast', { traceparent: caller.header, tracestate: 'a=1' });
  const [upstream] = upstreamRequestsSince(healthyProxy, before);
  assert.equal(upstream.headers.traceparent, caller.header);
  assert.equal(upstream.headers.tracestate, 'a=1');
  const line = await accessLine(disabled, response.headers.get('x-request-id'));
  assert.equal(line.trace_id, caller.traceId);
  assert.equal(line.span_id, undefined);
  // No traceparent in, none out, none logged.
  const plain = await ask(disabled, 'fast', {});
  const [second] = upstreamRequestsSince(healthyProxy, before + 1);
  assert.equal(second.headers.traceparent, undefined);
  const plainLine = await accessLine(disabled, plain.response.headers.get('x-request-id'));
  assert.equal(plainLine.trace_id, undefined);
});

test('the exporter posts OTLP JSON to /v1/traces', () => {
  assert.ok(receiver.requests.length > 0);
  for (const request of receiver.requests) {
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/traces');
    assert.match(request.headers['content-type'], /^application\/json/);
  }
  const resource = receiver.payloads[0].resourceSpans[0].resource;
  assert.ok(resource.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === 'strata'));
  assert.deepEqual(receiver.invalid, []);
});

test('strata config check accepts a tracing section and refuses a mistake in it with its line', () => {
  const check = (yaml) => {
    const file = writeConfig(tempDir(), yaml);
    return { ...spawnSync(STRATA_BIN, ['config', 'check', file], { encoding: 'utf8' }), file };
  };
  const good = check('tracing:\n  enabled: true\n  endpoint: http://127.0.0.1:4318\n  sample_ratio: 0.5\n' +
    '  headers: {authorization: "Bearer t"}\n  batch: {max_size: 10, max_delay: 1s, queue_size: 20}\n');
  assert.equal(good.status, 0, good.stderr);
  const bad = check('tracing:\n  enabled: true\n  sample_ratoi: 0.5\n');
  assert.notEqual(bad.status, 0);
  assert.ok(bad.stderr.includes(`${bad.file}:3: unknown key 'sample_ratoi' in 'tracing'; did you mean 'sample_ratio'?`),
    bad.stderr);
});
