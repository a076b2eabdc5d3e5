// `strata serve` with no config: strata-demo always, vendors from the
// environment, and a local OpenAI-compatible server found on its usual port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import OpenAI from 'openai';
import { startProcess, startStrata } from './harness.mjs';

const OLLAMA_PORT = 11434;

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true))).listen(port, '127.0.0.1');
  });
}

async function modelIds(url) {
  const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/v1`, maxRetries: 0 });
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  return { client, ids };
}

test('a newcomer with no keys gets strata-demo, streamed and not', async () => {
  const strata = await startStrata({ env: { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });
  try {
    const { client, ids } = await modelIds(strata.url);
    assert.ok(ids.includes('strata-demo'));
    const completion = await client.chat.completions.create({
      model: 'strata-demo', messages: [{ role: 'user', content: 'Hello Strata' }] });
    assert.match(completion.choices[0].message.content, /strata-demo.*You said: "Hello Strata"/s);
    let text = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'strata-demo', messages: [{ role: 'user', content: 'Hello Strata' }], stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    assert.equal(text, completion.choices[0].message.content);
  } finally {
    await strata.stop();
  }
});

test('vendor keys in the environment enable those vendors\' models', async () => {
  const strata = await startStrata({ env: { OPENAI_API_KEY: 'sk-test-not-real', ANTHROPIC_API_KEY: 'sk-ant-not-real' } });
  try {
    const { ids } = await modelIds(strata.url);
    for (const id of ['openai/*', 'gpt-*', 'anthropic/*', 'claude-*', 'strata-demo']) assert.ok(ids.includes(id), id);
    assert.ok(!strata.rawStderr.some((line) => line.includes('sk-test-not-real')), 'keys never logged');
  } finally {
    await strata.stop();
  }
});

test('a local server answering on Ollama\'s port is found and served', async (t) => {
  if (!(await portIsFree(OLLAMA_PORT))) {
    t.skip(`port ${OLLAMA_PORT} is in use on this machine`);
    return;
  }
  const ollama = await startProcess(['mock-llm', '--port', String(OLLAMA_PORT), '--workers', '1'], { name: 'mock-llm' });
  const strata = await startStrata({ env: { OPENAI_API_KEY: '' } });
  try {
    assert.ok(strata.logs.some((l) => l.msg === 'local model server found' && l.vendor === 'ollama'));
    const { client, ids } = await modelIds(strata.url);
    assert.ok(ids.includes('ollama/*'));
    const { data, response } = await client.chat.completions.create({
      model: 'ollama/llama3.2', messages: [{ role: 'user', content: 'local?' }] }).withResponse();
    assert.equal(data.choices[0].message.content, 'Mock reply to: local?');
    assert.equal(data.model, 'llama3.2', 'the pattern passes the model name through');
    assert.equal(response.headers.get('x-strata-deployment'), 'ollama/*');
  } finally {
    await Promise.all([strata.stop(), ollama.stop()]);
  }
});
