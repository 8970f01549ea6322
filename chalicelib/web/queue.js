/* The offline queue ("outbox", IndexedDB): every submission is written here with its Idempotency-Key,
 * then sent. A network failure or timeout leaves it queued; it is sent again (same key, same body)
 * when the connection returns, so the server stores it once. The outbox survives a reload.
 */
import { html, t, newKey, setStatus, clearErrors, showFieldErrors } from './render.js';
import { api, me, token, NetworkError } from './net.js';
import { errorMessage, entryError } from './errors.js';

let dbPromise = null;
function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open('fielddesk', 1);
      req.onupgradeneeded = () => { req.result.createObjectStore('outbox', { keyPath: 'id' }); };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbPromise;
}
function tx(mode, fn) {
  return db().then((d) => new Promise((resolve, reject) => {
    const x = d.transaction('outbox', mode);
    const result = fn(x.objectStore('outbox'));
    x.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
    x.onerror = () => reject(x.error);
    x.onabort = () => reject(x.error);
  }));
}
export function outboxPut(entry) { return tx('readwrite', (s) => { s.put(entry); }); }
export function outboxDelete(id) { return tx('readwrite', (s) => { s.delete(id); }); }
export function outboxAll() {
  return tx('readonly', (s) => s.getAll()).then((all) => {
    const mine = (me() || {}).staff_id;
    return (all || []).filter((e) => !mine || e.staff_id === mine)
      .sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
  });
}

const inFlight = {};

/* Send one outbox entry. Resolves {state: 'sent'|'queued'|'rejected', response}. */
function deliver(entry) {
  if (inFlight[entry.id]) return inFlight[entry.id];
  const p = (navigator.onLine === false ? Promise.resolve({ state: 'queued' }) : uploadPhotos(entry).then((up) => {
    if (up) return up;
    return api(entry.method, entry.path, entry.body, { key: entry.key }).then((r) => settle(entry, r));
  })).catch((err) => {
    if (err instanceof NetworkError) {
      entry.state = 'queued';
      entry.last_error = err.code;
      entry.error = null;
      return outboxPut(entry).then(() => ({ state: 'queued' }));
    }
    throw err;
  });
  inFlight[entry.id] = p;
  return p.then((res) => { delete inFlight[entry.id]; refreshBadge(); return res; },
    (err) => { delete inFlight[entry.id]; refreshBadge(); throw err; });
}

export function retryable(r) {
  // 5xx and throttling come back later; a 409 with code in_progress (the same submission
  // is still being processed) is the idempotency guard and also resolves by itself.
  const e = r && r.data && r.data.error;
  return r.status >= 500 || r.status === 429 || r.status === 408 ||
    (r.status === 409 && !!e && e.code === 'in_progress');
}

/* The refusal is kept as the API gave it (code, details), and put in words when shown. */
function keepError(entry, r) {
  const e = (r.data && r.data.error) || {};
  entry.error = { status: r.status, code: e.code, details: e.details || [] };
  entry.last_error = null;
}

function settle(entry, r) {
  if (r.status >= 200 && r.status < 300) {
    return outboxDelete(entry.id).then(() => ({ state: 'sent', response: r }));
  }
  if (retryable(r)) {
    entry.state = 'queued';
    keepError(entry, r);
    return outboxPut(entry).then(() => ({ state: 'queued', response: r }));
  }
  // Refused for good (validation, collision, permission): keep it visible in the outbox only
  // when no form is on screen to show the errors, so nothing typed offline is silently lost.
  if (entry.interactive) {
    return outboxDelete(entry.id).then(() => ({ state: 'rejected', response: r }));
  }
  entry.state = 'failed';
  keepError(entry, r);
  return outboxPut(entry).then(() => ({ state: 'rejected', response: r }));
}

/* Photos: presign (idempotent per photo), POST to S3, then the log carries the keys. */
function uploadPhotos(entry) {
  if (!entry.photos || !entry.photos.length) return Promise.resolve(null);
  const keys = entry.body.photo_keys || [];
  let chain = Promise.resolve(null);
  entry.photos.forEach((photo, i) => {
    chain = chain.then((stop) => {
      if (stop || keys[i]) return stop;
      return api('POST', '/v1/visits/photos', { content_type: photo.type, size_bytes: photo.blob.size },
        { key: entry.key + '-photo-' + i }).then((r) => {
        if (r.status !== 201) {
          if (retryable(r)) throw new NetworkError('retry_later');
          const details = (r.data && r.data.error && r.data.error.details) || [];
          r.data = { error: { code: 'photo', message: errorMessage(r),
            details: details.map((d) => ({ field: 'photos', message: d.message, type: d.type })) } };
          return settle(entry, r);
        }
        return s3Post(r.data, photo.blob).then(() => {
          keys[i] = r.data.photo_key;
          entry.body.photo_keys = keys;
          return outboxPut(entry).then(() => null);
        });
      });
    });
  });
  return chain.then((stop) => {
    if (stop) return stop;
    entry.photos = [];  // uploaded: the keys in the body are all the log needs now
    return outboxPut(entry).then(() => null);
  });
}

function s3Post(presigned, blob) {
  const form = new FormData();
  Object.keys(presigned.fields || {}).forEach((k) => form.append(k, presigned.fields[k]));
  form.append('file', blob);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 60000);
  return fetch(presigned.upload_url, { method: 'POST', body: form, signal: ctl.signal }).then((resp) => {
    clearTimeout(timer);
    if (!resp.ok) throw new NetworkError('photo_upload');
  }, () => {
    clearTimeout(timer);
    throw new NetworkError('network');
  });
}

let flushing = null;
/* Sends what is queued; when something changed, the page listening for `fd:flushed` re-renders. */
export function flushOutbox() {
  if (flushing || navigator.onLine === false || !token()) return flushing || Promise.resolve();
  let changed = false;
  flushing = outboxAll().then((entries) => {
    let chain = Promise.resolve();
    entries.filter((e) => e.state !== 'failed' && !inFlight[e.id]).forEach((e) => {
      e.interactive = false;
      chain = chain.then(() => deliver(e)).then((res) => {
        if (res.state !== 'queued') changed = true;
      }).catch(() => {});
    });
    return chain;
  }).then(() => {
    flushing = null;
    refreshBadge();
    if (changed) window.dispatchEvent(new CustomEvent('fd:flushed'));
  }, () => { flushing = null; });
  return flushing;
}

export function refreshBadge() {
  const badge = document.getElementById('outbox-badge');
  if (!token()) { badge.hidden = true; return; }
  outboxAll().then((all) => {
    badge.hidden = all.length === 0;
    badge.textContent = t('outbox.badge', { n: all.length });
  }).catch(() => {});
}

/* Queue, send, and report: the one path every form takes. onSent(response) renders success;
   onRejected(response) may take over a refusal (return true). */
export function submit(form, kind, method, path, body, photos, onSent, onRejected) {
  clearErrors(form);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  const entry = { id: newKey(), key: newKey(), kind, method, path, body,
    photos: photos || [], staff_id: (me() || {}).staff_id, created_at: new Date().toISOString(),
    state: 'sending', label: summaryOf(kind, body), interactive: true };
  setStatus(form, 'sending');
  return outboxPut(entry).then(() => deliver(entry)).then((res) => {
    button.disabled = false;
    if (res.state === 'sent') {
      setStatus(form, 'sent');
      form.reset();
      if (onSent) onSent(res.response);
    } else if (res.state === 'queued') {
      setStatus(form, 'queued');
      form.reset();
    } else {
      const r = res.response;
      if (onRejected && onRejected(r)) return;
      const unplaced = showFieldErrors(form, r.data && r.data.error && r.data.error.details);
      let msg = r.status === 400 ? t('state.fix') : t('state.failed', { msg: errorMessage(r) });
      if (unplaced.length) msg += ' — ' + unplaced.join('；');
      setStatus(form, 'failed', msg);
    }
  }).catch((err) => {
    button.disabled = false;
    setStatus(form, 'failed', t('state.failed', { msg: err.message || err }));
  });
}

function summaryOf(kind, body) {
  if (kind === 'visit') return (body.person_met || '') + ' · ' + (body.unit_name || body.outlet_id || '');
  if (kind === 'prospect') return body.name || '';
  if (kind === 'follow_up') return body.summary || '';
  if (kind === 'attempt') return (body.channel || '') + (body.reached ? ' ✓' : ' ✗');
  if (kind === 'leave') return (body.start_date || '') + (body.end_date && body.end_date !== body.start_date ? ' – ' + body.end_date : '');
  if (kind === 'declaration') return (body.month || '') + ' · ' + (body.account_ids || []).length;
  if (kind === 'complaint') return (body.account_id || '') + ' · ' + (body.content || '').slice(0, 20);
  if (kind === 'travel_report') return (body.day || '') + ' · ' + (body.location || '');
  return '';
}

export function queuedItems(kind, path) {
  return outboxAll().then((all) => all.filter((e) => e.kind === kind && (!path || e.path === path)))
    .catch(() => []);
}
export function queuedHtml(entries) {
  return entries.map((e) => html`<li class="card queued" data-queued="${e.id}"><span class="tag">${t('list.queued')}</span> ${e.label}${entryError(e) && html`<small>${entryError(e)}</small>`}</li>`);
}
