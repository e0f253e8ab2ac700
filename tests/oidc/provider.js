#!/usr/bin/env node
// A real OpenID Connect provider for Kengash's OIDC tests and demo, built on
// the OpenID Certified `oidc-provider` package (8.x). Loopback only: this is
// a test and demo fixture, never a production identity provider.
//
//   node tests/oidc/provider.js --port P [--host 127.0.0.1] [--issuer URL]
//        --client-id ID --client-secret SECRET --redirect-uri URL [--redirect-uri URL2 ...]
//        [--post-logout-redirect-uri URL ...] [--accounts FILE.json] [--alg RS256|ES256]
//        [--claims-in-id-token] [--test-controls] [--verbose]
//
// Prints exactly one line on stdout, `oidc-provider ready <issuer>`, once it
// listens (oidc-provider's own notices go to stderr). --port 0 picks a free
// port; the issuer in the ready line then carries it. SIGTERM/SIGINT: closes
// the listener and exits 0.
//
// With --test-controls (tests only):
//   POST /__test/mode    {"mode": M}  rewrites the id_token of successful token
//                        responses until {"mode": "normal"} (modes: see TAMPER_MODES)
//   POST /__test/rotate  [{"keep_old": true}]  puts a new signing key (new kid)
//                        in front; the old keys stay in the JWKS unless keep_old=false
//   GET  /__test/health  200 (always available, also without --test-controls)
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import * as jose from 'jose';

// oidc-provider prints notices with console.info (stdout) when it loads and
// when a Provider is built: keep stdout for the single ready line.
console.info = (...a) => console.error(...a); // eslint-disable-line no-console
console.log = (...a) => console.error(...a); // eslint-disable-line no-console
const say = (line) => process.stdout.write(`${line}\n`);

// SIGTERM/SIGINT exit 0 at any point, even while still starting up.
let server;
function shutdown() {
  if (!server || !server.listening) process.exit(0);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const { default: Provider } = await import('oidc-provider');

const HERE = path.dirname(fileURLToPath(import.meta.url));

const USAGE = `usage: node tests/oidc/provider.js --port P [--host 127.0.0.1] [--issuer URL]
  --client-id ID --client-secret SECRET --redirect-uri URL [--redirect-uri URL ...]
  [--post-logout-redirect-uri URL ...] [--accounts FILE.json] [--alg RS256|ES256]
  [--claims-in-id-token] [--test-controls] [--verbose]`;

function die(msg) {
  process.stderr.write(`provider.js: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      accounts: { type: 'string', default: path.join(HERE, 'accounts.json') },
      alg: { type: 'string', default: 'RS256' },
      'claims-in-id-token': { type: 'boolean', default: false },
      'test-controls': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  die(err.message);
}
if (args.help) {
  say(USAGE);
  process.exit(0);
}
if (args.port === undefined || !/^\d+$/.test(args.port) || Number(args.port) > 65535) die('--port P is required (0..65535)');
if (!args['client-id']) die('--client-id is required');
if (!args['client-secret']) die('--client-secret is required');
if (!args['redirect-uri'] || args['redirect-uri'].length === 0) die('at least one --redirect-uri is required');
if (!['RS256', 'ES256'].includes(args.alg)) die('--alg must be RS256 or ES256');

function isLoopback(host) {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1';
  return false;
}
if (!isLoopback(args.host)) die(`--host must be a loopback address (127.0.0.0/8, ::1 or localhost), not ${args.host}`);

// ---------------------------------------------------------------- accounts

const ACCOUNT_CLAIMS = [
  'name', 'given_name', 'family_name', 'middle_name', 'birthdate', 'snils',
  'email', 'email_verified', 'address', 'address_id',
];
const ADDRESS_FIELDS = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'];

function loadAccounts(file) {
  let list;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    die(`cannot read accounts file ${file}: ${err.message}`);
  }
  if (!Array.isArray(list)) die(`${file}: expected a JSON list of accounts`);
  const map = new Map();
  for (const a of list) {
    if (!a || typeof a.sub !== 'string' || a.sub === '') die(`${file}: every account needs a non-empty string "sub"`);
    if (map.has(a.sub)) die(`${file}: duplicate sub ${a.sub}`);
    const claims = { sub: a.sub };
    for (const k of ACCOUNT_CLAIMS) {
      if (a[k] !== undefined && a[k] !== null) claims[k] = a[k];
    }
    if (claims.email !== undefined && claims.email_verified === undefined) claims.email_verified = true;
    if (claims.address !== undefined) {
      if (typeof claims.address !== 'object' || Array.isArray(claims.address)) die(`${file}: ${a.sub}: address must be an object`);
      const addr = {};
      for (const k of ADDRESS_FIELDS) if (claims.address[k] !== undefined) addr[k] = claims.address[k];
      claims.address = addr;
    }
    map.set(a.sub, claims);
  }
  return map;
}

const accounts = loadAccounts(args.accounts);

async function findAccount(ctx, id) {
  const claims = accounts.get(id);
  if (!claims) return undefined;
  return {
    accountId: id,
    // oidc-provider filters what this returns down to the granted scopes /
    // requested claims, for the ID token and for userinfo alike.
    async claims() {
      return structuredClone(claims);
    },
  };
}

// -------------------------------------------------------------------- keys

async function newSigningKey(alg) {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await jose.exportJWK(privateKey);
  const { d, p, q, dp, dq, qi, ...pub } = jwk; // eslint-disable-line no-unused-vars
  jwk.kid = `${alg.toLowerCase()}-${(await jose.calculateJwkThumbprint(pub)).slice(0, 16)}`;
  jwk.alg = alg;
  jwk.use = 'sig';
  return jwk;
}

// Newest first: oidc-provider signs with the first key that fits the alg.
let signingKeys = [await newSigningKey('RS256'), await newSigningKey('ES256')];

function currentKey(alg) {
  return signingKeys.find((k) => k.alg === alg);
}

// ---------------------------------------------------------------- provider

const cookieKeys = [crypto.randomBytes(32).toString('base64url')];
const clientAlg = args.alg;
let issuer;
let provider;
let handler;

function buildProvider() {
  const p = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      post_logout_redirect_uris: args['post-logout-redirect-uri'] || [],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
      id_token_signed_response_alg: clientAlg,
    }],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    jwks: { keys: signingKeys },
    cookies: { keys: cookieKeys },
    scopes: ['openid', 'profile', 'email', 'address'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'middle_name', 'birthdate', 'snils'],
      email: ['email', 'email_verified'],
      address: ['address', 'address_id'],
    },
    // true (OIDC Core 5.4): with response_type=code the scope-requested claims
    // come from userinfo only; the ID token carries them when asked for with
    // the `claims` request parameter. --claims-in-id-token puts them in both.
    conformIdTokenClaims: !args['claims-in-id-token'],
    features: {
      devInteractions: { enabled: true },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: false },
      introspection: { enabled: false },
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
    },
    // oidc-provider's defaults, spelled out (and its notices silenced)
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    findAccount,
  });

  // Unknown logins are refused on the login form itself, before
  // oidc-provider's dev interaction would accept any string as an account id.
  p.use(async (ctx, next) => {
    const m = /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (m && ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
      const chunks = [];
      for await (const c of ctx.req) chunks.push(c);
      const raw = Buffer.concat(chunks);
      ctx.req.body = raw; // the dev interaction reads it from here (it warns once)
      const form = new URLSearchParams(raw.toString('utf8'));
      if (form.get('prompt') === 'login' && !accounts.has(form.get('login') || '')) {
        ctx.status = 403;
        ctx.type = 'html';
        ctx.set('cache-control', 'no-store');
        ctx.body = refusedPage(m[1], form.get('login') || '');
        return;
      }
    }
    await next();
    if (m && ctx.method === 'GET' && typeof ctx.body === 'string' && ctx.body.includes('name="login"')) {
      ctx.body = ctx.body
        .replace('placeholder="Enter any login"', 'placeholder="Login (account sub)"')
        .replace('placeholder="and password"', 'placeholder="Any password"')
        .replace('</form>', `</form>${loginHelp()}`);
    }
  });

  // Test controls: rewrite the id_token of successful token responses.
  p.use(async (ctx, next) => {
    await next();
    if (mode !== 'normal' && ctx.method === 'POST' && ctx.path === '/token'
        && ctx.status === 200 && ctx.body && typeof ctx.body === 'object'
        && typeof ctx.body.id_token === 'string') {
      ctx.body = { ...ctx.body, id_token: await tamper(ctx.body.id_token, mode) };
    }
  });

  p.on('server_error', (ctx, err) => {
    process.stderr.write(`oidc-provider server_error: ${err && err.stack}\n`);
  });
  if (args.verbose) {
    for (const ev of ['authorization.error', 'grant.error', 'userinfo.error', 'grant.success', 'interaction.ended']) {
      p.on(ev, (ctx, err) => {
        process.stderr.write(`oidc-provider ${ev}${err && err.message ? `: ${err.message} ${err.error_description || ''}` : ''}\n`);
      });
    }
  }
  return p;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

function loginHelp() {
  const items = [...accounts.values()].map((a) => `<li><code>${escapeHtml(a.sub)}</code> ${escapeHtml(a.name || '')}</li>`).join('');
  return `<div class="demo-accounts" style="text-align:left;font-size:13px"><p>Demo accounts (login = sub, any password):</p><ul>${items}</ul></div>`;
}

function refusedPage(uid, login) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Unknown login</title></head>
<body><h1>Unknown login</h1><p id="login-refused">No account has the login <code>${escapeHtml(login)}</code>.</p>
<p><a href="/interaction/${encodeURIComponent(uid)}">Try again</a> · <a href="/interaction/${encodeURIComponent(uid)}/abort">[ Cancel ]</a></p>
${loginHelp()}</body></html>`;
}

// ------------------------------------------------------------ tampering

const TAMPER_MODES = new Set([
  'normal', 'alg_none', 'other_key', 'other_key_same_kid', 'hs256_pubkey', 'hs256_pubkey_jwk',
  'wrong_aud', 'wrong_iss', 'expired', 'wrong_nonce', 'no_nonce', 'future_iat',
]);
let mode = 'normal';

const b64u = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

async function signWith(header, payload, jwk) {
  const key = await jose.importJWK(jwk, header.alg);
  return new jose.CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

function hmacSign(header, payload, secret) {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function tamper(idToken, m) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  const real = signingKeys.find((k) => k.kid === header.kid) || currentKey(header.alg);
  const now = Math.floor(Date.now() / 1000);
  const life = (payload.exp && payload.iat) ? payload.exp - payload.iat : 3600;
  const { d, p, q, dp, dq, qi, ...realPublic } = real; // eslint-disable-line no-unused-vars
  switch (m) {
    case 'alg_none':
      return `${b64u({ ...header, alg: 'none' })}.${b64u(payload)}.`;
    case 'other_key': {
      const other = await newSigningKey(header.alg);
      return signWith({ ...header, kid: `unknown-${crypto.randomBytes(6).toString('hex')}` }, payload, other);
    }
    case 'other_key_same_kid': {
      const other = await newSigningKey(header.alg);
      return signWith(header, payload, other);
    }
    case 'hs256_pubkey': {
      // the classic key-confusion attack: HMAC keyed with the public key's PEM
      const pem = crypto.createPublicKey({ key: realPublic, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      return hmacSign({ ...header, alg: 'HS256' }, payload, Buffer.from(pem));
    }
    case 'hs256_pubkey_jwk':
      return hmacSign({ ...header, alg: 'HS256' }, payload, Buffer.from(JSON.stringify(realPublic)));
    case 'wrong_aud':
      return signWith(header, { ...payload, aud: `${args['client-id']}-other` }, real);
    case 'wrong_iss':
      return signWith(header, { ...payload, iss: `${issuer}/other` }, real);
    case 'expired':
      return signWith(header, { ...payload, iat: now - 3600 - life, exp: now - 3600 }, real);
    case 'wrong_nonce':
      return signWith(header, { ...payload, nonce: `wrong-${crypto.randomBytes(8).toString('hex')}` }, real);
    case 'no_nonce': {
      const { nonce, ...rest } = payload; // eslint-disable-line no-unused-vars
      return signWith(header, rest, real);
    }
    case 'future_iat':
      return signWith(header, { ...payload, iat: now + 3600, exp: now + 3600 + life }, real);
    default:
      return idToken;
  }
}

// ------------------------------------------------------------ test routes

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readJson(req) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > 65536) throw new Error('body too large');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}

async function testRoute(req, res, pathname) {
  if (pathname === '/__test/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    return sendJson(res, 200, { ok: true, issuer, mode, kids: signingKeys.map((k) => k.kid) });
  }
  if (!args['test-controls']) return sendJson(res, 404, { error: 'test controls are off (start with --test-controls)' });
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
  let body;
  try {
    body = await readJson(req);
  } catch (err) {
    return sendJson(res, 400, { error: `bad JSON body: ${err.message}` });
  }
  if (pathname === '/__test/mode') {
    if (!body || !TAMPER_MODES.has(body.mode)) {
      return sendJson(res, 400, { error: 'unknown mode', modes: [...TAMPER_MODES] });
    }
    mode = body.mode;
    process.stderr.write(`oidc-provider test mode: ${mode}\n`);
    return sendJson(res, 200, { mode });
  }
  if (pathname === '/__test/rotate') {
    const keepOld = !(body && body.keep_old === false);
    const fresh = [await newSigningKey('RS256'), await newSigningKey('ES256')];
    signingKeys = keepOld ? [...fresh, ...signingKeys] : fresh;
    provider = buildProvider(); // same listener, same cookie keys, same in-memory store
    handler = provider.callback();
    process.stderr.write(`oidc-provider rotated keys: now signing with ${currentKey(clientAlg).kid}\n`);
    return sendJson(res, 200, {
      kid: currentKey(clientAlg).kid,
      kids: signingKeys.map((k) => k.kid),
    });
  }
  return sendJson(res, 404, { error: 'no such test route' });
}

// ---------------------------------------------------------------- server

server = http.createServer((req, res) => {
  const pathname = (req.url || '/').split('?')[0];
  if (pathname.startsWith('/__test/')) {
    testRoute(req, res, pathname).catch((err) => {
      process.stderr.write(`test route error: ${err && err.stack}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    });
    return;
  }
  if (!handler) {
    sendJson(res, 503, { error: 'starting' });
    return;
  }
  handler(req, res);
});

server.on('error', (err) => {
  process.stderr.write(`provider.js: ${err.message}\n`);
  process.exit(1);
});

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const hostPart = net.isIPv6(args.host) ? `[${args.host}]` : args.host;
  issuer = args.issuer || `http://${hostPart}:${port}`;
  try {
    const u = new URL(issuer);
    if (u.pathname !== '/' || u.search || u.hash) die('--issuer must have no path, query or fragment (the provider serves from /)');
    issuer = issuer.replace(/\/$/, '');
  } catch (err) {
    die(`bad --issuer: ${err.message}`);
  }
  provider = buildProvider();
  handler = provider.callback();
  say(`oidc-provider ready ${issuer}`);
});

