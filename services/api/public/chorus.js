// Shared by the pages: the API is the same origin; every call answers JSON or throws the problem's detail.

// Where the API asks for a login, the page carries a credential: an access token from the company's OpenID Connect
// provider (authorization code + PKCE, see login() and callback.js), or an API key given once as ?key=… (then kept in
// this browser and taken out of the address bar), or asked for when the API answers 401 and no provider is set up.
const KEY = 'chorus.apiKey';
const EXPIRES = 'chorus.tokenExpiresAt';
const given = new URLSearchParams(location.search).get('key');
if (given) {
  localStorage.setItem(KEY, given);
  localStorage.removeItem(EXPIRES);
  const url = new URL(location.href);
  url.searchParams.delete('key');
  history.replaceState(null, '', url);
}
const apiKey = () => {
  const expires = Number(localStorage.getItem(EXPIRES) ?? 0);
  if (expires && expires < Date.now()) {
    localStorage.removeItem(KEY);
    localStorage.removeItem(EXPIRES);
  }
  return localStorage.getItem(KEY);
};

let loginConfig;
const config = async () => (loginConfig ??= fetch('/v1/auth/config').then((r) => (r.ok ? r.json() : { mode: 'local' })).catch(() => ({ mode: 'local' })));

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Sends the browser to the provider's login (PKCE: the code is useless to anyone without this tab's verifier). Once
 * per page: every call that got a 401 meanwhile waits for the same navigation.
 */
let loggingIn;
export function login() {
  return (loggingIn ??= startLogin());
}

async function startLogin() {
  const cfg = await config();
  if (!cfg.oidc) return false;
  const discovery = await (await fetch(new URL('.well-known/openid-configuration', cfg.oidc.issuer.endsWith('/') ? cfg.oidc.issuer : `${cfg.oidc.issuer}/`))).json();
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const redirect = `${location.origin}/login/callback`;
  sessionStorage.setItem('chorus.login', JSON.stringify({ verifier, state, back: location.href, redirect, clientId: cfg.oidc.clientId, tokenEndpoint: discovery.token_endpoint }));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({ response_type: 'code', client_id: cfg.oidc.clientId, redirect_uri: redirect, scope: cfg.oidc.scope, state, code_challenge: challenge, code_challenge_method: 'S256' }).toString();
  location.assign(url.toString());
  return new Promise(() => {}); // the page is going away
}

/** Who this page runs as (the API's principal), or null when it cannot tell. */
export async function whoami() {
  try {
    return await api('/v1/auth/me');
  } catch {
    return null;
  }
}

/** Forgets this browser's login or key. */
export function logout() {
  localStorage.removeItem(KEY);
  localStorage.removeItem(EXPIRES);
}

export async function api(path, options = {}, retried = false) {
  const key = apiKey();
  const res = await fetch(path, {
    ...options,
    headers: { accept: 'application/json', ...(options.body ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && !retried) {
    logout();
    if ((await config()).oidc) return login();
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
