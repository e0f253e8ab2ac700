// api.js: the JSON API with the session cookie and the CSRF token. The token
// comes from the login answer or GET /api/v1/session and lives only in
// memory (never in storage); every request other than GET/HEAD sends it.

let csrf = null;
let current; // undefined: not asked yet; null: not logged in; else {account, csrf_token}
let pending = null;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || String(status));
    this.status = status;
    this.body = body || {};
  }
  // [{field, message}] from a problem+json answer
  get fields() {
    return Array.isArray(this.body.errors) ? this.body.errors : [];
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
