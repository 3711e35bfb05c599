// api.js: calls to casetrail's HTTP API (docs/api.md) from the browser.
//
//   api.get(path, query?)     GET; query: {name: value}, empty values left out
//   api.post(path, body)      POST a JSON body
//   api.put(path, body)       PUT a JSON body
//   api.del(path)             DELETE
//   api.session()             GET /v1/session: {user, role, team, csrf_token, expires_at} when
//                             signed in by cookie, null when not (401)
//   api.signIn(token)         POST /v1/session {token}: opens a session (the cookie is set by the
//                             server, HttpOnly: no script ever sees it)
//   api.signOut()             DELETE /v1/session
//   apiPath`/v1/children/${id}/chronology`   a path with each ${value} URL-encoded
//
// Each call answers the parsed JSON body, or throws an ApiError (status, code, message, field,
// rule, body) for any answer that is not 2xx (status 0: the server could not be reached).
//
// The session: the page never holds the access token. The browser sends the session cookie
// (credentials 'same-origin'), and every write carries the session's CSRF token in X-CSRF-Token.
// The CSRF token lives in this module's variable only (never in web storage, a URL or a log); it
// comes from api.session() or api.signIn(), so call api.session() on each page load
// (page.js's startPage() does).
//
// A 401 from any call but the session's own (/v1/session) means the session has ended: the
// browser is sent to the sign-in page and the call never settles (the page is going away).

let csrfToken = null;

/** An answer from the API that is not 2xx. */
export class ApiError extends Error {
  /**
   * @param {number} status  the HTTP status (0: no answer)
   * @param {object|null} body  the parsed JSON body, if any
   * @param {string} [fallback]  the message when the body has none
   */
  constructor(status, body, fallback) {
    const error = body && typeof body === 'object' && body.error ? body.error : {};
    super(error.message || fallback || `the server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code ?? null;        // e.g. 'unauthenticated', 'forbidden', 'refused'
    this.field = error.field ?? null;      // the request field at fault (400)
    this.rule = error.rule ?? null;        // the workflow rule (403 forbidden_role, 422 ...)
    this.body = body;                      // the whole answer (422 has states, allowed_actions)
  }
}

/** A path with each interpolated value URL-encoded: apiPath`/v1/children/${id}`. */
export function apiPath(strings, ...values) {
  return strings.reduce((path, s, i) => path + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.append(name, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

function isSessionPath(path) {
  return path === '/v1/session' || path.startsWith('/v1/session?');
}

function never() {
  return new Promise(() => {});
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null, 'the server could not be reached');
  }
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  if (response.status === 401 && !isSessionPath(path)) {
    csrfToken = null;
    window.location.assign('/');
    return never();
  }
  throw new ApiError(response.status, data, response.statusText);
}

export const api = {
  get: (path, query) => request('GET', withQuery(path, query)),
  post: (path, body = {}) => request('POST', path, body),
  put: (path, body = {}) => request('PUT', path, body),
  del: (path) => request('DELETE', path),

  /** @returns {Promise<{user, role, team, csrf_token, expires_at}|null>} */
  async session() {
    try {
      const session = await request('GET', '/v1/session');
      csrfToken = session.csrf_token ?? null;
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        csrfToken = null;
        return null;
      }
      throw error;
    }
  },

  /** Throws ApiError 401 (code 'unauthenticated') for a token that is not valid. */
  async signIn(token) {
    const session = await request('POST', '/v1/session', { token });
    csrfToken = session.csrf_token ?? null;
    return session;
  },

  async signOut() {
    try {
      return await request('DELETE', '/v1/session');
    } finally {
      csrfToken = null;
    }
  },
};
