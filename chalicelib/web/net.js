/* The session and the JSON API on the same origin. */
import { t } from './render.js';

// The API lives on the same origin, one level above /app/ (so a stage prefix like /v1 is kept).
export const API = new URL('..', document.baseURI).pathname.replace(/\/$/, '');
const TIMEOUT_MS = 15000;

// --- session -------------------------------------------------------------------------------------
export function token() { return localStorage.getItem('fd.token'); }
export function me() { try { return JSON.parse(localStorage.getItem('fd.me') || 'null'); } catch (e) { return null; } }
export function signOut() {
  localStorage.removeItem('fd.token');
  localStorage.removeItem('fd.me');
  location.hash = '#/signin';
}

/* Where to go back after signing in: the page (phone or console, with its filters) the user was on when
   the session ended or was missing. Kept for the tab only (sessionStorage), so it survives the identity
   provider's redirect and nothing else. */
const RETURN = 'fd.return';
export function rememberReturn() {
  const hash = location.hash;
  if (!hash || hash === '#' || hash === '#/' || hash === '#/signin') return;
  sessionStorage.setItem(RETURN, JSON.stringify({ path: location.pathname, hash }));
}
export function takeReturn() {
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(RETURN) || 'null'); } catch (e) { saved = null; }
  sessionStorage.removeItem(RETURN);
  return saved && typeof saved.hash === 'string' && saved.hash.charAt(0) === '#' && typeof saved.path === 'string' &&
    saved.path.charAt(0) === '/' && saved.path.charAt(1) !== '/' ? saved : null;   // same origin only
}

// --- reachability --------------------------------------------------------------------------------
// navigator.onLine says only that a network is there (a bank outlet's LAN without a route out
// counts as online, and so may a page served by the service worker): the last call to the API
// that failed to connect says more.
let unreachable = false;

function setReachable(ok) {
  if (unreachable === !ok) return;
  unreachable = !ok;
  refreshNet();
}

export function refreshNet() {
  const net = document.getElementById('net');
  const offline = navigator.onLine === false || unreachable;
  net.textContent = offline ? t('net.offline') : '';
  net.className = 'net' + (offline ? ' offline' : '');
}

// --- HTTP ----------------------------------------------------------------------------------------
/* No answer: `code` is 'timeout' or 'network' (code.* in i18n). */
export class NetworkError extends Error {
  constructor(code) { super(t('code.' + code)); this.name = 'NetworkError'; this.code = code; }
}

export function api(method, path, body, opts) {
  opts = opts || {};
  const headers = { 'Accept': 'application/json' };
  if (token() && !opts.anonymous) headers.Authorization = 'Bearer ' + token();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeout || TIMEOUT_MS);
  return fetch(API + path, {
    method, headers, signal: ctl.signal, cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body)
  }).then((resp) => {
    clearTimeout(timer);
    setReachable(true);
    return resp.text().then((text) => {
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: { message: text } }; }
      if (resp.status === 401 && !opts.anonymous && !opts.signingIn) {
        rememberReturn();
        signOut();
        throw new Error(t('error.session'));
      }
      return { status: resp.status, data };
    });
  }, (err) => {
    clearTimeout(timer);
    setReachable(false);
    throw new NetworkError(err && err.name === 'AbortError' ? 'timeout' : 'network');
  });
}

// Reads: the last good answer is kept so lists still show something on a bad network.
export function getCached(path) {
  const cacheKey = 'fd.cache.' + ((me() || {}).staff_id || '') + path;
  return api('GET', path).then((r) => {
    if (r.status === 200) localStorage.setItem(cacheKey, JSON.stringify(r.data));
    return r;
  }, (err) => {
    const cached = localStorage.getItem(cacheKey);
    if (cached) return { status: 200, data: JSON.parse(cached), stale: true };
    throw err;
  });
}

export function listOrEmpty(path) {
  return getCached(path).catch((err) => ({ status: 0, data: { items: [] }, error: err }));
}

export { errorMessage } from './errors.js';
