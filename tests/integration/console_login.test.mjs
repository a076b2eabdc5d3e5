// Console sign-in end to end: local accounts (argon2id passwords) and OpenID
// Connect against a fake identity provider (discovery, JWKS, a token endpoint
// that checks PKCE and the client's secret, RS256 ID tokens, key rotation);
// the session cookie accepted by the admin API with CSRF protection, tenant
// isolation, roles, logout; and no secret in the logs or in clear in the
// database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { execFileSync } from 'node:child_process';
import { STRATA_BIN } from './harness.mjs';
import { routeOf, startGoverned } from './governance.mjs';

const CLIENT_ID = 'strata-console';
const CLIENT_SECRET = 'client-secret-for-tests-9f3a';
// Not served at this address: the test plays the browser and carries the
// callback to the server's real URL. The issuer and Strata only compare it.
const REDIRECT_URI = 'http://127.0.0.1/auth/oidc/callback';
const PASSWORD = 'correct horse battery staple';

// --- a fake OpenID Connect issuer ---------------------------------------------

function newSigningKey(kid) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

function startFakeIdp() {
  const idp = {
    keys: [newSigningKey('k1')],  // the first signs; all are published
    user: null,                   // who "signs in" at /authorize next
    deny: false,                  // answer the next /authorize with error=access_denied
    codes: new Map(),
    counts: { discovery: 0, jwks: 0, token: 0, authorize: 0 },
    secrets: [],                  // codes and tokens issued, for the log check
  };
  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, idp.issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      idp.counts.discovery++;
      return json(res, 200, {
        issuer: idp.issuer, authorization_endpoint: `${idp.issuer}/authorize`, token_endpoint: `${idp.issuer}/token`,
        jwks_uri: `${idp.issuer}/jwks`, end_session_endpoint: `${idp.issuer}/logout`,
        response_types_supported: ['code'], id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') {
      idp.counts.jwks++;
      return json(res, 200, { keys: idp.keys.map((k) => k.jwk) }, { 'cache-control': 'max-age=3600' });
    }
    if (url.pathname === '/authorize') {
      idp.counts.authorize++;
      const q = url.searchParams;
      const back = new URL(q.get('redirect_uri'));
      back.searchParams.set('state', q.get('state'));
      if (idp.deny) {
        idp.deny = false;
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'user said <no> \r\n injected');
      } else {
        assert.equal(q.get('response_type'), 'code');
        assert.equal(q.get('client_id'), CLIENT_ID);
        assert.equal(q.get('code_challenge_method'), 'S256');
        const code = crypto.randomBytes(24).toString('base64url');
        idp.codes.set(code, { redirect_uri: q.get('redirect_uri'), nonce: q.get('nonce'),
          challenge: q.get('code_challenge'), user: idp.user });
        idp.secrets.push(code);
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      idp.counts.token++;
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`)
        .toString('base64')}`;
      if (req.headers.authorization !== basic) return json(res, 401, { error: 'invalid_client' });
      const grant = idp.codes.get(form.get('code'));
      idp.codes.delete(form.get('code'));  // one use
      if (form.get('grant_type') !== 'authorization_code' || !grant || grant.redirect_uri !== form.get('redirect_uri')) {
        return json(res, 400, { error: 'invalid_grant' });
      }
      const challenge = crypto.createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (challenge !== grant.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
      const now = Math.floor(Date.now() / 1000);
      const key = idp.keys[0];
      const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
      const payload = { iss: idp.issuer, aud: CLIENT_ID, iat: now, exp: now + 300, nonce: grant.nonce, ...grant.user };
      const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.` +
        `${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const idToken = `${input}.${crypto.sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
      const accessToken = crypto.randomBytes(24).toString('base64url');
      idp.secrets.push(idToken, accessToken);
      return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(res, 404, { error: 'not_found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    idp.issuer = `http://127.0.0.1:${server.address().port}`;
    idp.close = () => new Promise((done) => { server.closeAllConnections(); server.close(done); });
    resolve(idp);
  }));
}

// --- a browser: a cookie jar and a client that checks answers against /openapi.json --

let strata, idp, validators;
const secrets = [CLIENT_SECRET, PASSWORD];  // must never reach the logs
const tenants = {};

function compileValidators(openapi) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'strata', components: openapi.components }, 'strata');
  const rewrite = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"strata#/components/'));
  const out = new Map();
  for (const [route, methods] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) out.set(`${method} ${route} ${status}`, ajv.compile(rewrite(schema)));
      }
    }
  }
  return out;
}

class Browser {
  constructor() { this.cookies = new Map(); this.csrf = undefined; }

  cookieHeader(urlPath) {
    const parts = [];
    for (const [name, { value, path: cookiePath }] of this.cookies) {
      if (urlPath.startsWith(cookiePath)) parts.push(`${name}=${value}`);
    }
    return parts.join('; ');
  }

  remember(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const attrs = Object.fromEntries(attributes.map((a) => {
        const [k, v] = a.split('=');
        return [k.toLowerCase(), v ?? true];
      }));
      if (value === '' || attrs['max-age'] === '0') this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attrs.path ?? '/', attrs, line });
    }
  }

  // fetch() without following redirects; JSON answers are checked against the document.
  async call(method, urlPath, { body, headers = {}, csrf = true, raw } = {}) {
    const cookie = this.cookieHeader(urlPath.split('?')[0]);
    const response = await fetch(new URL(urlPath, strata.server.url), {
      method, redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(csrf && this.csrf && !['GET', 'HEAD'].includes(method) ? { 'x-strata-csrf': this.csrf } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : (raw ? body : JSON.stringify(body)),
    });
    this.remember(response);
    const text = await response.text();
    let json;
    if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
      json = JSON.parse(text);
      const route = routeOf(strata.openapi, method.toLowerCase(), urlPath);
      assert.ok(route, `${method} ${urlPath} is not in /openapi.json`);
      const validate = validators.get(`${method.toLowerCase()} ${route} ${response.status}`) ??
        validators.get(`${method.toLowerCase()} ${route} default`);
      assert.ok(validate(json), `${method} ${urlPath} ${response.status} does not match /openapi.json: ` +
        `${JSON.stringify(validate.errors)}\n${text}`);
    }
    return { status: response.status, body: json, text, headers: response.headers };
  }

  async login(email, password = PASSWORD) {
    const answer = await this.call('POST', '/auth/login', { body: { email, password } });
    if (answer.status === 200) {
      this.csrf = answer.body.csrf_token;
      secrets.push(this.cookies.get('strata_session').value, this.csrf);
    }
    return answer;
  }

  // The whole OIDC dance: Strata → issuer → back to Strata's callback.
  async oidcLogin(user, { returnTo, tamper } = {}) {
    idp.user = user;
    const start = await this.call('GET', `/auth/oidc/login${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`);
    if (start.status !== 302) return { start };
    const atIdp = await fetch(start.headers.get('location'), { redirect: 'manual' });
    assert.equal(atIdp.status, 302);
    const back = new URL(atIdp.headers.get('location'));
    if (tamper) tamper(back);
    const callback = await this.call('GET', `${back.pathname}${back.search}`);
    if (callback.status === 302 && this.cookies.has('strata_session')) {
      const me = await this.call('GET', '/auth/me');
      this.csrf = me.body.csrf_token;
      secrets.push(this.cookies.get('strata_session').value, this.csrf);
    }
    return { start, back, callback };
  }
}

async function localUser(tenant, email, role, extra = {}) {
  const created = await strata.admin.post(`/admin/v1/tenants/${tenants[tenant].id}/users`,
    { email, role, password: PASSWORD, ...extra });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

before(async () => {
  idp = await startFakeIdp();
  strata = await startGoverned({
    config: [
      'oidc:',
      `  issuer: ${idp.issuer}`,
      `  client_id: ${CLIENT_ID}`,
      `  client_secret: ${CLIENT_SECRET}`,
      `  redirect_uri: ${REDIRECT_URI}`,
      '  roles:',
      '    mappings:',
      '      - {group: platform-ops, role: admin}',
      '      - {group: acme-admins, role: tenant-admin, tenant: acme}',
      '      - {group: acme-devs, role: developer, tenant: acme}',
      '      - {group: bravo-viewers, role: viewer, tenant: bravo}',
      '  jwks: {refetch_interval: 0s}',
    ].join('\n'),
  });
  secrets.push(strata.adminKey);
  validators = compileValidators(strata.openapi);
  for (const name of ['acme', 'bravo']) tenants[name] = (await strata.admin.post('/admin/v1/tenants', { name })).body;
});

after(async () => {
  await strata?.stop();
  await idp?.close();
});

// --- the routes -------------------------------------------------------------------

test('the sign-in routes are in /openapi.json under the tag auth', () => {
  const expect = {
    '/auth/login': ['post', true], '/auth/logout': ['post', true], '/auth/me': ['get', false],
    '/auth/oidc/login': ['get', true], '/auth/oidc/callback': ['get', true],
  };
  for (const [route, [method, isPublic]] of Object.entries(expect)) {
    const operation = strata.openapi.paths[route]?.[method];
    assert.ok(operation, `${method} ${route} is missing`);
    assert.deepEqual(operation.tags, ['auth']);
    assert.ok(operation.operationId);
    assert.equal(Array.isArray(operation.security) && operation.security.length === 0, isPublic, route);
  }
  assert.ok(strata.openapi.paths['/auth/oidc/login'].get.responses['302']);
});

test('without an oidc section the OIDC routes do not exist, and local sign-in still does', async () => {
  const plain = await startGoverned({ mock: strata.mock });
  try {
    assert.ok(plain.openapi.paths['/auth/login']);
    assert.equal(plain.openapi.paths['/auth/oidc/login'], undefined);
    assert.equal(plain.openapi.paths['/auth/oidc/callback'], undefined);
    const response = await fetch(`${plain.server.url}/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(response.status, 404);
  } finally {
    await plain.stop();
  }
});

test('the first platform admin made with `strata users create --platform` signs in and manages every tenant', async () => {
  execFileSync(STRATA_BIN, ['users', 'create', '--platform', '--email', 'root@strata.example',
    '--data-dir', path.join(strata.server.dir, 'data')], { input: `${PASSWORD}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  const browser = new Browser();
  assert.equal((await browser.login('root@strata.example')).status, 200);
  const listed = await browser.call('GET', '/admin/v1/tenants');
  assert.equal(listed.status, 200);
  assert.ok(listed.body.data.some((t) => t.id === tenants.acme.id) && listed.body.data.some((t) => t.id === tenants.bravo.id));
  // A short password is refused before anything is stored.
  assert.throws(() => execFileSync(STRATA_BIN, ['users', 'create', '--platform', '--email', 'weak@strata.example',
    '--data-dir', path.join(strata.server.dir, 'data')], { input: 'short\n', stdio: ['pipe', 'pipe', 'pipe'] }));
  assert.equal((await new Browser().login('weak@strata.example')).status, 401);
});

// --- local accounts ------------------------------------------------------------------

test('a local user signs in, gets an HttpOnly SameSite cookie, and the admin API accepts the session', async () => {
  const user = await localUser('acme', 'ada@acme.example', 'tenant-admin');
  const browser = new Browser();
  const answer = await browser.login('ADA@acme.example');
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  const cookie = browser.cookies.get('strata_session');
  assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(cookie.attrs.httponly, true);
  assert.equal(cookie.attrs.samesite, 'Lax');
  assert.equal(cookie.attrs.path, '/');
  assert.equal(cookie.attrs['max-age'], String(12 * 3600));
  assert.equal(cookie.attrs.secure, undefined, 'no TLS here');
  assert.equal(answer.body.via, 'session');
  assert.equal(answer.body.user.id, user.id);
  assert.equal(answer.body.role, 'tenant-admin');
  assert.equal(answer.body.tenant_id, tenants.acme.id);
  assert.ok(answer.body.permissions.includes('keys.write'));
  assert.ok(!answer.body.permissions.includes('tenants.write'));
  assert.ok(answer.body.expires_at > Date.now() / 1000);

  const me = await browser.call('GET', '/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.user.email, 'ada@acme.example');
  assert.equal(me.body.csrf_token, browser.csrf);

  const keys = await browser.call('GET', `/admin/v1/tenants/${tenants.acme.id}/keys`);
  assert.equal(keys.status, 200);
  const created = await browser.call('POST', `/admin/v1/tenants/${tenants.acme.id}/keys`, { body: { name: 'from-console' } });
  assert.equal(created.status, 201, created.text);
  secrets.push(created.body.secret);
});

test('a state-changing call with the session cookie needs the CSRF header; reads and keys do not', async () => {
  await localUser('acme', 'csrf@acme.example', 'tenant-admin');
  const browser = new Browser();
  assert.equal((await browser.login('csrf@acme.example')).status, 200);
  const url = `/admin/v1/tenants/${tenants.acme.id}/teams`;
  const missing = await browser.call('POST', url, { body: { name: 'no-csrf' }, csrf: false });
  assert.equal(missing.status, 403);
  assert.match(missing.body.error.message, /x-strata-csrf/);
  const wrong = await browser.call('POST', url, { body: { name: 'bad-csrf' }, csrf: false,
    headers: { 'x-strata-csrf': crypto.randomBytes(32).toString('base64url') } });
  assert.equal(wrong.status, 403);
  assert.equal((await browser.call('GET', url)).status, 200);
  const made = await browser.call('POST', url, { body: { name: 'with-csrf' } });
  assert.equal(made.status, 201, made.text);
  // Another session's token does not fit this one.
  const other = new Browser();
  assert.equal((await other.login('csrf@acme.example')).status, 200);
  const crossed = await browser.call('POST', url, { body: { name: 'crossed' }, csrf: false,
    headers: { 'x-strata-csrf': other.csrf } });
  assert.equal(crossed.status, 403);
  // A key wins over a cookie and needs no CSRF header.
  const byKey = await browser.call('POST', url, { body: { name: 'by-key' }, csrf: false,
    headers: { authorization: `Bearer ${strata.adminKey}` } });
  assert.equal(byKey.status, 201, byKey.text);
});

test('a session reaches only its own tenant, and its role decides what it may do', async () => {
  await localUser('acme', 'viewer@acme.example', 'viewer');
  const browser = new Browser();
  assert.equal((await browser.login('viewer@acme.example')).status, 200);
  const list = await browser.call('GET', '/admin/v1/tenants');
  assert.deepEqual(list.body.data.map((t) => t.id), [tenants.acme.id]);
  const other = await browser.call('GET', `/admin/v1/tenants/${tenants.bravo.id}/teams`);
  assert.equal(other.status, 404);
  const forbidden = await browser.call('POST', `/admin/v1/tenants/${tenants.acme.id}/keys`, { body: { name: 'nope' } });
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.body.error.message, /viewer.*keys\.write/);
  const users = await browser.call('GET', `/admin/v1/tenants/${tenants.acme.id}/users`);
  assert.equal(users.status, 403);
});

test('wrong password, unknown email and a disabled user get the same 401', async () => {
  const disabled = await localUser('acme', 'gone@acme.example', 'developer');
  await strata.admin.patch(`/admin/v1/tenants/${tenants.acme.id}/users/${disabled.id}`, { disabled: true });
  await localUser('acme', 'right@acme.example', 'developer');
  const messages = new Set();
  for (const [email, password] of [['right@acme.example', 'wrong password!!'], ['nobody@acme.example', PASSWORD],
    ['gone@acme.example', PASSWORD]]) {
    const answer = await new Browser().login(email, password);
    assert.equal(answer.status, 401, email);
    assert.equal(answer.headers.get('set-cookie'), null);
    messages.add(answer.body.error.message);
  }
  assert.equal(messages.size, 1);
});

test('sign-in takes JSON only, with exactly email and password', async () => {
  const browser = new Browser();
  const form = await browser.call('POST', '/auth/login', { body: `email=a@b&password=${PASSWORD}`, raw: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 400);
  const plain = await browser.call('POST', '/auth/login', { body: JSON.stringify({ email: 'a@b', password: 'x' }),
    raw: true, headers: { 'content-type': 'text/plain' } });
  assert.equal(plain.status, 400, 'a cross-site form can send text/plain: refused');
  assert.equal((await browser.call('POST', '/auth/login', { body: { email: 'a@b' } })).status, 400);
  assert.equal((await browser.call('POST', '/auth/login', { body: { email: 'a@b', password: 'x', admin: true } })).status, 400);
});

test('repeated failures for one account are throttled with Retry-After, even with the right password next', async () => {
  await localUser('acme', 'target@acme.example', 'developer');
  for (let i = 0; i < 5; i++) assert.equal((await new Browser().login('target@acme.example', `guess ${i} abcdefgh`)).status, 401);
  const throttled = await new Browser().login('target@acme.example');
  assert.equal(throttled.status, 429);
  assert.ok(Number(throttled.headers.get('retry-after')) > 0);
  // Other accounts from the same address still sign in.
  await localUser('acme', 'bystander@acme.example', 'developer');
  assert.equal((await new Browser().login('bystander@acme.example')).status, 200);
});

test('disabling a user, changing its password or deleting it ends its sessions', async () => {
  const user = await localUser('acme', 'eve@acme.example', 'developer');
  const userPath = `/admin/v1/tenants/${tenants.acme.id}/users/${user.id}`;
  const browser = new Browser();
  assert.equal((await browser.login('eve@acme.example')).status, 200);
  const firstSession = browser.cookies.get('strata_session').value;
  await strata.admin.patch(userPath, { disabled: true });
  assert.equal((await browser.call('GET', '/auth/me')).status, 401);
  await strata.admin.patch(userPath, { disabled: false });
  assert.ok(!browser.cookies.has('strata_session'), 'the refused cookie was cleared');
  const revived = new Browser();
  revived.cookies.set('strata_session', { value: firstSession, path: '/' });
  assert.equal((await revived.call('GET', '/auth/me')).status, 401, 're-enabling does not revive the session');

  assert.equal((await browser.login('eve@acme.example')).status, 200);
  await strata.admin.patch(userPath, { password: 'a brand new password' });
  assert.equal((await browser.call('GET', `/admin/v1/tenants/${tenants.acme.id}/keys`)).status, 401);
  secrets.push('a brand new password');

  const again = new Browser();
  assert.equal((await again.login('eve@acme.example', 'a brand new password')).status, 200);
  await strata.admin.delete(userPath);
  assert.equal((await again.call('GET', '/auth/me')).status, 401);
});

test('logout needs the CSRF header, ends the session and clears the cookie', async () => {
  await localUser('acme', 'bye@acme.example', 'developer');
  const browser = new Browser();
  assert.equal((await browser.login('bye@acme.example')).status, 200);
  const sessionValue = browser.cookies.get('strata_session').value;
  assert.equal((await browser.call('POST', '/auth/logout', { csrf: false })).status, 403);
  assert.equal((await browser.call('GET', '/auth/me')).status, 200);
  const out = await browser.call('POST', '/auth/logout');
  assert.equal(out.status, 200);
  assert.equal(out.body.signed_out, true);
  assert.ok(!browser.cookies.has('strata_session'), 'the cookie is cleared');
  // The old id no longer works, even when replayed.
  browser.cookies.set('strata_session', { value: sessionValue, path: '/' });
  assert.equal((await browser.call('GET', '/auth/me')).status, 401);
  // Logging out without a session is harmless.
  assert.equal((await new Browser().call('POST', '/auth/logout')).status, 200);
});

test('without a session or key, /auth/me and the admin API answer 401', async () => {
  const browser = new Browser();
  assert.equal((await browser.call('GET', '/auth/me')).status, 401);
  browser.cookies.set('strata_session', { value: crypto.randomBytes(32).toString('base64url'), path: '/' });
  assert.equal((await browser.call('GET', '/auth/me')).status, 401);
  assert.equal((await browser.call('GET', '/admin/v1/tenants')).status, 401);
  const me = await browser.call('GET', '/auth/me', { headers: { authorization: `Bearer ${strata.adminKey}` } });
  assert.equal(me.status, 200);
  assert.equal(me.body.via, 'key');
  assert.equal(me.body.user, null);
  assert.equal(me.body.role, 'admin');
});

// --- OpenID Connect ------------------------------------------------------------------

test('OIDC: the login redirects to the issuer with PKCE S256 and binds the login to this browser', async () => {
  const browser = new Browser();
  const start = await browser.call('GET', '/auth/oidc/login');
  assert.equal(start.status, 302);
  const location = new URL(start.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, `${idp.issuer}/authorize`);
  const q = location.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), CLIENT_ID);
  assert.equal(q.get('redirect_uri'), REDIRECT_URI);
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get('state'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get('nonce'), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(q.get('scope').split(' ').includes('openid'));
  const cookie = browser.cookies.get('strata_oidc');
  assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(cookie.attrs.path, '/auth/oidc');
  assert.equal(cookie.attrs.httponly, true);
  assert.equal(cookie.attrs.samesite, 'Lax');
  assert.equal(cookie.attrs['max-age'], '600');
  secrets.push(cookie.value, q.get('state'), q.get('nonce'));
});

test('OIDC: signing in maps groups to a role and tenant, and finds the user by issuer and subject', async () => {
  const browser = new Browser();
  const first = await browser.oidcLogin({ sub: 'okta-001', email: 'grace@acme.example', name: 'Grace',
    groups: ['acme-devs', 'everyone'] });
  assert.equal(first.callback.status, 302, first.callback.text);
  assert.equal(first.callback.headers.get('location'), '/');
  assert.ok(!browser.cookies.has('strata_oidc'), 'the login cookie is cleared');
  const session = browser.cookies.get('strata_session');
  assert.equal(session.attrs.httponly, true);
  assert.equal(session.attrs.samesite, 'Lax');
  const me = await browser.call('GET', '/auth/me');
  assert.equal(me.body.role, 'developer');
  assert.equal(me.body.tenant_id, tenants.acme.id);
  assert.equal(me.body.user.display_name, 'Grace');
  assert.equal(me.body.user.oidc_subject, 'okta-001');
  assert.equal(me.body.user.has_password, false);
  const keys = await browser.call('GET', `/admin/v1/tenants/${tenants.acme.id}/keys`);
  assert.equal(keys.status, 200);

  // The next sign-in with other groups updates the role of the same user.
  const second = new Browser();
  await second.oidcLogin({ sub: 'okta-001', email: 'grace@acme.example', name: 'Grace', groups: ['acme-admins'] });
  const again = await second.call('GET', '/auth/me');
  assert.equal(again.body.user.id, me.body.user.id);
  assert.equal(again.body.role, 'tenant-admin');
  const listed = await strata.admin.get(`/admin/v1/tenants/${tenants.acme.id}/users/${me.body.user.id}`);
  assert.equal(listed.body.role, 'tenant-admin');
});

test('OIDC: platform-ops become platform admins; another tenant maps into its own tenant only', async () => {
  const ops = new Browser();
  await ops.oidcLogin({ sub: 'okta-ops', email: 'ops@corp.example', groups: ['platform-ops'] });
  const me = await ops.call('GET', '/auth/me');
  assert.equal(me.body.role, 'admin');
  assert.equal(me.body.tenant_id, null);
  const all = await ops.call('GET', '/admin/v1/tenants');
  assert.ok(all.body.data.length >= 2);

  const viewer = new Browser();
  await viewer.oidcLogin({ sub: 'okta-bravo', email: 'v@bravo.example', groups: ['bravo-viewers'] });
  const mine = await viewer.call('GET', '/admin/v1/tenants');
  assert.deepEqual(mine.body.data.map((t) => t.id), [tenants.bravo.id]);
  assert.equal((await viewer.call('GET', `/admin/v1/tenants/${tenants.acme.id}/teams`)).status, 404);
});

test('OIDC: users with no mapped group are refused, and accounts are never linked by email', async () => {
  const nobody = await new Browser().oidcLogin({ sub: 'okta-x', email: 'x@acme.example', groups: ['unmapped'] });
  assert.equal(nobody.callback.status, 403);
  await localUser('acme', 'linus@acme.example', 'tenant-admin');
  const squatter = await new Browser().oidcLogin({ sub: 'okta-linus', email: 'linus@acme.example', groups: ['acme-devs'] });
  assert.equal(squatter.callback.status, 403);
  assert.match(squatter.callback.body.error.message, /never linked by email/);
});

test('OIDC: a callback without this browser\'s login cookie, replayed, or with another state is refused', async () => {
  // Login CSRF: an attacker's callback URL opened in a victim's browser.
  const attacker = new Browser();
  const started = await attacker.call('GET', '/auth/oidc/login');
  idp.user = { sub: 'okta-attacker', email: 'mallory@acme.example', groups: ['acme-devs'] };
  const atIdp = await fetch(started.headers.get('location'), { redirect: 'manual' });
  const back = new URL(atIdp.headers.get('location'));
  const victim = new Browser();
  const csrf = await victim.call('GET', `${back.pathname}${back.search}`);
  assert.equal(csrf.status, 400);
  assert.ok(!victim.cookies.has('strata_session'));

  // Replay: the pending login is used up by the first callback, whatever its outcome.
  const browser = new Browser();
  const ok = await browser.oidcLogin({ sub: 'okta-replay', email: 'r@acme.example', groups: ['acme-devs'] });
  assert.equal(ok.callback.status, 302);
  browser.cookies.set('strata_oidc', { value: ok.start.headers.getSetCookie()[0].split(';')[0].split('=')[1], path: '/auth/oidc' });
  const replay = await browser.call('GET', `${ok.back.pathname}${ok.back.search}`);
  assert.equal(replay.status, 400);

  const wrongState = await new Browser().oidcLogin({ sub: 'okta-s', email: 's@acme.example', groups: ['acme-devs'] },
    { tamper: (url) => url.searchParams.set('state', crypto.randomBytes(32).toString('base64url')) });
  assert.equal(wrongState.callback.status, 401);
  assert.match(wrongState.callback.body.error.message, /state/);

  const wrongCode = await new Browser().oidcLogin({ sub: 'okta-c', email: 'c@acme.example', groups: ['acme-devs'] },
    { tamper: (url) => url.searchParams.set('code', 'made-up-code') });
  assert.equal(wrongCode.callback.status, 401);
});

test('OIDC: an issuer error is refused without echoing its description', async () => {
  idp.deny = true;
  const denied = await new Browser().oidcLogin({ sub: 'okta-d', email: 'd@acme.example', groups: ['acme-devs'] });
  assert.equal(denied.callback.status, 401);
  assert.match(denied.callback.body.error.message, /access_denied/);
  assert.ok(!denied.callback.text.includes('<no>'));
  assert.ok(!strata.server.rawStderr.join('\n').includes('injected'));
});

test('OIDC: after the issuer rotates its signing key, sign-in still works (the JWKS is refetched)', async () => {
  const before = idp.counts.jwks;
  idp.keys.unshift(newSigningKey('k2'));
  const browser = new Browser();
  const rotated = await browser.oidcLogin({ sub: 'okta-rot', email: 'rot@acme.example', groups: ['acme-devs'] });
  assert.equal(rotated.callback.status, 302, rotated.callback.text);
  assert.ok(idp.counts.jwks > before, 'the new kid made Strata refetch the keys');
  idp.keys.pop();  // the old key withdrawn
  const again = await new Browser().oidcLogin({ sub: 'okta-rot', email: 'rot@acme.example', groups: ['acme-devs'] });
  assert.equal(again.callback.status, 302);
});

test('OIDC: return_to lands on a path of this server, never elsewhere', async () => {
  const browser = new Browser();
  const landed = await browser.oidcLogin({ sub: 'okta-rt', email: 'rt@acme.example', groups: ['acme-devs'] },
    { returnTo: '/console/keys?tab=mine' });
  assert.equal(landed.callback.headers.get('location'), '/console/keys?tab=mine');
  for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
    const refused = await new Browser().call('GET', `/auth/oidc/login?return_to=${encodeURIComponent(evil)}`);
    assert.equal(refused.status, 400, evil);
  }
});

test('OIDC: logout of an OIDC session names the issuer\'s end-session endpoint', async () => {
  const browser = new Browser();
  await browser.oidcLogin({ sub: 'okta-out', email: 'out@acme.example', groups: ['acme-devs'] });
  const out = await browser.call('POST', '/auth/logout');
  assert.equal(out.status, 200);
  assert.equal(out.body.end_session_endpoint, `${idp.issuer}/logout`);
});

test('sign-ins are counted by method and outcome on /metrics', async () => {
  const text = await (await fetch(`${strata.server.url}/metrics`)).text();
  const count = (method, outcome) => {
    const line = text.split('\n').find((l) => l.startsWith('strata_console_signins_total{') &&
      l.includes(`method="${method}"`) && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  assert.ok(count('password', 'success') >= 5);
  assert.ok(count('password', 'refused') >= 8);
  assert.ok(count('password', 'throttled') >= 1);
  assert.ok(count('oidc', 'success') >= 5);
  assert.ok(count('oidc', 'refused') >= 5);
});

// --- secrets ---------------------------------------------------------------------------

test('no password, session id, CSRF token, code or token reaches the logs or sits in the database in clear', async () => {
  const all = [...secrets, ...idp.secrets].filter((s) => typeof s === 'string' && s.length >= 8);
  assert.ok(all.length > 20, `only ${all.length} secrets collected`);
  const logs = strata.server.rawStderr.join('\n');
  assert.ok(logs.includes('console sign-in'), 'sign-ins are logged');
  for (const secret of all) assert.ok(!logs.includes(secret), `a secret is in the logs: ${secret.slice(0, 6)}…`);

  const dataDir = path.join(strata.server.dir, 'data');
  const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('strata.db'));
  const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dataDir, f))));
  for (const secret of all) {
    assert.equal(bytes.indexOf(secret), -1, `a secret is stored in clear: ${secret.slice(0, 6)}…`);
  }
});
