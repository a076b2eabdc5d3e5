// `strata mock-llm` spoken to by the official OpenAI and Anthropic SDKs: it
// must be wire-compatible, deterministic, and fail the way vendors fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startMockLlm, rawExchange } from './harness.mjs';

let mock;
let openai;
let anthropic;
before(async () => {
  mock = await startMockLlm();
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
});
after(async () => { await mock?.stop(); });

test('openai: a chat completion answers deterministically with usage', async () => {
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] };
  const first = await openai.chat.completions.create(request);
  const second = await openai.chat.completions.create(request);
  assert.equal(first.object, 'chat.completion');
  assert.equal(first.model, 'gpt-4o-mini');
  assert.equal(first.choices[0].message.role, 'assistant');
  assert.equal(first.choices[0].message.content, 'Mock reply to: Hello there');
  assert.equal(first.choices[0].finish_reason, 'stop');
  assert.equal(second.choices[0].message.content, first.choices[0].message.content);
  assert.ok(first.usage.prompt_tokens > 0);
  assert.equal(first.usage.total_tokens, first.usage.prompt_tokens + first.usage.completion_tokens);
});

test('openai: a streamed completion concatenates to the same text and reports usage', async () => {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Stream me' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let chunks = 0;
  let usage;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.choices[0]?.delta?.content) { text += chunk.choices[0].delta.content; chunks++; }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'Mock reply to: Stream me');
  assert.ok(chunks > 1, 'text arrived in several chunks');
  assert.ok(usage?.completion_tokens > 0);
});

test('openai: tools produce a tool call with schema-valid arguments', async () => {
  const completion = await openai.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [{
      type: 'function',
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 3 } } },
      },
    }],
  });
  const call = completion.choices[0].message.tool_calls[0];
  assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock', days: 3 });
});

test('openai: embeddings are deterministic unit vectors, float and base64', async () => {
  const floats = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
  assert.equal(floats.data.length, 2);
  const vector = floats.data[0].embedding;
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3);
  // The SDK decodes base64 itself: the same input must give the same vector.
  const decoded = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'a' });
  decoded.data[0].embedding.forEach((x, i) => assert.ok(Math.abs(x - vector[i]) < 1e-6));
  assert.notDeepEqual(floats.data[1].embedding, vector);
});

test('openai: models are listed and retrievable', async () => {
  const models = [];
  for await (const model of openai.models.list()) models.push(model.id);
  assert.ok(models.includes('gpt-4o-mini'));
  const model = await openai.models.retrieve('gpt-4o-mini');
  assert.equal(model.id, 'gpt-4o-mini');
});

test('openai: injected faults surface as the SDK\'s typed errors', async () => {
  const ask = (fault) => openai.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
    { headers: { 'x-mock-fault': fault } });
  await assert.rejects(ask('status:429'), (error) => error instanceof OpenAI.RateLimitError && error.status === 429);
  await assert.rejects(ask('status:500'), (error) => error instanceof OpenAI.InternalServerError);
  await assert.rejects(ask('status:503'), (error) => error.status === 503);
  await assert.rejects(ask('reset'), (error) => error instanceof OpenAI.APIConnectionError);
});

test('openai: a 429 carries Retry-After', async () => {
  const response = await fetch(`${mock.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-fault': 'status:429', 'x-mock-retry-after': '7' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
  });
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '7');
  assert.equal((await response.json()).error.code, 'rate_limit_exceeded');  // OpenAI's own 429 body
});

test('openai: a stream cut mid-way fails the SDK iteration', async () => {
  const stream = await openai.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long enough prompt to stream' }], stream: true },
    { headers: { 'x-mock-fault': 'disconnect:2' } });
  await assert.rejects(async () => { for await (const chunk of stream) void chunk; });
});

test('anthropic: a message answers with content blocks and usage', async () => {
  const message = await anthropic.messages.create({
    model: 'claude-sonnet-4-5', max_tokens: 256, system: 'Be brief.',
    messages: [{ role: 'user', content: 'Hi Claude' }],
  });
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.content[0].type, 'text');
  assert.equal(message.content[0].text, 'Mock reply to: Hi Claude');
  assert.equal(message.stop_reason, 'end_turn');
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
});

test('anthropic: a streamed message sends every event type in order', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Stream please' }],
  });
  const types = [];
  stream.on('streamEvent', (event) => types.push(event.type));
  const final = await stream.finalMessage();
  assert.equal(final.content[0].text, 'Mock reply to: Stream please');
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  for (const type of ['content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta']) {
    assert.ok(types.includes(type), `${type} seen`);
  }
});

test('anthropic: tools produce a tool_use block, streamed as input_json deltas', async () => {
  const tools = [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }];
  const message = await anthropic.messages.create({
    model: 'claude-sonnet-4-5', max_tokens: 256, tools, messages: [{ role: 'user', content: 'find it' }],
  });
  const block = message.content.find((b) => b.type === 'tool_use');
  assert.equal(block.name, 'lookup');
  assert.deepEqual(block.input, { q: 'mock' });
  assert.equal(message.stop_reason, 'tool_use');
  const streamed = await anthropic.messages.stream({
    model: 'claude-sonnet-4-5', max_tokens: 256, tools, messages: [{ role: 'user', content: 'find it' }],
  }).finalMessage();
  assert.deepEqual(streamed.content.find((b) => b.type === 'tool_use').input, { q: 'mock' });
});

test('anthropic: errors use the Anthropic envelope', async () => {
  await assert.rejects(
    anthropic.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      { headers: { 'x-mock-fault': 'status:429' } }),
    (error) => error instanceof Anthropic.RateLimitError);
  const response = await fetch(`${mock.url}/v1/messages`, { method: 'POST', body: '{not json' });
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'invalid_request_error');
});

test('SIGTERM lets an in-flight slow request finish before exiting', async () => {
  const slow = await startMockLlm();
  const pending = fetch(`${slow.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-latency-ms': '600' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'wait' }] }),
  });
  await new Promise((r) => setTimeout(r, 150));
  const exited = slow.stop('SIGTERM');
  const response = await pending;
  assert.equal(response.status, 200);
  assert.equal((await response.json()).choices[0].message.content, 'Mock reply to: wait');
  assert.equal((await exited).code, 0);
  // and it no longer accepts
  const { closed, data } = await rawExchange(slow.port, 'GET /v1/models HTTP/1.1\r\n\r\n', { timeoutMs: 500 });
  assert.ok(closed && data === '');
});
