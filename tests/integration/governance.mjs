// Helpers for tests of tenants, keys, roles, limits and the admin API: a
// Strata in front of mock-llm with a platform admin key minted by the real CLI,
// an admin client that validates every answer against the live /openapi.json.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { STRATA_BIN, startMockLlm, startStrata } from './harness.mjs';

// `strata <args>` against a server's data directory; returns stdout.
export function cli(server, args) {
  return execFileSync(STRATA_BIN, [...args, '--data-dir', path.join(server.dir, 'data')], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function modelsConfig(mock) {
  return [
    'models:',
    '  - name: gpt-4o-mini',
    `    deployments: [{provider: openai-compatible, base_url: "${mock.url}/v1", model: gpt-4o-mini}]`,
    '  - name: gpt-4o',
    `    deployments: [{provider: openai-compatible, base_url: "${mock.url}/v1", model: gpt-4o}]`,
  ].join('\n');
}

// A server with a platform admin key. `config` lines are appended to the models.
export async function startGoverned({ config = '', refresh = '100ms', mock } = {}) {
  const ownMock = mock === undefined;
  mock ??= await startMockLlm();
  const server = await startStrata({
    config: `${modelsConfig(mock)}\nauth: {refresh_interval: ${refresh}}\n${config}`,
  });
  const adminKey = cli(server, ['keys', 'create', '--platform', '--role', 'admin', '--name', 'bootstrap']).trim();
  const openapi = await (await fetch(`${server.url}/openapi.json`)).json();
  const stop = async () => { await server.stop(); if (ownMock) await mock.stop(); };
  return { server, mock, adminKey, admin: adminClient(server, adminKey, openapi), openapi, stop };
}

// Compiles each operation's success schema once.
function responseValidators(openapi) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'strata', components: openapi.components }, 'strata');
  const rewrite = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"strata#/components/'));
  const validators = new Map();
  for (const [route, methods] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) validators.set(`${method} ${route} ${status}`, ajv.compile(rewrite(schema)));
      }
    }
  }
  return validators;
}

// The route pattern of a concrete admin path: /admin/v1/tenants/ten_1/keys -> /admin/v1/tenants/{tenant_id}/keys.
export function routeOf(openapi, method, urlPath) {
  const segments = urlPath.split('?')[0].split('/');
  for (const [route, methods] of Object.entries(openapi.paths)) {
    if (!methods[method]) continue;
    const pattern = route.split('/');
    if (pattern.length === segments.length &&
        pattern.every((part, i) => part.startsWith('{') || part === segments[i])) return route;
  }
  return undefined;
}

// fetch() for the admin API with a key; every answer is checked against the
// document: the operation's success schema, or the error envelope.
export function adminClient(server, key, openapi) {
  const validators = responseValidators(openapi);
  async function call(method, urlPath, body, { key: otherKey, raw } = {}) {
    const response = await fetch(`${server.url}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${otherKey ?? key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : (raw ? body : JSON.stringify(body)),
    });
    const text = await response.text();
    let json;
    try { json = JSON.parse(text); } catch { throw new Error(`${method} ${urlPath}: not JSON: ${text}`); }
    const route = routeOf(openapi, method.toLowerCase(), urlPath);
    if (!route) throw new Error(`${method} ${urlPath} is not in /openapi.json`);
    const validate = validators.get(`${method.toLowerCase()} ${route} ${response.status}`) ??
      validators.get(`${method.toLowerCase()} ${route} default`);
    if (!validate(json)) {
      throw new Error(`${method} ${urlPath} ${response.status} does not match /openapi.json: ` +
        `${JSON.stringify(validate.errors)}\n${text}`);
    }
    return { status: response.status, body: json, headers: response.headers };
  }
  return {
    call,
    get: (p, o) => call('GET', p, undefined, o),
    post: (p, b, o) => call('POST', p, b, o),
    put: (p, b, o) => call('PUT', p, b, o),
    patch: (p, b, o) => call('PATCH', p, b, o),
    delete: (p, o) => call('DELETE', p, undefined, o),
  };
}

// Polls until `check` returns true (a refresh is asynchronous), or fails after `ms`.
export async function eventually(check, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
