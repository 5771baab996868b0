// Every call of the console goes through the public API with the key the user typed in (kept in this tab's
// sessionStorage only), so the console can do nothing that key cannot.

const KEY = 'engram.console.key';

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key) {
  if (key) {
    sessionStorage.setItem(KEY, key);
  } else {
    sessionStorage.removeItem(KEY);
  }
}

/**
 * api('/v1/memories', {method, body, query, headers}) → the reply's parsed JSON (null for an empty body).
 * Fails with an Error carrying status (0: no answer), code, field and body (the API's JSON error body).
 */
export async function api(path, {method = 'GET', body, query, headers} = {}) {
  const url = new URL(path.startsWith('/') ? path : '/v1/' + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const h = {'Accept': 'application/json', ...(headers || {})};
  const key = apiKey();
  if (key) h['Authorization'] = 'Bearer ' + key;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, {method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer'});
  } catch (e) {
    const err = new Error('no answer from the server: ' + e.message);
    err.status = 0;
    throw err;
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!res.ok) {
    const info = json && json.error ? json.error : {};
    const err = new Error(info.message || res.statusText || 'HTTP ' + res.status);
    err.status = res.status;
    err.code = info.code;
    err.field = info.field;
    err.body = json;
    throw err;
  }
  return json;
}
