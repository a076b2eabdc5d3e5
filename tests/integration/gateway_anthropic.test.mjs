// Every translation path, end to end through the official SDKs:
//   @anthropic-ai/sdk → Strata → Anthropic provider (native)      → mock-llm /v1/messages
//   @anthropic-ai/sdk → Strata → OpenAI-compatible (translated)   → mock-llm /v1/chat/completions
//   openai            → Strata → Anthropic provider (translated)  → mock-llm /v1/messages
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockLlm, startStrata } from './harness.mjs';

const KEY = 'sk-strata-anthropic-test';
let mock, cutting, strata, anthropic, openai;

before(async () => {
  [mock, cutting] = await Promise.all([startMockLlm(), startMockLlm(['--fault', 'disconnect:3'])]);
  strata = await startStrata({
    config: [
      'auth:',
      `  api_keys: [${KEY}]`,
      'models:',
      '  - name: claude-native',
      '    deployments:',
      `      - {provider: anthropic, base_url: "${mock.url}", api_key: vendor-key, model: claude-sonnet-4-5}`,
      '  - name: via-openai',
      '    deployments:',
      `      - {provider: openai-compatible, base_url: "${mock.url}/v1", model: gpt-4o-mini}`,
      '  - name: claude-cut',
      '    deployments:',
      `      - {provider: anthropic, base_url: "${cutting.url}", api_key: vendor-key, model: claude-sonnet-4-5}`,
    ].join('\n'),
  });
  anthropic = new Anthropic({ apiKey: KEY, baseURL: strata.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: KEY, baseURL: `${strata.url}/v1`, maxRetries: 0 });
});
after(async () => { await Promise.all([strata?.stop(), mock?.stop(), cutting?.stop()]); });

const tools = [{ name: 'lookup', description: 'Find things',
  input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];

for (const model of ['claude-native', 'via-openai']) {
  test(`anthropic SDK → ${model}: a message`, async () => {
    const { data, response } = await anthropic.messages.create({
      model, max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi there' }],
    }).withResponse();
    assert.equal(data.type, 'message');
    assert.equal(data.content[0].type, 'text');
    assert.equal(data.content[0].text, 'Mock reply to: Hi there');
    assert.equal(data.stop_reason, 'end_turn');
    assert.ok(data.usage.output_tokens > 0);
    assert.ok(response.headers.get('x-strata-deployment'));
  });

  test(`anthropic SDK → ${model}: a streamed message with every event type`, async () => {
    const stream = anthropic.messages.stream({
      model, max_tokens: 200, messages: [{ role: 'user', content: 'Stream please' }],
    });
    const types = new Set();
    stream.on('streamEvent', (event) => types.add(event.type));
    const final = await stream.finalMessage();
    assert.equal(final.content[0].text, 'Mock reply to: Stream please');
    for (const type of ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop',
      'message_delta', 'message_stop']) assert.ok(types.has(type), `${type} for ${model}`);
    assert.ok(final.usage.output_tokens > 0);
  });

  test(`anthropic SDK → ${model}: tools give a tool_use block, streamed or not`, async () => {
    const message = await anthropic.messages.create({
      model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'look it up' }],
    });
    const block = message.content.find((b) => b.type === 'tool_use');
    assert.equal(block.name, 'lookup');
    assert.deepEqual(block.input, { q: 'mock' });
    assert.equal(message.stop_reason, 'tool_use');
    const streamed = await anthropic.messages.stream({
      model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'look it up' }],
    }).finalMessage();
    assert.deepEqual(streamed.content.find((b) => b.type === 'tool_use').input, { q: 'mock' });
  });
}

test('openai SDK → Anthropic provider: chat, stream and tools are translated', async () => {
  const completion = await openai.chat.completions.create({
    model: 'claude-native', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0].message.content, 'Mock reply to: Hello');
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);

  let text = '';
  let usage;
  for await (const chunk of await openai.chat.completions.create({
    model: 'claude-native', messages: [{ role: 'user', content: 'Stream it' }], stream: true,
    stream_options: { include_usage: true },
  })) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'Mock reply to: Stream it');
  assert.ok(usage?.completion_tokens > 0);

  const withTools = await openai.chat.completions.create({
    model: 'claude-native', messages: [{ role: 'user', content: 'x' }],
    tools: [{ type: 'function', function: { name: 'lookup', parameters: tools[0].input_schema } }],
  });
  const call = withTools.choices[0].message.tool_calls[0];
  assert.equal(withTools.choices[0].finish_reason, 'tool_calls');
  assert.deepEqual(JSON.parse(call.function.arguments), { q: 'mock' });

  const stream = await openai.chat.completions.create({
    model: 'claude-native', messages: [{ role: 'user', content: 'x' }], stream: true,
    tools: [{ type: 'function', function: { name: 'lookup', parameters: tools[0].input_schema } }],
  });
  let args = '';
  let name;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.tool_calls?.[0];
    if (delta?.function?.name) name = delta.function.name;
    args += delta?.function?.arguments ?? '';
  }
  assert.equal(name, 'lookup');
  assert.deepEqual(JSON.parse(args), { q: 'mock' });
});

test('anthropic SDK: errors arrive in the Anthropic envelope as typed errors', async () => {
  const stranger = new Anthropic({ apiKey: 'wrong', baseURL: strata.url, maxRetries: 0 });
  await assert.rejects(stranger.messages.create({ model: 'claude-native', max_tokens: 10,
    messages: [{ role: 'user', content: 'x' }] }), Anthropic.AuthenticationError);
  await assert.rejects(anthropic.messages.create({ model: 'nope', max_tokens: 10,
    messages: [{ role: 'user', content: 'x' }] }), Anthropic.NotFoundError);
  const response = await fetch(`${strata.url}/v1/messages`, {
    method: 'POST', headers: { 'x-api-key': KEY }, body: '{"model":"claude-native","messages":[]}' });
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'invalid_request_error');
});

test('anthropic SDK: a stream cut upstream ends with an error the SDK raises', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-cut', max_tokens: 200, messages: [{ role: 'user', content: 'a long enough prompt' }],
  });
  await assert.rejects(stream.finalMessage());
});

test('count_tokens estimates without calling a vendor', async () => {
  const counted = await anthropic.messages.countTokens({
    model: 'claude-native', messages: [{ role: 'user', content: 'How many tokens is this sentence?' }],
  });
  assert.ok(counted.input_tokens > 5 && counted.input_tokens < 30, String(counted.input_tokens));
});
