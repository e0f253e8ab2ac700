// api.js: the JSON API with the session cookie and the CSRF token. The token
// comes from the login answer or GET /api/v1/session and lives only in
// memory (never in storage); every request other than GET/HEAD sends it.

import { t, has, fmtNumber } from './i18n.js';

let csrf = null;
let current; // undefined: not asked yet; null: not logged in; else {account, csrf_token}
let pending = null;

// The refusal in the reader's language: problem.<code> (or
// problem.field.<code> for an entry of errors[]) with the limits the server
// names ({max}, {min}, {allowed}); the server's English text when the table
// has no such key or the text needs a limit the answer does not give.
function translated(key, vars, english) {
  if (!has(key)) return english;
  const s = t(key, vars);
  return /\{\w+\}/.test(s) ? english : s;
}

function fieldText(e) {
  const vars = {};
  if (e.max !== undefined) vars.max = fmtNumber(e.max);
  if (e.min !== undefined) vars.min = fmtNumber(e.min);
  if (Array.isArray(e.allowed)) vars.allowed = e.allowed.join(', ');
  return translated('problem.field.' + e.code, vars, e.message || '');
}

export class ApiError extends Error {
  constructor(status, body) {
    const b = body || {};
    const english = b.detail || b.title || String(status);
    // a field's refusal is the clearer message for a whole-form problem
    const first = Array.isArray(b.errors) && b.errors.length ? b.errors[0] : null;
    super(first && first.code ? fieldText(first) : translated('problem.' + b.code, null, english));
    this.status = status;
    this.body = b;
    this.code = b.code || null;
    this.detail = english;
  }
  // [{field, message, code, text}] from a problem+json answer: message is
  // the server's English, text the same in the reader's language
  get fields() {
    return Array.isArray(this.body.errors) ? this.body.errors.map((e) => ({ ...e, text: fieldText(e) })) : [];
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = /json/.test(type) ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// The current session, asked once per page: {account, csrf_token} or null.
export function session() {
  if (current !== undefined) return Promise.resolve(current);
  if (!pending) {
    pending = api('GET', '/api/v1/session').then(
      (s) => { current = s; csrf = s.csrf_token; return s; },
      (e) => { if (e.status === 401) { current = null; return null; } pending = null; throw e; },
    );
  }
  return pending;
}

export async function login(email, password) {
  const s = await api('POST', '/api/v1/session', { email, password });
  current = s;
  csrf = s.csrf_token;
  return s;
}

export async function logout() {
  await session().catch(() => null);
  await api('DELETE', '/api/v1/session');
  current = null;
  csrf = null;
}
