// fake_push_server.js: FCM, Google's OAuth2 token endpoint, APNs and a
// webhook receiver on loopback, for the push tests. Node's own http and
// http2 modules; nothing to install.
//
// It listens twice on 127.0.0.1, port 0:
//   - TLS (a self-signed certificate made here with openssl), HTTP/2 by
//     ALPN with HTTP/1.1 allowed: POST /token, /v1/projects/P/messages:send
//     (FCM), /3/device/TOKEN (APNs, HTTP/2 only) and /hooks/... (webhooks);
//   - plain HTTP/1.1: the same routes, plus the test's controls:
//       GET  /__requests  every request so far, as JSON
//       POST /__control   change behaviour (see `control` below)
//       POST /__reset     forget requests and scripted answers
// It also makes the credentials the client needs: a service-account key
// file (RSA) whose token_uri points here, and an APNs .p8 key (P-256). Each
// request is checked as the real service would: the OAuth2 assertion's
// RS256 signature and claims, FCM's bearer token, the APNs provider
// token's ES256 signature, the webhook's HMAC signature when the test
// told us the secret. Then it answers, in this order: a scripted answer
// queued by the test, a dead token's permanent error, a random transient
// failure at the configured rate, or success.
//
// On start it prints one JSON line: {"tls_port", "http_port", "ca_file",
// "service_account_file", "apns_key_file", "apns_key_id", "apns_team_id",
// "project_id"}. SIGTERM, or the death of the process that started it,
// removes its temporary directory and exits.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const http2 = require('http2');
const os = require('os');
const path = require('path');
const {execFileSync} = require('child_process');

const PROJECT_ID = 'tend-test';
const CLIENT_EMAIL = 'push@tend-test.iam.gserviceaccount.com';
const SA_KEY_ID = 'sa-key-1';
const APNS_KEY_ID = 'ABC123DEFG';
const APNS_TEAM_ID = 'TEAM123456';
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-push-fake-'));
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
  '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
  '-subj', '/CN=localhost',
  '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
], {stdio: 'ignore'});
const serviceAccount = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
const apnsKey = crypto.generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
const apnsKeyFile = path.join(dir, 'apns.p8');
fs.writeFileSync(apnsKeyFile,
                 apnsKey.privateKey.export({type: 'pkcs8', format: 'pem'}));

// ---------------------------------------------------------------------------
// State, changed by the test through /__control.

const SURFACES = ['token', 'fcm', 'apns', 'webhook'];
const state = {
  requests: [],
  script: {token: [], fcm: [], apns: [], webhook: []},
  failRate: {token: 0, fcm: 0, apns: 0, webhook: 0},
  dead: {fcm: new Set(), apns: new Map(), webhook: new Set()},
  webhookSecrets: {},
  tokenTtl: 3600,
  issued: new Set(),
  apnsMinIat: 0,
  chaosDelayMs: 600,
  random: mulberry32(1),
  messages: 0,
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function control(body) {
  if (body.script) {
    for (const s of SURFACES) {
      if (body.script[s]) state.script[s].push(...body.script[s]);
    }
  }
  if (body.fail_rate) Object.assign(state.failRate, body.fail_rate);
  if (body.seed !== undefined) state.random = mulberry32(body.seed);
  if (body.dead) {
    for (const t of body.dead.fcm || []) state.dead.fcm.add(t);
    for (const [t, reason] of Object.entries(body.dead.apns || {})) {
      state.dead.apns.set(t, reason);
    }
    for (const p of body.dead.webhook || []) state.dead.webhook.add(p);
  }
  if (body.webhook_secrets) {
    Object.assign(state.webhookSecrets, body.webhook_secrets);
  }
  if (body.token_ttl !== undefined) state.tokenTtl = body.token_ttl;
  if (body.revoke_access_tokens) state.issued.clear();
  if (body.apns_min_iat !== undefined) state.apnsMinIat = body.apns_min_iat;
  if (body.chaos_delay_ms !== undefined) state.chaosDelayMs = body.chaos_delay_ms;
}

// ---------------------------------------------------------------------------
// Checks.

function b64url(text) {
  return Buffer.from(text, 'base64url');
}

// Verifies a compact JWS; returns {valid, header, claims}.
function verifyJwt(token, publicKey, alg) {
  const parts = (token || '').split('.');
  if (parts.length !== 3) return {valid: false};
  let header;
  let claims;
  try {
    header = JSON.parse(b64url(parts[0]).toString());
    claims = JSON.parse(b64url(parts[1]).toString());
  } catch (e) {
    return {valid: false};
  }
  const data = Buffer.from(parts[0] + '.' + parts[1]);
  const signature = b64url(parts[2]);
  let valid = header.alg === alg;
  if (valid && alg === 'RS256') {
    valid = crypto.verify('sha256', data, publicKey, signature);
  } else if (valid && alg === 'ES256') {
    valid = crypto.verify('sha256', data,
                          {key: publicKey, dsaEncoding: 'ieee-p1363'},
                          signature);
  }
  return {valid, header, claims};
}

function timingSafeEqualHex(a, b) {
  const x = Buffer.from(a || '');
  const y = Buffer.from(b || '');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

// ---------------------------------------------------------------------------
// Answers.

function send(res, record, answer) {
  const finish = () => {
    record.status = answer.status;
    try {
      const headers = Object.assign({'content-type': 'application/json'},
                                    answer.headers || {});
      res.writeHead(answer.status, headers);
      res.end(typeof answer.body === 'string' ? answer.body
                                              : JSON.stringify(answer.body || {}));
    } catch (e) {
      // The client gave up (a timeout test); the answer is lost.
    }
  };
  if (answer.delay_ms) {
    record.delayed = true;
    setTimeout(finish, answer.delay_ms);
  } else {
    finish();
  }
}

function fcmError(status, code, errorCode) {
  const error = {code: status, message: 'fake', status: code};
  if (errorCode) error.details = [{'@type': FCM_ERROR, errorCode}];
  return {status, body: {error}};
}

// A transient failure of the surface's own kind, chosen at random.
function chaos(surface) {
  const kind = Math.floor(state.random() * 4);
  if (kind === 0) {
    return {status: 503, body: surface === 'apns' ? {reason: 'ServiceUnavailable'}
                                                  : fcmError(503, 'UNAVAILABLE').body};
  }
  if (kind === 1) {
    return {status: 500, body: surface === 'apns' ? {reason: 'InternalServerError'}
                                                  : fcmError(500, 'INTERNAL').body};
  }
  if (kind === 2) {
    return {status: 429, headers: {'retry-after': '7'},
            body: surface === 'apns' ? {reason: 'TooManyRequests'}
                                     : fcmError(429, 'RESOURCE_EXHAUSTED',
                                                'QUOTA_EXCEEDED').body};
  }
  // Processed, but the answer comes after the client gave up.
  return {status: 200, delay_ms: state.chaosDelayMs, accept: true,
          body: surface === 'apns' ? '' : {name: 'late'}};
}

// The scripted, dead or random answer for a surface, or null for success.
function override(surface, record, deadAnswer) {
  if (state.script[surface].length > 0) return state.script[surface].shift();
  if (deadAnswer) return deadAnswer;
  if (state.random() < state.failRate[surface]) {
    record.chaos = true;
    return chaos(surface);
  }
  return null;
}

function answer(res, record, surface, deadAnswer, success) {
  const a = override(surface, record, deadAnswer) || success;
  record.accepted = a.status >= 200 && a.status < 300 &&
                    (a.accept !== undefined ? a.accept : true);
  send(res, record, a);
}

function onToken(req, res, record, raw) {
  const form = new URLSearchParams(raw);
  const check = verifyJwt(form.get('assertion'), serviceAccount.publicKey,
                          'RS256');
  const claims = check.claims || {};
  record.verified = {
    signature: check.valid,
    kid: check.header && check.header.kid,
    claims,
    grant_type: form.get('grant_type'),
  };
  const ok = check.valid && claims.iss === CLIENT_EMAIL &&
             claims.scope === FCM_SCOPE && claims.aud === tokenUri &&
             form.get('grant_type') ===
                 'urn:ietf:params:oauth:grant-type:jwt-bearer';
  if (!ok) {
    record.accepted = false;
    return send(res, record, {status: 400, body: {error: 'invalid_grant'}});
  }
  const token = 'ya29.fake-' + crypto.randomBytes(8).toString('hex');
  answer(res, record, 'token', null, {
    status: 200,
    body: {access_token: token, expires_in: state.tokenTtl,
           token_type: 'Bearer'},
  });
  if (record.accepted) state.issued.add(token);
}

function onFcm(req, res, record) {
  const bearer = (req.headers['authorization'] || '').replace(/^Bearer /, '');
  record.verified = {bearer_valid: state.issued.has(bearer)};
  if (!state.issued.has(bearer)) {
    record.accepted = false;
    return send(res, record, fcmError(401, 'UNAUTHENTICATED'));
  }
  const token = record.body && record.body.message && record.body.message.token;
  const dead = state.dead.fcm.has(token)
                   ? fcmError(404, 'NOT_FOUND', 'UNREGISTERED') : null;
  answer(res, record, 'fcm', dead, {
    status: 200,
    body: {name: `projects/${PROJECT_ID}/messages/${++state.messages}`},
  });
}

function onApns(req, res, record, token) {
  record.device_token = token;
  if (req.httpVersion !== '2.0') {
    record.accepted = false;
    return send(res, record, {status: 505, body: {reason: 'NotHTTP2'}});
  }
  const auth = (req.headers['authorization'] || '').replace(/^bearer /, '');
  const check = verifyJwt(auth, apnsKey.publicKey, 'ES256');
  const claims = check.claims || {};
  record.verified = {signature: check.valid, kid: check.header && check.header.kid,
                     claims};
  if (!check.valid || check.header.kid !== APNS_KEY_ID ||
      claims.iss !== APNS_TEAM_ID) {
    record.accepted = false;
    return send(res, record, {status: 403, body: {reason: 'InvalidProviderToken'}});
  }
  if (claims.iat < state.apnsMinIat) {
    record.accepted = false;
    return send(res, record, {status: 403, body: {reason: 'ExpiredProviderToken'}});
  }
  const reason = state.dead.apns.get(token);
  const dead = reason ? {status: reason === 'Unregistered' ? 410 : 400,
                         body: {reason}}
                      : null;
  answer(res, record, 'apns', dead, {
    status: 200, headers: {'apns-id': req.headers['apns-id']}, body: ''});
}

function onWebhook(req, res, record, raw) {
  const secret = state.webhookSecrets[record.path];
  const signature = req.headers['tend-signature'] || '';
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  if (secret !== undefined) {
    const expected = m ? crypto.createHmac('sha256', secret)
                             .update(m[1] + '.' + raw).digest('hex')
                       : '';
    record.verified = {signature: !!m && timingSafeEqualHex(expected, m[2]),
                       t: m ? Number(m[1]) : null};
  }
  const dead = state.dead.webhook.has(record.path)
                   ? {status: 410, body: {error: 'gone'}} : null;
  answer(res, record, 'webhook', dead, {status: 200, body: {ok: true}});
}

function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/__requests') {
      res.writeHead(200, {'content-type': 'application/json'});
      return res.end(JSON.stringify(state.requests));
    }
    if (url.pathname === '/__control') {
      control(JSON.parse(raw || '{}'));
      res.writeHead(200, {'content-type': 'application/json'});
      return res.end('{}');
    }
    if (url.pathname === '/__reset') {
      state.requests = [];
      for (const s of SURFACES) state.script[s] = [];
      res.writeHead(200, {'content-type': 'application/json'});
      return res.end('{}');
    }
    let body = raw;
    try {
      body = JSON.parse(raw);
    } catch (e) {
      // form bodies and empty ones stay text
    }
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (!k.startsWith(':')) headers[k] = v;
    }
    const record = {
      surface: '', method: req.method, path: url.pathname,
      http: req.httpVersion, headers, body, raw, status: 0,
      accepted: false, delayed: false, chaos: false,
    };
    state.requests.push(record);
    const apns = /^\/3\/device\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/token') {
      record.surface = 'token';
      onToken(req, res, record, raw);
    } else if (/^\/v1\/projects\/[^/]+\/messages:send$/.test(url.pathname)) {
      record.surface = 'fcm';
      onFcm(req, res, record);
    } else if (apns) {
      record.surface = 'apns';
      onApns(req, res, record, apns[1]);
    } else if (url.pathname.startsWith('/hooks/')) {
      record.surface = 'webhook';
      onWebhook(req, res, record, raw);
    } else {
      send(res, record, {status: 404, body: {error: 'no such route'}});
    }
  });
}

// ---------------------------------------------------------------------------
// Start.

let tokenUri = '';
const tls = http2.createSecureServer({
  key: fs.readFileSync(keyFile),
  cert: fs.readFileSync(certFile),
  allowHTTP1: true,
}, handle);
const plain = http.createServer(handle);

tls.listen(0, '127.0.0.1', () => {
  plain.listen(0, '127.0.0.1', () => {
    const tlsPort = tls.address().port;
    tokenUri = `https://127.0.0.1:${tlsPort}/token`;
    const accountFile = path.join(dir, 'service_account.json');
    fs.writeFileSync(accountFile, JSON.stringify({
      type: 'service_account',
      project_id: PROJECT_ID,
      private_key_id: SA_KEY_ID,
      private_key: serviceAccount.privateKey.export({type: 'pkcs8',
                                                     format: 'pem'}),
      client_email: CLIENT_EMAIL,
      token_uri: tokenUri,
    }));
    process.stdout.write(JSON.stringify({
      tls_port: tlsPort,
      http_port: plain.address().port,
      ca_file: certFile,
      service_account_file: accountFile,
      apns_key_file: apnsKeyFile,
      apns_key_id: APNS_KEY_ID,
      apns_team_id: APNS_TEAM_ID,
      project_id: PROJECT_ID,
      token_uri: tokenUri,
    }) + '\n');
  });
});

function quit() {
  fs.rmSync(dir, {recursive: true, force: true});
  process.exit(0);
}
process.on('SIGTERM', quit);
// A test killed outright cannot send SIGTERM; its orphan goes by itself.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) quit();
}, 500).unref();
