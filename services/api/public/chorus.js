// Shared by the pages: the API is the same origin; every call answers JSON or throws the problem's detail.

// Where the API asks for keys (API_KEYS), the page carries one: given once as ?key=… (then kept in this browser and
// taken out of the address bar), or asked for when the API answers 401.
const KEY = 'chorus.apiKey';
const given = new URLSearchParams(location.search).get('key');
if (given) {
  localStorage.setItem(KEY, given);
  const url = new URL(location.href);
  url.searchParams.delete('key');
  history.replaceState(null, '', url);
}
const apiKey = () => localStorage.getItem(KEY);

export async function api(path, options = {}, retried = false) {
  const key = apiKey();
  const res = await fetch(path, {
    ...options,
    headers: { accept: 'application/json', ...(options.body ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && !retried) {
    const entered = prompt('This Chorus asks for an API key:');
    if (entered) {
      localStorage.setItem(KEY, entered.trim());
      return api(path, options, true);
    }
  }
  if (!res.ok) throw new Error(body?.detail ?? body?.title ?? `HTTP ${res.status}`);
  return body;
}

/** EventSource cannot send headers: the stream takes the key as access_token. */
export function streamUrl(path) {
  const key = apiKey();
  if (!key) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(key)}`;
}

export const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body ?? {}) });

/** Text as a DOM text node: mentions are user content and never become markup. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export function ago(iso, now = Date.now()) {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function waited(seconds) {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

export const params = new URLSearchParams(location.search);

/** Keeps the page's clock line honest: when the data was last refreshed, or what went wrong. */
export function stamp(node, error) {
  node.textContent = error ? `not updated: ${error.message}` : `updated ${new Date().toLocaleTimeString()}`;
  node.classList.toggle('error', Boolean(error));
}
