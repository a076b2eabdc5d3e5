// The Gemini provider, end to end through the official SDKs:
//   openai            → Strata → Gemini provider (translated)                 → mock-llm /v1beta/models/…
//   @anthropic-ai/sdk → Strata → messages→chat → Gemini provider (translated) → mock-llm /v1beta/models/…
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockLlm, startStrata } from './harness.mjs';

const KEY = 'sk-strata-gemini-test';
let mock, cutting, strata, anthropic, openai;

before(async () => {
  [mock, cutting] = await Promise.all([startMockLlm(), startMockLlm(['--fault', 'disconnect:2'])]);
  strata = await startStrata({
    config: [
      'auth:',
      `  api_keys: [${KEY}]`,
      'models:',
      '  - name: flash',
      '    deployments:',
      `      - {provider: gemini, base_url: "${mock.url}", api_key: vendor-key, model: gemini-2.5-flash}`,
      '  - name: flash-cut',
      '    deployments:',
      `      - {provider: gemini, base_url: "${cutting.url}", api_key: vendor-key, model: gemini-2.5-flash}`,
    ].join('\n'),
  });
  openai = new OpenAI({ apiKey: KEY, baseURL: `${strata.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: KEY, baseURL: strata.url, maxRetries: 0 });
});
after(async () => { await Promise.all([strata?.stop(), mock?.stop(), cutting?.stop()]); });

const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'],
  additionalProperties: false };
const tools = [{ type: 'function', function: { name: 'lookup', description: 'Find things', parameters } }];

test('openai SDK → Gemini: a chat completion', async () => {
  const { data, response } = await openai.chat.completions.create({
    model: 'flash', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
  }).withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.equal(data.model, 'gemini-2.5-flash');
  assert.equal(data.choices[0].message.role, 'assistant');
  assert.equal(data.choices[0].message.content, 'Mock reply to: Hello');
  assert.equal(data.choices[0].finish_reason, 'stop');
  // "Be brief." + "Hello" = 14 bytes → 4 tokens; the reply 20 bytes → 5.
  assert.equal(data.usage.prompt_tokens, 4);
  assert.equal(data.usage.completion_tokens, 5);
  assert.equal(data.usage.total_tokens, 9);
  assert.equal(response.headers.get('x-strata-deployment'), 'gemini/gemini-2.5-flash');
  assert.ok(Number(response.headers.get('x-strata-cost-usd')) > 0);
});

test('openai SDK → Gemini: a stream with usage', async () => {
  let text = '';
  let usage;
  let finish;
  let role;
  for await (const chunk of await openai.chat.completions.create({
    model: 'flash', messages: [{ role: 'user', content: 'Stream it' }], stream: true,
    stream_options: { include_usage: true },
  })) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    role ??= chunk.choices[0]?.delta?.role;
    text += chunk.choices[0]?.delta?.content ?? '';
    finish ??= chunk.choices[0]?.finish_reason ?? undefined;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(role, 'assistant');
  assert.equal(text, 'Mock reply to: Stream it');
  assert.equal(finish, 'stop');
  assert.equal(usage.prompt_tokens, 3);
  assert.equal(usage.completion_tokens, 6);

  // The SDK's own accumulator assembles the same message.
  const final = await openai.chat.completions.stream({
    model: 'flash', messages: [{ role: 'user', content: 'Stream it' }],
  }).finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'Mock reply to: Stream it');
});

test('openai SDK → Gemini: tools give a tool call, then the tool result a text answer', async () => {
  const first = await openai.chat.completions.create({
    model: 'flash', messages: [{ role: 'user', content: 'look it up' }], tools,
  });
  const message = first.choices[0].message;
  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  assert.equal(message.content, null);
  assert.equal(message.tool_calls.length, 1);
  assert.equal(message.tool_calls[0].id, 'call_0');
  assert.equal(message.tool_calls[0].function.name, 'lookup');
  assert.deepEqual(JSON.parse(message.tool_calls[0].function.arguments), { q: 'mock' });

  const second = await openai.chat.completions.create({
    model: 'flash', tools,
    messages: [{ role: 'user', content: 'look it up' }, message,
      { role: 'tool', tool_call_id: message.tool_calls[0].id, content: 'found: 42' }],
  });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.equal(second.choices[0].message.content, 'Mock reply to: look it up');
});

test('openai SDK → Gemini: tools streamed, raw and through the SDK accumulator', async () => {
  let args = '';
  let name;
  let id;
  let finish;
  for await (const chunk of await openai.chat.completions.create({
    model: 'flash', messages: [{ role: 'user', content: 'x' }], tools, tool_choice: 'required', stream: true,
  })) {
    const delta = chunk.choices[0]?.delta?.tool_calls?.[0];
    if (delta?.function?.name) name = delta.function.name;
    if (delta?.id) id = delta.id;
    args += delta?.function?.arguments ?? '';
    finish ??= chunk.choices[0]?.finish_reason ?? undefined;
  }
  assert.equal(name, 'lookup');
  assert.equal(id, 'call_0');
  assert.deepEqual(JSON.parse(args), { q: 'mock' });
  assert.equal(finish, 'tool_calls');

  const final = await openai.chat.completions.stream({
    model: 'flash', messages: [{ role: 'user', content: 'x' }], tools,
    tool_choice: { type: 'function', function: { name: 'lookup' } },
  }).finalChatCompletion();
  const call = final.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'lookup');
  assert.deepEqual(JSON.parse(call.function.arguments), { q: 'mock' });
});

test('openai SDK → Gemini: n, response_format and sampling settings are carried', async () => {
  const completion = await openai.chat.completions.create({
    model: 'flash', n: 2, temperature: 0.2, top_p: 0.9, seed: 7, max_completion_tokens: 50, stop: ['END'],
    messages: [{ role: 'user', content: 'Who?' }],
    response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: {
      type: 'object', additionalProperties: false, required: ['name', 'born'],
      properties: { name: { type: 'string' }, born: { type: 'integer', minimum: 1815 } } } } },
  });
  assert.equal(completion.choices.length, 2);
  assert.deepEqual(completion.choices.map((c) => c.index), [0, 1]);
  for (const choice of completion.choices) {
    assert.deepEqual(JSON.parse(choice.message.content), { name: 'mock', born: 1815 });
  }
});

test('openai SDK → Gemini: reasoning_effort thinks, counted as reasoning tokens, and signs tool calls', async () => {
  const thinking = await openai.chat.completions.create({
    model: 'flash', reasoning_effort: 'low', messages: [{ role: 'user', content: 'hey' }],
  });
  // The mock "thinks" "Mock thoughts about: hey" (24 bytes → 6 tokens) and answers 18 bytes (5 tokens).
  assert.equal(thinking.usage.completion_tokens_details.reasoning_tokens, 6);
  assert.equal(thinking.usage.completion_tokens, 11);
  const plain = await openai.chat.completions.create({
    model: 'flash', reasoning_effort: 'none', messages: [{ role: 'user', content: 'hey' }],
  });
  assert.equal(plain.usage.completion_tokens_details.reasoning_tokens, 0);

  // Gemini signs a thinking turn's calls; the signature rides on the tool call
  // (Google's extra_content convention) so the client sends it back unchanged.
  const called = await openai.chat.completions.create({
    model: 'flash', reasoning_effort: 'low', tools, messages: [{ role: 'user', content: 'look it up' }],
  });
  const call = called.choices[0].message.tool_calls[0];
  assert.match(call.extra_content.google.thought_signature, /^[A-Za-z0-9+/]{24}$/);
  const answered = await openai.chat.completions.create({
    model: 'flash', reasoning_effort: 'low', tools,
    messages: [{ role: 'user', content: 'look it up' }, called.choices[0].message,
      { role: 'tool', tool_call_id: call.id, content: '{"answer": 42}' }],
  });
  assert.equal(answered.choices[0].message.content, 'Mock reply to: look it up');

  // The mock checks signatures as Gemini 3 does: a tampered one is refused, so
  // the one above really travelled; a client that dropped it is let through.
  const tampered = structuredClone(called.choices[0].message);
  tampered.tool_calls[0].extra_content.google.thought_signature = 'tampered';
  await assert.rejects(openai.chat.completions.create({
    model: 'flash', reasoning_effort: 'low', tools,
    messages: [{ role: 'user', content: 'look it up' }, tampered, { role: 'tool', tool_call_id: call.id, content: '1' }],
  }), (error) => error instanceof OpenAI.BadRequestError && /Corrupted thought signature/.test(error.message));
  const dropped = structuredClone(called.choices[0].message);
  delete dropped.tool_calls[0].extra_content;
  const recovered = await openai.chat.completions.create({
    model: 'flash', reasoning_effort: 'low', tools,
    messages: [{ role: 'user', content: 'look it up' }, dropped, { role: 'tool', tool_call_id: call.id, content: '1' }],
  });
  assert.equal(recovered.choices[0].finish_reason, 'stop');
});

test('openai SDK → Gemini: what cannot be translated is a 400 naming the parameter', async () => {
  await assert.rejects(
    openai.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: 'x' }],
      logit_bias: { 50256: -100 } }),
    (error) => error instanceof OpenAI.BadRequestError && error.param === 'logit_bias');
});

test('openai SDK → Gemini: a stream cut upstream ends with an error the SDK raises', async () => {
  const stream = await openai.chat.completions.create({
    model: 'flash-cut', messages: [{ role: 'user', content: 'a long enough prompt to cut' }], stream: true,
  });
  await assert.rejects(async () => { for await (const chunk of stream) void chunk; });
});

test('anthropic SDK → Gemini: a message', async () => {
  const { data, response } = await anthropic.messages.create({
    model: 'flash', max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi there' }],
  }).withResponse();
  assert.equal(data.type, 'message');
  assert.equal(data.content[0].type, 'text');
  assert.equal(data.content[0].text, 'Mock reply to: Hi there');
  assert.equal(data.stop_reason, 'end_turn');
  assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
  assert.equal(response.headers.get('x-strata-deployment'), 'gemini/gemini-2.5-flash');
});

test('anthropic SDK → Gemini: a streamed message with every event type', async () => {
  const stream = anthropic.messages.stream({
    model: 'flash', max_tokens: 200, messages: [{ role: 'user', content: 'Stream please' }],
  });
  const types = new Set();
  stream.on('streamEvent', (event) => types.add(event.type));
  const final = await stream.finalMessage();
  assert.equal(final.content[0].text, 'Mock reply to: Stream please');
  for (const type of ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop',
    'message_delta', 'message_stop']) assert.ok(types.has(type), type);
  assert.ok(final.usage.output_tokens > 0);
});

test('anthropic SDK → Gemini: tools give a tool_use block, streamed or not, and a loop ends in text', async () => {
  const anthropicTools = [{ name: 'lookup', description: 'Find things', input_schema: parameters }];
  const message = await anthropic.messages.create({
    model: 'flash', max_tokens: 200, tools: anthropicTools, messages: [{ role: 'user', content: 'look it up' }],
  });
  const block = message.content.find((b) => b.type === 'tool_use');
  assert.equal(block.name, 'lookup');
  assert.deepEqual(block.input, { q: 'mock' });
  assert.equal(message.stop_reason, 'tool_use');

  const streamed = await anthropic.messages.stream({
    model: 'flash', max_tokens: 200, tools: anthropicTools, messages: [{ role: 'user', content: 'look it up' }],
  }).finalMessage();
  assert.deepEqual(streamed.content.find((b) => b.type === 'tool_use').input, { q: 'mock' });

  const answer = await anthropic.messages.create({
    model: 'flash', max_tokens: 200, tools: anthropicTools,
    messages: [{ role: 'user', content: 'look it up' }, { role: 'assistant', content: message.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: 'found: 42' }] }],
  });
  assert.equal(answer.stop_reason, 'end_turn');
  assert.equal(answer.content[0].text, 'Mock reply to: look it up');
});
