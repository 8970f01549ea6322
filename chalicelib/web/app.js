/* FieldDesk mobile forms: plain JavaScript, no build step, nothing fetched from the internet.
 *
 * Every submission is first written to an outbox in IndexedDB with its Idempotency-Key, then
 * sent. A network failure or timeout leaves it queued; it is sent again (same key, same body)
 * when the connection returns, so the server stores it once. The outbox survives a reload.
 */
(function () {
  'use strict';

  var STRINGS = window.FD_I18N || { zh: {}, en: {} };
  var lang = localStorage.getItem('fd.lang') || 'zh';
  var main = document.getElementById('main');
  // The API lives on the same origin, one level above /app/ (so a stage prefix like /v1 is kept).
  var API = new URL('..', document.baseURI).pathname.replace(/\/$/, '');
  var TIMEOUT_MS = 15000;
  var RETRY_EVERY_MS = 20000;
  var MAX_PHOTOS = 9;
  var DEMO_USERS = ['cm-001', 'cm-002', 'cba-001', 'cba-002', 'cm-101'];

  // --- text ------------------------------------------------------------------------------------
  function t(key, vars) {
    var s = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || STRINGS.zh[key] || key;
    if (vars) {
      Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    }
    return s;
  }

  function esc(v) {
    return String(v == null ? '' : v).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // --- time ------------------------------------------------------------------------------------
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function localInput(d) {  // value for <input type=datetime-local>
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' +
      pad(d.getHours()) + ':' + pad(d.getMinutes());
  }
  function today() { return localInput(new Date()).slice(0, 10); }
  function withOffset(value) {  // "2026-11-20T10:00" -> "2026-11-20T10:00:00+08:00" (the phone's offset)
    if (!value) return null;
    var d = new Date(value);
    if (isNaN(d)) return value;
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? '+' : '-';
    off = Math.abs(off);
    return value.slice(0, 16) + ':00' + sign + pad(Math.floor(off / 60)) + ':' + pad(off % 60);
  }
  function shortTime(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 16) : ''; }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return 'fd-' + crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return 'fd-' + Array.prototype.map.call(a, function (b) { return pad16(b); }).join('');
  }
  function pad16(b) { return (b < 16 ? '0' : '') + b.toString(16); }

  // --- session ---------------------------------------------------------------------------------
  function token() { return localStorage.getItem('fd.token'); }
  function me() { try { return JSON.parse(localStorage.getItem('fd.me') || 'null'); } catch (e) { return null; } }
  function signOut() {
    localStorage.removeItem('fd.token');
    localStorage.removeItem('fd.me');
    location.hash = '#/signin';
  }

  // --- HTTP ------------------------------------------------------------------------------------
  function NetworkError(msg) { this.message = msg; this.name = 'NetworkError'; }

  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = { 'Accept': 'application/json' };
    if (token() && !opts.anonymous) headers.Authorization = 'Bearer ' + token();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, opts.timeout || TIMEOUT_MS);
    return fetch(API + path, {
      method: method, headers: headers, signal: ctl.signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (resp) {
      clearTimeout(timer);
      setReachable(true);
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: { message: text } }; }
        if (resp.status === 401 && !opts.anonymous && !opts.signingIn) {
          signOut();
          throw new Error(t('error.session'));
        }
        return { status: resp.status, data: data };
      });
    }, function (err) {
      clearTimeout(timer);
      setReachable(false);
      throw new NetworkError(err && err.name === 'AbortError' ? 'timeout' : t('error.network'));
    });
  }

  // Reads: the last good answer is kept so lists still show something on a bad network.
  function getCached(path) {
    var cacheKey = 'fd.cache.' + ((me() || {}).staff_id || '') + path;
    return api('GET', path).then(function (r) {
      if (r.status === 200) localStorage.setItem(cacheKey, JSON.stringify(r.data));
      return r;
    }, function (err) {
      var cached = localStorage.getItem(cacheKey);
      if (cached) return { status: 200, data: JSON.parse(cached), stale: true };
      throw err;
    });
  }

  function listOrEmpty(path) {
    return getCached(path).catch(function (err) {
      return { status: 0, data: { items: [] }, error: err };
    });
  }
  function listNotice(r) {
    return r.error ? '<p class="banner error" role="alert">' + esc(t('error.generic', { msg: r.error.message })) + '</p>' : '';
  }

  function errorMessage(r) {
    var e = r && r.data && r.data.error;
    return (e && e.message) || ('HTTP ' + (r && r.status));
  }

  // --- outbox (IndexedDB) ------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open('fielddesk', 1);
        req.onupgradeneeded = function () { req.result.createObjectStore('outbox', { keyPath: 'id' }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var x = d.transaction('outbox', mode);
        var result = fn(x.objectStore('outbox'));
        x.oncomplete = function () { resolve(result && 'result' in result ? result.result : undefined); };
        x.onerror = function () { reject(x.error); };
        x.onabort = function () { reject(x.error); };
      });
    });
  }
  function outboxPut(entry) { return tx('readwrite', function (s) { s.put(entry); }); }
  function outboxDelete(id) { return tx('readwrite', function (s) { s.delete(id); }); }
  function outboxAll() {
    return tx('readonly', function (s) { return s.getAll(); }).then(function (all) {
      var mine = (me() || {}).staff_id;
      return (all || []).filter(function (e) { return !mine || e.staff_id === mine; })
        .sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    });
  }

  var inFlight = {};

  /* Send one outbox entry. Resolves {state: 'sent'|'queued'|'rejected', response}. */
  function deliver(entry) {
    if (inFlight[entry.id]) return inFlight[entry.id];
    var p = (navigator.onLine === false ? Promise.resolve({ state: 'queued' }) : uploadPhotos(entry).then(function (up) {
      if (up) return up;
      return api(entry.method, entry.path, entry.body, { key: entry.key }).then(function (r) {
        return settle(entry, r);
      });
    })).catch(function (err) {
      if (err instanceof NetworkError) {
        entry.state = 'queued';
        entry.last_error = err.message;
        return outboxPut(entry).then(function () { return { state: 'queued' }; });
      }
      throw err;
    });
    inFlight[entry.id] = p;
    return p.then(function (res) { delete inFlight[entry.id]; refreshBadge(); return res; },
      function (err) { delete inFlight[entry.id]; refreshBadge(); throw err; });
  }

  function retryable(r) {
    // 5xx and throttling come back later; a 409 with code in_progress (the same submission
    // is still being processed) is the idempotency guard and also resolves by itself.
    var e = r && r.data && r.data.error;
    return r.status >= 500 || r.status === 429 || r.status === 408 ||
      (r.status === 409 && !!e && e.code === 'in_progress');
  }

  function settle(entry, r) {
    if (r.status >= 200 && r.status < 300) {
      return outboxDelete(entry.id).then(function () { return { state: 'sent', response: r }; });
    }
    if (retryable(r)) {
      entry.state = 'queued';
      entry.last_error = errorMessage(r);
      return outboxPut(entry).then(function () { return { state: 'queued', response: r }; });
    }
    // Refused for good (validation, collision, permission): keep it visible in the outbox only
    // when no form is on screen to show the errors, so nothing typed offline is silently lost.
    if (entry.interactive) {
      return outboxDelete(entry.id).then(function () { return { state: 'rejected', response: r }; });
    }
    entry.state = 'failed';
    entry.last_error = errorMessage(r);
    return outboxPut(entry).then(function () { return { state: 'rejected', response: r }; });
  }

  /* Photos: presign (idempotent per photo), POST to S3, then the log carries the keys. */
  function uploadPhotos(entry) {
    if (!entry.photos || !entry.photos.length) return Promise.resolve(null);
    var keys = entry.body.photo_keys || [];
    var chain = Promise.resolve(null);
    entry.photos.forEach(function (photo, i) {
      chain = chain.then(function (stop) {
        if (stop || keys[i]) return stop;
        return api('POST', '/v1/visits/photos', { content_type: photo.type, size_bytes: photo.blob.size },
          { key: entry.key + '-photo-' + i }).then(function (r) {
          if (r.status !== 201) {
            if (retryable(r)) throw new NetworkError(errorMessage(r));
            var details = (r.data && r.data.error && r.data.error.details) || [];
            r.data = { error: { code: 'photo', message: errorMessage(r),
              details: details.map(function (d) { return { field: 'photos', message: d.message }; }) } };
            return settle(entry, r);
          }
          return s3Post(r.data, photo.blob).then(function () {
            keys[i] = r.data.photo_key;
            entry.body.photo_keys = keys;
            return outboxPut(entry).then(function () { return null; });
          });
        });
      });
    });
    return chain.then(function (stop) {
      if (stop) return stop;
      entry.photos = [];  // uploaded: the keys in the body are all the log needs now
      return outboxPut(entry).then(function () { return null; });
    });
  }

  function s3Post(presigned, blob) {
    var form = new FormData();
    Object.keys(presigned.fields || {}).forEach(function (k) { form.append(k, presigned.fields[k]); });
    form.append('file', blob);
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, 60000);
    return fetch(presigned.upload_url, { method: 'POST', body: form, signal: ctl.signal }).then(function (resp) {
      clearTimeout(timer);
      if (!resp.ok) throw new NetworkError('photo upload HTTP ' + resp.status);
    }, function () {
      clearTimeout(timer);
      throw new NetworkError(t('error.network'));
    });
  }

  var flushing = null;
  function flushOutbox() {
    if (flushing || navigator.onLine === false || !token()) return flushing || Promise.resolve();
    var changed = false;
    flushing = outboxAll().then(function (entries) {
      var chain = Promise.resolve();
      entries.filter(function (e) { return e.state !== 'failed' && !inFlight[e.id]; }).forEach(function (e) {
        e.interactive = false;
        chain = chain.then(function () { return deliver(e); }).then(function (res) {
          if (res.state !== 'queued') changed = true;
        }).catch(function () {});
      });
      return chain;
    }).then(function () {
      flushing = null;
      refreshBadge();
      if (changed && document.querySelector('[data-refresh-on-flush]')) route();
    }, function () { flushing = null; });
    return flushing;
  }

  function refreshBadge() {
    var badge = document.getElementById('outbox-badge');
    if (!token()) { badge.hidden = true; return; }
    outboxAll().then(function (all) {
      badge.hidden = all.length === 0;
      badge.textContent = t('outbox.badge', { n: all.length });
    }).catch(function () {});
  }

  // navigator.onLine says only that a network is there (a bank outlet's LAN without a route out
  // counts as online, and so may a page served by the service worker): the last call to the API
  // that failed to connect says more.
  var unreachable = false;

  function setReachable(ok) {
    if (unreachable === !ok) return;
    unreachable = !ok;
    refreshNet();
  }

  function refreshNet() {
    var net = document.getElementById('net');
    var offline = navigator.onLine === false || unreachable;
    net.textContent = offline ? t('net.offline') : '';
    net.className = 'net' + (offline ? ' offline' : '');
  }

  // --- forms -----------------------------------------------------------------------------------
  function field(name, label, control, opts) {
    opts = opts || {};
    var id = 'f-' + name.replace(/\./g, '-');
    return '<div class="field' + (opts.cls ? ' ' + opts.cls : '') + '" data-field="' + esc(name) + '"' +
      (opts.hidden ? ' hidden' : '') + '>' +
      '<label for="' + id + '">' + esc(label) + (opts.optional ? '<span class="opt">' + esc(t('form.optional')) + '</span>' : '') +
      '</label>' + control.replace('{id}', id) +
      '<p class="field-error" id="' + id + '-err" hidden></p></div>';
  }
  function input(name, type, attrs) {
    return '<input id="{id}" name="' + esc(name) + '" type="' + type + '" ' + (attrs || '') + '>';
  }
  function textarea(name, attrs) { return '<textarea id="{id}" name="' + esc(name) + '" rows="3" ' + (attrs || '') + '></textarea>'; }
  function select(name, options, attrs) {
    return '<select id="{id}" name="' + esc(name) + '" ' + (attrs || '') + '>' + options.map(function (o) {
      return '<option value="' + esc(o[0]) + '"' + (o[2] ? ' selected' : '') + '>' + esc(o[1]) + '</option>';
    }).join('') + '</select>';
  }
  function check(name, label) {
    var id = 'f-' + name.replace(/\./g, '-');
    return '<div class="field check" data-field="' + esc(name) + '"><label for="' + id + '"><input id="' + id +
      '" name="' + esc(name) + '" type="checkbox"> ' + esc(label) + '</label><p class="field-error" id="' + id +
      '-err" hidden></p></div>';
  }
  function radios(name, options) {
    return '<div class="radios" role="radiogroup" id="{id}">' + options.map(function (o, i) {
      var rid = 'f-' + name + '-' + i;
      return '<label for="' + rid + '" class="radio"><input type="radio" id="' + rid + '" name="' + esc(name) +
        '" value="' + esc(o[0]) + '"' + (o[2] ? ' checked' : '') + '> ' + esc(o[1]) + '</label>';
    }).join('') + '</div>';
  }
  function statusBox() { return '<div class="status" role="status" aria-live="polite" hidden></div>'; }
  function submitButton() { return '<button type="submit" class="primary">' + esc(t('form.submit')) + '</button>'; }

  function val(form, name) {
    var el = form.elements[name];
    if (!el) return null;
    if (el.type === 'checkbox') return el.checked;
    var v = (el.value || '').trim();
    return v === '' ? null : v;
  }
  function compact(obj) {  // drop empty optional fields
    var out = {};
    Object.keys(obj).forEach(function (k) { if (obj[k] !== null && obj[k] !== undefined) out[k] = obj[k]; });
    return out;
  }

  function setStatus(form, state, msg) {
    var box = form.querySelector('.status');
    box.hidden = false;
    box.className = 'status ' + state;
    box.setAttribute('data-state', state);
    box.textContent = msg || t('state.' + state);
  }

  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach(function (p) { p.hidden = true; p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
    form.querySelectorAll('.field.invalid').forEach(function (el) { el.classList.remove('invalid'); });
  }

  /* The API's 400 details name fields; mark each one next to its input. */
  function showFieldErrors(form, details) {
    var unplaced = [];
    var first = null;
    (details || []).forEach(function (d) {
      var name = String(d.field || '');
      var msg = (d.type && STRINGS[lang]['err.' + d.type]) ? t('err.' + d.type) + '（' + d.message + '）' : d.message;
      var box = form.querySelector('[data-field="' + cssEsc(name) + '"]') ||
        form.querySelector('[data-field="' + cssEsc(name.split('.')[0]) + '"]');
      if (!box || box.hidden) { unplaced.push(name + ': ' + d.message); return; }
      var p = box.querySelector('.field-error');
      p.hidden = false;
      p.textContent = p.textContent ? p.textContent + '；' + msg : msg;
      box.classList.add('invalid');
      var ctl = box.querySelector('input,select,textarea');
      if (ctl) { ctl.setAttribute('aria-invalid', 'true'); ctl.setAttribute('aria-describedby', p.id); }
      first = first || ctl;
    });
    if (first) first.focus();
    return unplaced;
  }
  function cssEsc(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/"/g, '\\"'); }

  /* Queue, send, and report: the one path every form takes. onSent(response) renders success. */
  function submit(form, kind, method, path, body, photos, onSent, onRejected) {
    clearErrors(form);
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    var entry = { id: newKey(), key: newKey(), kind: kind, method: method, path: path, body: body,
      photos: photos || [], staff_id: (me() || {}).staff_id, created_at: new Date().toISOString(),
      state: 'sending', label: summaryOf(kind, body), interactive: true };
    setStatus(form, 'sending');
    return outboxPut(entry).then(function () { return deliver(entry); }).then(function (res) {
      button.disabled = false;
      if (res.state === 'sent') {
        setStatus(form, 'sent');
        form.reset();
        if (onSent) onSent(res.response);
      } else if (res.state === 'queued') {
        setStatus(form, 'queued');
        form.reset();
      } else {
        var r = res.response;
        if (onRejected && onRejected(r)) return;
        var unplaced = showFieldErrors(form, r.data && r.data.error && r.data.error.details);
        var msg = r.status === 400 ? t('state.fix') : t('state.failed', { msg: errorMessage(r) });
        if (unplaced.length) msg += ' — ' + unplaced.join('；');
        setStatus(form, 'failed', msg);
      }
    }).catch(function (err) {
      button.disabled = false;
      setStatus(form, 'failed', t('state.failed', { msg: err.message || err }));
    });
  }

  function summaryOf(kind, body) {
    if (kind === 'visit') return (body.person_met || '') + ' · ' + (body.unit_name || body.outlet_id || '');
    if (kind === 'prospect') return body.name || '';
    if (kind === 'follow_up') return body.summary || '';
    if (kind === 'attempt') return (body.channel || '') + (body.reached ? ' ✓' : ' ✗');
    if (kind === 'complaint') return (body.account_id || '') + ' · ' + (body.content || '').slice(0, 20);
    return '';
  }

  function queuedItems(kind, path) {
    return outboxAll().then(function (all) {
      return all.filter(function (e) { return e.kind === kind && (!path || e.path === path); });
    }).catch(function () { return []; });
  }
  function queuedHtml(entries) {
    return entries.map(function (e) {
      return '<li class="card queued" data-queued="' + esc(e.id) + '"><span class="tag">' + esc(t('list.queued')) +
        '</span> ' + esc(e.label) + (e.last_error ? '<small>' + esc(e.last_error) + '</small>' : '') + '</li>';
    }).join('');
  }

  // --- pages -----------------------------------------------------------------------------------
  // Pages render after their reads finish; a page whose route is no longer current must not
  // overwrite the one the user moved on to.
  var STALE = { stale: true };
  window.addEventListener('unhandledrejection', function (ev) { if (ev.reason === STALE) ev.preventDefault(); });

  function page(at, title, body, back) {
    if (location.hash !== at) throw STALE;
    document.title = title + ' · FieldDesk';
    main.innerHTML = (back ? '<a class="back" href="' + back + '">' + esc(t('nav.back')) + '</a>' : '') +
      '<h1>' + esc(title) + '</h1>' + body;
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  function showError(err) {
    if (err === STALE) return;
    main.insertAdjacentHTML('beforeend', '<p class="banner error" role="alert">' +
      esc(t('error.generic', { msg: err && err.message || err })) + '</p>');
  }

  var config = null;
  function loadConfig() {
    if (config) return Promise.resolve(config);
    return fetch('config.json', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (c) {
      config = c;
      localStorage.setItem('fd.config', JSON.stringify(c));
      return c;
    }, function () {
      config = JSON.parse(localStorage.getItem('fd.config') || '{"sign_in":"demo"}');
      return config;
    });
  }

  function signInPage() {
    var at = location.hash;
    loadConfig().then(function (c) {
      if (c.sign_in === 'cognito') return cognitoSignIn(c);
      page(at, t('signin.title'),
        '<p>' + esc(t('signin.demo_intro')) + '</p>' +
        '<form id="demo-form" novalidate>' +
        field('staff_id', t('signin.demo_user'), select('staff_id', DEMO_USERS.map(function (u, i) { return [u, u, i === 0]; }))) +
        statusBox() + '<button type="submit" class="primary">' + esc(t('signin.demo_button')) + '</button></form>' +
        '<form id="token-form" novalidate>' +
        field('token', t('signin.token'), textarea('token', 'autocomplete="off" spellcheck="false"')) +
        statusBox() + '<button type="submit" class="secondary">' + esc(t('signin.token_button')) + '</button></form>');
      var demo = document.getElementById('demo-form');
      demo.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearErrors(demo);
        setStatus(demo, 'sending');
        api('POST', '/v1/dev/token', { staff_id: val(demo, 'staff_id') }, { anonymous: true }).then(function (r) {
          if (r.status !== 200) {
            showFieldErrors(demo, r.data && r.data.error && r.data.error.details);
            return setStatus(demo, 'failed', t('signin.failed', { msg: errorMessage(r) }));
          }
          startSession(r.data.token, demo);
        }, function (err) { setStatus(demo, 'failed', t('signin.failed', { msg: err.message })); });
      });
      var tf = document.getElementById('token-form');
      tf.addEventListener('submit', function (ev) {
        ev.preventDefault();
        startSession((val(tf, 'token') || '').replace(/^Bearer\s+/i, ''), tf);
      });
    });
  }

  function startSession(tok, form) {
    localStorage.setItem('fd.token', tok);
    setStatus(form, 'sending');
    return api('GET', '/v1/me', undefined, { signingIn: true }).then(function (r) {
      if (r.status !== 200) throw new Error(errorMessage(r));
      localStorage.setItem('fd.me', JSON.stringify(r.data));
      location.hash = '#/';
      route();
    }).catch(function (err) {
      localStorage.removeItem('fd.token');
      setStatus(form, 'failed', t('signin.failed', { msg: err.message }));
    });
  }

  /* Production: Cognito hosted UI, authorization code with PKCE. NOT TESTABLE HERE (no Cognito locally). */
  function cognitoSignIn(c) {
    var at = location.hash;
    var cog = c.cognito || {};
    var redirect = new URL('./', document.baseURI).href;
    var params = new URLSearchParams(location.search);
    if (params.get('code')) return cognitoCallback(cog, params, redirect);
    page(at, t('signin.title'), '<p>' + esc(t(cog.domain ? 'signin.cognito_intro' : 'signin.cognito_missing')) + '</p>' +
      (cog.domain ? '<button type="button" class="primary" id="cognito">' + esc(t('signin.cognito_button')) + '</button>' : ''));
    var b = document.getElementById('cognito');
    if (!b) return;
    b.addEventListener('click', function () {
      var verifier = newKey() + newKey();
      var state = newKey();
      sessionStorage.setItem('fd.pkce', JSON.stringify({ verifier: verifier, state: state }));
      crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then(function (hash) {
        var challenge = btoa(String.fromCharCode.apply(null, new Uint8Array(hash)))
          .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        location.href = cog.domain + '/oauth2/authorize?' + new URLSearchParams({
          response_type: 'code', client_id: cog.client_id, redirect_uri: redirect, state: state,
          scope: (cog.scopes || ['openid']).join(' '), code_challenge: challenge, code_challenge_method: 'S256'
        }).toString();
      });
    });
  }

  function cognitoCallback(cog, params, redirect) {
    var at = location.hash;
    var saved = JSON.parse(sessionStorage.getItem('fd.pkce') || '{}');
    history.replaceState(null, '', redirect);
    if (!saved.state || saved.state !== params.get('state')) return signInPage();
    fetch(cog.domain + '/oauth2/token', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cog.client_id, code: params.get('code'),
        redirect_uri: redirect, code_verifier: saved.verifier }).toString()
    }).then(function (r) { return r.json(); }).then(function (tok) {
      sessionStorage.removeItem('fd.pkce');
      var bearer = signInToken(cog, tok);
      if (!bearer) throw new Error((tok && tok.error) || 'no ' + (cog.token_use || 'id') + ' token');
      page(at, t('signin.title'), statusBox());
      startSession(bearer, main);
    }).catch(function (err) { page(at, t('signin.title'), ''); showError(err); });
  }

  /* The token the API verifies (config.json cognito.token_use, FIELDDESK_JWT_TOKEN_USE): the ID token
     unless the stack says access. Cognito access tokens carry no custom:staff_id. */
  function signInToken(cog, tok) {
    return (tok || {})[(cog && cog.token_use === 'access') ? 'access_token' : 'id_token'];
  }

  function homePage() {
    var at = location.hash;
    var m = me();
    var links = [];
    if (m.role === 'client_manager') {
      links = [['#/visits/new', 'nav.visit_new'], ['#/visits', 'nav.visits'], ['#/prospects/new', 'nav.prospect_new'],
        ['#/prospects', 'nav.prospects'], ['#/complaints/new', 'nav.complaint_new']];
    } else if (m.role === 'callback_agent') {
      links = [['#/tasks', 'nav.tasks']];
    }
    links.push(['#/outbox', 'nav.outbox']);
    page(at, t('home.hello', { name: m.name || m.staff_id }),
      '<p class="muted">' + esc(t('home.role.' + m.role)) + ' · ' + esc(m.staff_id) + ' · ' + esc(m.branch_id) + '</p>' +
      (links.length === 1 ? '<p>' + esc(t('home.no_forms')) + '</p>' : '') +
      '<nav class="menu">' + links.map(function (l) {
        return '<a class="tile" href="' + l[0] + '">' + esc(t(l[1])) + '</a>';
      }).join('') + '</nav><button type="button" class="link" id="signout">' + esc(t('signout')) + '</button>');
    document.getElementById('signout').addEventListener('click', signOut);
  }

  function outlets() {
    return getCached('/v1/outlets?limit=100').then(function (r) { return r.status === 200 ? r.data.items : []; })
      .catch(function () { return []; });
  }

  // Visit log ------------------------------------------------------------------------------------
  function visitFormPage() {
    var at = location.hash;
    var kinds = ['outlet_shift', 'on_site', 'phone', 'wechat_sms', 'online', 'seminar'];
    outlets().then(function (list) {
      var mine = (me() || {}).outlet_ids || [];
      var opts = list.map(function (o) { return [o.outlet_id, o.bank + ' ' + o.name, mine[0] === o.outlet_id]; });
      opts.push(['', t('visit.outlet_none'), !mine.length]);
      page(at, t('visit.title'), '<form id="visit-form" novalidate>' +
        field('kind', t('visit.kind'), select('kind', kinds.map(function (k, i) { return [k, t('visit.kind.' + k), i === 0]; }), 'required')) +
        field('visited_at', t('visit.visited_at'), input('visited_at', 'datetime-local', 'required value="' + localInput(new Date()) + '"')) +
        field('outlet_id', t('visit.outlet_id'), select('outlet_id', opts)) +
        field('unit_name', t('visit.unit_name'), input('unit_name', 'text', 'maxlength="100" autocomplete="organization"')) +
        field('person_met', t('visit.person_met'), input('person_met', 'text', 'required maxlength="50"')) +
        field('person_title', t('visit.person_title'), input('person_title', 'text', 'maxlength="50"'), { optional: true }) +
        field('person_contact', t('visit.person_contact'), input('person_contact', 'tel', 'maxlength="50" inputmode="tel"'), { optional: true }) +
        field('discussed', t('visit.discussed'), textarea('discussed', 'required maxlength="2000"')) +
        field('outcome', t('visit.outcome'), textarea('outcome', 'maxlength="1000"'), { optional: true }) +
        field('next_step', t('visit.next_step'), input('next_step', 'text', 'maxlength="1000"'), { optional: true }) +
        field('next_visit_date', t('visit.next_visit_date'), input('next_visit_date', 'date'), { optional: true }) +
        field('clients_count', t('visit.clients_count'), input('clients_count', 'number', 'min="0" max="500" value="1" inputmode="numeric"')) +
        check('location', t('visit.location')) + '<p class="hint" id="loc-state">' + esc(t('visit.location_hint')) + '</p>' +
        field('photos', t('visit.photos'), input('photos', 'file', 'accept="image/jpeg,image/png,image/webp" multiple'), { optional: true }) +
        '<p class="hint" id="photo-state" hidden></p>' +
        statusBox() + submitButton() + '</form>', '#/');
      var form = document.getElementById('visit-form');
      var where = null;
      var unit = form.querySelector('[data-field="unit_name"]');
      function toggleUnit() { unit.hidden = !!form.elements.outlet_id.value; }
      form.elements.outlet_id.addEventListener('change', toggleUnit);
      toggleUnit();
      form.elements.location.addEventListener('change', function () {
        var state = document.getElementById('loc-state');
        where = null;
        if (!form.elements.location.checked) { state.textContent = t('visit.location_hint'); return; }
        if (!navigator.geolocation) { state.textContent = t('visit.location_denied', { msg: 'unsupported' }); return; }
        state.textContent = t('visit.location_wait');
        navigator.geolocation.getCurrentPosition(function (pos) {
          where = { lat: +pos.coords.latitude.toFixed(6), lng: +pos.coords.longitude.toFixed(6),
            accuracy_m: Math.round(pos.coords.accuracy || 0) };
          state.textContent = t('visit.location_ok', { lat: where.lat, lng: where.lng, acc: where.accuracy_m });
        }, function (err) {
          form.elements.location.checked = false;
          state.textContent = t('visit.location_denied', { msg: err.message });
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
      form.elements.photos.addEventListener('change', function () {
        var n = form.elements.photos.files.length;
        var p = document.getElementById('photo-state');
        p.hidden = !n;
        p.textContent = n > MAX_PHOTOS ? t('visit.photos_too_many') : t('visit.photos_count', { n: n });
      });
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var files = Array.prototype.slice.call(form.elements.photos.files || []);
        if (files.length > MAX_PHOTOS) {
          clearErrors(form);
          return showFieldErrors(form, [{ field: 'photos', message: t('visit.photos_too_many') }]);
        }
        var count = val(form, 'clients_count');
        var body = compact({
          kind: val(form, 'kind'), visited_at: withOffset(val(form, 'visited_at')), outlet_id: val(form, 'outlet_id'),
          unit_name: val(form, 'outlet_id') ? null : val(form, 'unit_name'), person_met: val(form, 'person_met'),
          person_title: val(form, 'person_title'), person_contact: val(form, 'person_contact'),
          discussed: val(form, 'discussed'), outcome: val(form, 'outcome'), next_step: val(form, 'next_step'),
          next_visit_date: val(form, 'next_visit_date'), clients_count: count === null ? null : Number(count),
          location: where
        });
        var photos = files.map(function (f) { return { blob: f, type: f.type || 'image/jpeg', name: f.name }; });
        submit(form, 'visit', 'POST', '/v1/visits', body, photos, function (r) {
          setStatus(form, 'sent', t('state.sent') + ' · ' + shortTime(r.data.visited_at) + ' · ' + r.data.person_met);
          toggleUnit();
          document.getElementById('photo-state').hidden = true;
          document.getElementById('loc-state').textContent = t('visit.location_hint');
          where = null;
        });
      });
    });
  }

  function visitListPage() {
    var at = location.hash;
    Promise.all([listOrEmpty('/v1/visits?limit=50'), queuedItems('visit')]).then(function (res) {
      var r = res[0];
      var items = (r.data && r.data.items) || [];
      page(at, t('visit.list_title'), listNotice(r) + '<a class="button" href="#/visits/new">' + esc(t('nav.visit_new')) + '</a>' +
        '<ul class="list" id="visit-list" data-refresh-on-flush>' + queuedHtml(res[1]) + items.map(function (v) {
          return '<li class="card visit" data-visit="' + esc(v.visit_id) + '"><a href="#/visits/' + esc(v.visit_id) + '">' +
            '<strong>' + esc(v.person_met) + '</strong> · ' + esc(t('visit.kind.' + v.kind)) +
            '<small>' + esc(shortTime(v.visited_at)) + ' · ' + esc(v.unit_name || v.outlet_id || '') +
            (v.photo_keys && v.photo_keys.length ? ' · 📷 ' + v.photo_keys.length : '') + '</small>' +
            '<span class="clip">' + esc(v.discussed) + '</span></a></li>';
        }).join('') + '</ul>' + (!items.length && !res[1].length ? '<p class="muted">' + esc(t('visit.none')) + '</p>' : ''), '#/');
    }).catch(function (err) { page(at, t('visit.list_title'), '', '#/'); showError(err); });
  }

  function visitDetailPage(id) {
    var at = location.hash;
    api('GET', '/v1/visits/' + encodeURIComponent(id)).then(function (r) {
      if (r.status !== 200) throw new Error(errorMessage(r));
      var v = r.data;
      var rows = [['visit.kind', t('visit.kind.' + v.kind)], ['visit.visited_at', shortTime(v.visited_at)],
        ['visit.unit_name', v.unit_name || v.outlet_id], ['visit.person_met', v.person_met],
        ['visit.person_title', v.person_title], ['visit.person_contact', v.person_contact_masked],
        ['visit.discussed', v.discussed], ['visit.outcome', v.outcome], ['visit.next_step', v.next_step],
        ['visit.next_visit_date', v.next_visit_date], ['visit.clients_count', v.clients_count]];
      page(at, v.person_met, '<dl class="detail">' + rows.filter(function (x) { return x[1] !== null && x[1] !== undefined && x[1] !== ''; })
        .map(function (x) { return '<dt>' + esc(t(x[0])) + '</dt><dd>' + esc(x[1]) + '</dd>'; }).join('') + '</dl>' +
        '<div class="photos">' + (v.photo_urls || []).map(function (u, i) {
          return '<img src="' + esc(u) + '" alt="' + esc(t('visit.photo_alt', { n: i + 1 })) + '" loading="lazy">';
        }).join('') + '</div>', '#/visits');
    }).catch(function (err) { page(at, t('visit.list_title'), '', '#/visits'); showError(err); });
  }

  // Prospects ------------------------------------------------------------------------------------
  function prospectFormPage() {
    var at = location.hash;
    outlets().then(function (list) {
      var classes = ['A', 'B', 'C', 'D'];
      var sources = ['own_network', 'outlet_walk_in', 'referral', 'seminar'];
      page(at, t('prospect.title'), '<form id="prospect-form" novalidate>' +
        field('name', t('prospect.name'), input('name', 'text', 'required maxlength="50" autocomplete="off"')) +
        field('phone', t('prospect.phone'), input('phone', 'tel', 'required inputmode="tel" maxlength="20" autocomplete="off"')) +
        field('id_number', t('prospect.id_number'), input('id_number', 'text', 'maxlength="18" autocomplete="off" autocapitalize="characters"'), { optional: true }) +
        field('class', t('prospect.class'), radios('class', classes.map(function (c) { return [c, t('prospect.class.' + c), c === 'B']; }))) +
        field('source', t('prospect.source'), select('source', sources.map(function (s, i) { return [s, t('prospect.source.' + s), i === 0]; }))) +
        field('outlet_id', t('prospect.outlet_id'), select('outlet_id', [['', t('form.choose'), true]].concat(
          list.map(function (o) { return [o.outlet_id, o.bank + ' ' + o.name]; }))), { optional: true }) +
        field('first_contact_on', t('prospect.first_contact_on'), input('first_contact_on', 'date', 'required value="' + today() + '" max="' + today() + '"')) +
        field('need', t('prospect.need'), textarea('need', 'maxlength="500"'), { optional: true }) +
        field('note', t('prospect.note'), textarea('note', 'maxlength="500"'), { optional: true }) +
        '<div class="banner collision" role="alert" id="collision" hidden></div>' +
        statusBox() + submitButton() + '</form>', '#/');
      var form = document.getElementById('prospect-form');
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var banner = document.getElementById('collision');
        banner.hidden = true;
        var cls = form.querySelector('input[name="class"]:checked');
        var body = compact({ name: val(form, 'name'), phone: val(form, 'phone'), id_number: val(form, 'id_number'),
          'class': cls ? cls.value : null, source: val(form, 'source'), outlet_id: val(form, 'outlet_id'),
          first_contact_on: val(form, 'first_contact_on'), need: val(form, 'need') || '', note: val(form, 'note') || '' });
        submit(form, 'prospect', 'POST', '/v1/prospects', body, [], function (r) {
          setStatus(form, 'sent', t('state.sent') + ' · ' + r.data.name + ' · ' + r.data.phone);
          form.querySelector('input[name="first_contact_on"]').value = today();
        }, function (r) {
          var e = r.data && r.data.error;
          if (r.status !== 409 || !e || e.code !== 'already_registered') return false;
          var reg = e.registration || {};
          banner.innerHTML = '<strong>' + esc(t('prospect.collision')) + '</strong><br>' + esc(t('prospect.collision_detail', {
            at: shortTime(reg.registered_at), state: t('prospect.state.' + reg.state), owner: reg.owner || '—' }));
          banner.hidden = false;
          setStatus(form, 'failed', t('state.failed', { msg: e.message }));
          return true;
        });
      });
    });
  }

  // Complaints (投诉): handled within 8 hours or escalated (002 第二十条 §4) -------------------------
  function complaintFormPage() {
    var at = location.hash;
    var channels = ['phone', 'in_person', 'outlet', 'callback', 'letter', 'online'];
    page(at, t('complaint.title'), '<form id="complaint-form" novalidate>' +
      '<p class="hint">' + esc(t('complaint.hint')) + '</p>' +
      field('account_id', t('complaint.account_id'), input('account_id', 'text', 'maxlength="64" autocomplete="off"'), { optional: true }) +
      field('client_name', t('complaint.client_name'), input('client_name', 'text', 'maxlength="50" autocomplete="off"'), { optional: true }) +
      field('channel', t('complaint.channel'), select('channel', channels.map(function (c, i) { return [c, t('complaint.channel.' + c), i === 0]; }), 'required')) +
      field('received_at', t('complaint.received_at'), input('received_at', 'datetime-local', 'required value="' + localInput(new Date()) + '"')) +
      field('content', t('complaint.content'), textarea('content', 'required maxlength="2000"')) +
      statusBox() + submitButton() + '</form>', '#/');
    var form = document.getElementById('complaint-form');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = compact({ account_id: val(form, 'account_id'), client_name: val(form, 'client_name'),
        channel: val(form, 'channel'), received_at: withOffset(val(form, 'received_at')), content: val(form, 'content') });
      submit(form, 'complaint', 'POST', '/v1/complaints', body, [], function (r) {
        setStatus(form, 'sent', t('state.sent') + ' · ' + t('complaint.due', { at: shortTime(r.data.due_at) }));
        form.querySelector('input[name="received_at"]').value = localInput(new Date());
      });
    });
  }

  function prospectListPage() {
    var at = location.hash;
    Promise.all([listOrEmpty('/v1/prospects?limit=50'), queuedItems('prospect')]).then(function (res) {
      var items = (res[0].data && res[0].data.items) || [];
      page(at, t('prospect.list_title'), listNotice(res[0]) + '<a class="button" href="#/prospects/new">' + esc(t('nav.prospect_new')) + '</a>' +
        '<ul class="list" id="prospect-list" data-refresh-on-flush>' + queuedHtml(res[1]) + items.map(function (p) {
          return '<li class="card prospect" data-prospect="' + esc(p.prospect_id) + '">' +
            '<strong>' + esc(p.name) + '</strong> <span class="tag class-' + esc(p['class']) + '">' + esc(p['class']) + '</span> ' +
            esc(p.phone || '') + '<small>' +
            (p.next_follow_up ? esc(t('prospect.next', { d: p.next_follow_up })) + ' · ' : '') +
            (p.protected_until ? esc(t('prospect.protected_until', { d: p.protected_until })) : '') +
            (p.first_contact_overdue ? ' · <em>' + esc(t('prospect.overdue')) + '</em>' : '') + '</small>' +
            '<a class="button small" href="#/prospects/' + esc(p.prospect_id) + '/follow-up">' + esc(t('prospect.add_follow_up')) + '</a></li>';
        }).join('') + '</ul>' + (!items.length && !res[1].length ? '<p class="muted">' + esc(t('prospect.none')) + '</p>' : ''), '#/');
    }).catch(function (err) { page(at, t('prospect.list_title'), '', '#/'); showError(err); });
  }

  function followUpPage(id) {
    var at = location.hash;
    var path = '/v1/prospects/' + encodeURIComponent(id);
    Promise.all([getCached(path), queuedItems('follow_up', path + '/follow-ups')]).then(function (res) {
      var p = res[0].data || {};
      if (res[0].status !== 200) throw new Error(errorMessage(res[0]));
      var channels = ['phone', 'visit', 'wechat', 'sms', 'seminar', 'outlet'];
      page(at, t('followup.title') + ' · ' + (p.name || ''), '<form id="follow-up-form" novalidate>' +
        field('channel', t('followup.channel'), select('channel', channels.map(function (c, i) { return [c, t('followup.channel.' + c), i === 0]; }))) +
        field('summary', t('followup.summary'), textarea('summary', 'required maxlength="1000"')) +
        field('client_need', t('followup.client_need'), input('client_need', 'text', 'maxlength="500"'), { optional: true }) +
        field('next_step', t('followup.next_step'), input('next_step', 'text', 'maxlength="500"'), { optional: true }) +
        field('next_date', t('followup.next_date'), input('next_date', 'date', 'min="' + today() + '"'), { optional: true }) +
        field('class_change', t('followup.class_change'), select('class_change', [['', t('followup.class_keep'), true]].concat(
          ['A', 'B', 'C', 'D'].map(function (c) { return [c, t('prospect.class.' + c)]; }))), { optional: true }) +
        statusBox() + submitButton() + '</form>' +
        '<h2>' + esc(t('followup.history')) + '</h2><ul class="list" id="follow-up-list">' + queuedHtml(res[1]) +
        (p.follow_ups || []).slice().reverse().map(function (f) {
          return '<li class="card"><strong>' + esc(t('followup.channel.' + f.channel)) + '</strong> · ' + esc(shortTime(f.at)) +
            '<span class="clip">' + esc(f.summary) + '</span></li>';
        }).join('') + '</ul>', '#/prospects');
      var form = document.getElementById('follow-up-form');
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var body = compact({ channel: val(form, 'channel'), summary: val(form, 'summary'),
          client_need: val(form, 'client_need') || '', next_step: val(form, 'next_step') || '',
          next_date: val(form, 'next_date'), class_change: val(form, 'class_change') });
        submit(form, 'follow_up', 'POST', path + '/follow-ups', body, [], function () { followUpPage(id); },
          null).then(function () {
          var st = form.querySelector('.status').getAttribute('data-state');
          if (st === 'queued') followUpPage(id);
        });
      });
    }).catch(function (err) { page(at, t('followup.title'), '', '#/prospects'); showError(err); });
  }

  // Callback tasks -------------------------------------------------------------------------------
  function taskCard(task, claim) {
    return '<li class="card task' + (task.overdue ? ' overdue' : '') + '" data-task="' + esc(task.task_id) + '">' +
      '<strong>' + esc(task.client_name || task.account_id) + '</strong> · ' + esc(t('trigger.' + task.trigger)) +
      (task.risk ? ' <span class="tag risk">' + esc(t('tasks.risk')) + '</span>' : '') +
      (task.overdue ? ' <span class="tag overdue">' + esc(t('tasks.overdue')) + '</span>' : '') +
      (task.waiting_on === 'contact_update' ? ' <span class="tag waiting">' + esc(t('tasks.waiting_contact')) + '</span>' : '') +
      (task.callable_from ? ' <span class="tag later">' + esc(t('tasks.call_from', { d: shortTime(task.callable_from) })) + '</span>' : '') +
      '<small>' + esc(t('tasks.due', { d: shortTime(task.due_at) })) + ' · ' + esc(task.phone_masked || '') +
      ' · ' + esc(t('tasks.attempts', { n: task.attempts || 0 })) + '</small>' +
      (claim ? '<button type="button" class="button small claim" data-claim="' + esc(task.task_id) + '">' + esc(t('tasks.claim')) + '</button>'
        : '<a class="button small" href="#/tasks/' + esc(task.task_id) + '">' + esc(t('tasks.open')) + '</a>') + '</li>';
  }

  function taskListPage() {
    var at = location.hash;
    Promise.all([listOrEmpty('/v1/callback-tasks/mine?limit=50'), listOrEmpty('/v1/callback-tasks/queue?limit=50'),
      queuedItems('attempt')]).then(function (res) {
      var mine = (res[0].data && res[0].data.items) || [];
      var queue = (res[1].status === 200 && res[1].data.items) || [];
      page(at, t('tasks.title'), listNotice(res[0]) + '<ul class="list" id="task-list" data-refresh-on-flush>' + queuedHtml(res[2]) +
        mine.map(function (x) { return taskCard(x, false); }).join('') + '</ul>' +
        (!mine.length ? '<p class="muted">' + esc(t('tasks.none')) + '</p>' : '') +
        '<h2>' + esc(t('tasks.queue')) + '</h2><ul class="list" id="queue-list">' +
        queue.map(function (x) { return taskCard(x, true); }).join('') + '</ul>' +
        (!queue.length ? '<p class="muted">' + esc(t('tasks.queue_none')) + '</p>' : '') + statusBox(), '#/');
      main.querySelectorAll('[data-claim]').forEach(function (b) {
        b.addEventListener('click', function () {
          b.disabled = true;
          var box = main.querySelector('.status');
          box.hidden = false;
          box.className = 'status sending';
          box.textContent = t('state.sending');
          api('POST', '/v1/callback-tasks/' + encodeURIComponent(b.getAttribute('data-claim')) + '/claim', undefined,
            { key: newKey() }).then(function (r) {
            if (r.status === 200 || r.status === 201) return taskListPage();
            b.disabled = false;
            box.className = 'status failed';
            box.textContent = t('state.failed', { msg: errorMessage(r) });
          }, function (err) {
            b.disabled = false;
            box.className = 'status failed';
            box.textContent = t('state.failed', { msg: err.message });
          });
        });
      });
    }).catch(function (err) { page(at, t('tasks.title'), '', '#/'); showError(err); });
  }

  function taskPage(id) {
    var at = location.hash;
    var path = '/v1/callback-tasks/' + encodeURIComponent(id);
    getCached(path).then(function (r) {
      if (r.status !== 200) throw new Error(errorMessage(r));
      var task = r.data;
      var channels = task.trigger === 'fallback' ? ['letter', 'email', 'sms'] : ['phone', 'visit', 'wechat', 'letter', 'email', 'sms'];
      var reasons = ['no_answer', 'busy', 'wrong_number', 'refused', 'call_back_later'];
      var checklist = ['account_changes_confirmed', 'no_staff_trading', 'risks_disclosed', 'no_discretionary_authority',
        'no_return_promise', 'no_signing_for_client'];
      var evidence = { phone: ['recording_ref', 'dialled_number'], visit: ['signature_ref'],
        letter: ['return_slip_ref', 'postal_receipt_ref'], email: ['email_archive_ref'], wechat: ['chat_export_ref'], sms: [] };
      var closing = ['moved_away', 'equipment_system', 'environment', 'staff_attitude', 'research_information',
        'missing_products', 'competitor', 'commission_rate', 'staff_turnover', 'other'];
      page(at, t('attempt.title') + ' · ' + (task.client_name || task.account_id),
        '<p class="muted">' + esc(t('trigger.' + task.trigger)) + ' · ' + esc(task.account_id) + ' · ' +
        esc(task.phone_masked || '') + ' · ' + esc(t('tasks.due', { d: shortTime(task.due_at) })) + '</p>' +
        '<form id="attempt-form" novalidate>' +
        field('channel', t('attempt.channel'), select('channel', channels.map(function (c, i) { return [c, t('attempt.channel.' + c), i === 0]; }))) +
        field('at', t('attempt.at'), input('at', 'datetime-local', 'required value="' + localInput(new Date()) + '"')) +
        field('reached', t('attempt.reached'), radios('reached', [['yes', t('form.yes'), true], ['no', t('form.no')]])) +
        '<fieldset class="when-not-reached" hidden>' +
        field('reason', t('attempt.reason'), select('reason', [['', t('form.choose'), true]].concat(reasons.map(function (x) { return [x, t('attempt.reason.' + x)]; })))) +
        field('call_back_at', t('attempt.call_back_at'), input('call_back_at', 'datetime-local'), { cls: 'when-call-back', hidden: true }) +
        '</fieldset><fieldset class="when-reached">' +
        field('recording_ref', t('attempt.recording_ref'), input('recording_ref', 'text', 'maxlength="200"'), { cls: 'when-phone' }) +
        field('dialled_number', t('attempt.dialled_number'), input('dialled_number', 'tel', 'maxlength="20"'), { cls: 'when-phone' }) +
        field('signature_ref', t('attempt.signature_ref'), input('signature_ref', 'text', 'maxlength="200"'), { cls: 'when-visit', hidden: true }) +
        field('return_slip_ref', t('attempt.return_slip_ref'), input('return_slip_ref', 'text', 'maxlength="200"'), { cls: 'when-letter', hidden: true }) +
        field('postal_receipt_ref', t('attempt.postal_receipt_ref'), input('postal_receipt_ref', 'text', 'maxlength="200"'), { cls: 'when-letter', hidden: true }) +
        field('email_archive_ref', t('attempt.email_archive_ref'), input('email_archive_ref', 'text', 'maxlength="200"'), { cls: 'when-email', hidden: true }) +
        field('chat_export_ref', t('attempt.chat_export_ref'), input('chat_export_ref', 'text', 'maxlength="200"'), { cls: 'when-wechat', hidden: true }) +
        field('answered_by', t('attempt.answered_by'), radios('answered_by', [['client', t('attempt.answered_by.client')], ['notarised_agent', t('attempt.answered_by.notarised_agent')]])) +
        check('identity_confirmed', t('attempt.identity_confirmed')) +
        // The regulator's checklist: each question answered 是 or 否, nothing preselected (issue 21.3).
        '<div class="field group" data-field="checklist"><p class="label">' + esc(t('attempt.checklist')) + '</p>' +
        checklist.map(function (c) { return field('checklist.' + c, t('attempt.checklist.' + c), radios('checklist.' + c, [['yes', t('form.yes')], ['no', t('form.no')]])); }).join('') +
        '<p class="field-error" id="f-checklist-err" hidden></p></div>' +
        '<div class="when-interactive">' +
        field('satisfaction', t('attempt.satisfaction'), radios('satisfaction', [1, 2, 3, 4, 5].map(function (n) { return [String(n), String(n)]; }))) +
        (task.trigger === 'large_outflow' ? field('transfer_recognised', t('attempt.transfer_recognised'),
          radios('transfer_recognised', [['yes', t('form.yes')], ['no', t('form.no')]])) : '') +
        '</div></fieldset>' +
        field('needs', t('attempt.needs'), textarea('needs', 'maxlength="2000"'), { optional: true }) +
        field('feedback', t('attempt.feedback'), textarea('feedback', 'maxlength="2000"'), { optional: true }) +
        (task.trigger === 'closed_account' ? field('closing_reason', t('attempt.closing_reason'), select('closing_reason',
          [['', t('form.choose'), true]].concat(closing.map(function (x) { return [x, t('attempt.closing.' + x)]; }))), { optional: true }) : '') +
        field('note', t('attempt.note'), textarea('note', 'maxlength="2000"'), { optional: true }) +
        statusBox() + submitButton() + '</form>' +
        '<h2>' + esc(t('attempt.history')) + '</h2><ul class="list" id="attempt-list">' + (task.history || []).map(function (h) {
          return '<li class="card">' + esc(shortTime(h.at)) + ' · ' + esc(t('attempt.channel.' + h.channel)) + ' · ' +
            esc(h.reached ? t('form.yes') : t('attempt.reason.' + h.reason)) + '</li>';
        }).join('') + '</ul>', '#/tasks');
      var form = document.getElementById('attempt-form');
      function radio(name) { var el = form.querySelector('input[name="' + name + '"]:checked'); return el ? el.value : null; }
      function sync() {
        var reached = radio('reached') !== 'no';
        var ch = val(form, 'channel');
        form.querySelector('.when-not-reached').hidden = reached;
        form.querySelector('.when-reached').hidden = !reached;
        form.querySelector('.when-call-back').hidden = val(form, 'reason') !== 'call_back_later';
        ['phone', 'visit', 'letter', 'email', 'wechat'].forEach(function (c) {
          Array.prototype.forEach.call(form.querySelectorAll('.when-' + c), function (el) { el.hidden = ch !== c; });
        });
        form.querySelector('.when-interactive').hidden = ['phone', 'visit', 'wechat'].indexOf(ch) < 0;
      }
      form.addEventListener('change', sync);
      sync();
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var ch = val(form, 'channel');
        var reached = radio('reached') !== 'no';
        var interactive = ['phone', 'visit', 'wechat'].indexOf(ch) >= 0;
        var body = { channel: ch, at: withOffset(val(form, 'at')), reached: reached,
          needs: val(form, 'needs') || '', feedback: val(form, 'feedback') || '', note: val(form, 'note') || '' };
        if (!reached) {
          body.reason = val(form, 'reason');
          if (body.reason === 'call_back_later') body.call_back_at = withOffset(val(form, 'call_back_at'));
        } else {
          (evidence[ch] || []).forEach(function (f) { body[f] = val(form, f); });
          body.answered_by = radio('answered_by');
          body.identity_confirmed = val(form, 'identity_confirmed');
          var unanswered = checklist.filter(function (c) { return radio('checklist.' + c) === null; });
          var errEl = document.getElementById('f-checklist-err');
          if (unanswered.length && unanswered.length < checklist.length) {
            // Some answered, some not: never send a guess; the agent answers every question.
            errEl.textContent = t('attempt.checklist.unanswered');
            errEl.hidden = false;
            return;
          }
          errEl.hidden = true;
          if (!unanswered.length) {
            body.checklist = {};
            checklist.forEach(function (c) { body.checklist[c] = radio('checklist.' + c) === 'yes'; });
          }
          if (interactive) {
            var sat = radio('satisfaction');
            body.satisfaction = sat ? Number(sat) : null;
            if (task.trigger === 'large_outflow') {
              var tr = radio('transfer_recognised');
              body.transfer_recognised = tr === null ? null : tr === 'yes';
            }
          }
        }
        if (task.trigger === 'closed_account') body.closing_reason = val(form, 'closing_reason');
        submit(form, 'attempt', 'POST', path + '/attempts', compact(body), [], function (resp) {
          setStatus(form, 'sent', t('state.sent') + ' · ' + t('attempt.channel.' + ch));
          sync();
          var h = resp.data.attempt || {};
          document.getElementById('attempt-list').insertAdjacentHTML('afterbegin', '<li class="card">' +
            esc(shortTime(h.at)) + ' · ' + esc(t('attempt.channel.' + ch)) + ' · ' +
            esc(reached ? t('form.yes') : t('attempt.reason.' + body.reason)) + '</li>');
        }).then(sync);
      });
    }).catch(function (err) { page(at, t('attempt.title'), '', '#/tasks'); showError(err); });
  }

  // Outbox -----------------------------------------------------------------------------------------
  function outboxPage() {
    var at = location.hash;
    outboxAll().then(function (all) {
      page(at, t('outbox.title'), '<button type="button" class="primary" id="retry">' + esc(t('outbox.retry')) + '</button>' +
        '<ul class="list" id="outbox-list" data-refresh-on-flush>' + all.map(function (e) {
          return '<li class="card ' + esc(e.state) + '" data-entry="' + esc(e.id) + '"><strong>' + esc(t('outbox.kind.' + e.kind)) +
            '</strong> · ' + esc(e.label) + '<small>' + esc(shortTime(e.created_at)) + ' · ' +
            esc(e.state === 'failed' ? t('state.failed', { msg: e.last_error }) : t('state.queued')) + '</small>' +
            '<button type="button" class="button small danger" data-delete="' + esc(e.id) + '">' + esc(t('outbox.delete')) + '</button></li>';
        }).join('') + '</ul>' + (!all.length ? '<p class="muted">' + esc(t('outbox.none')) + '</p>' : ''), '#/');
      document.getElementById('retry').addEventListener('click', function () {
        outboxAll().then(function (entries) {
          return Promise.all(entries.filter(function (e) { return e.state === 'failed'; }).map(function (e) {
            e.state = 'queued';
            return outboxPut(e);
          }));
        }).then(flushOutbox).then(outboxPage);
      });
      main.querySelectorAll('[data-delete]').forEach(function (b) {
        b.addEventListener('click', function () { outboxDelete(b.getAttribute('data-delete')).then(outboxPage).then(refreshBadge); });
      });
    });
  }

  // --- routing ---------------------------------------------------------------------------------
  function route() {
    var hash = location.hash.replace(/^#/, '') || '/';
    refreshBadge();
    if (new URLSearchParams(location.search).get('code')) return signInPage();  // back from Cognito
    if (!token() || !me()) return signInPage();
    var m;
    if (hash === '/signin') return signInPage();
    if (hash === '/') return homePage();
    if (hash === '/visits/new') return visitFormPage();
    if (hash === '/visits') return visitListPage();
    if ((m = hash.match(/^\/visits\/([^/]+)$/))) return visitDetailPage(decodeURIComponent(m[1]));
    if (hash === '/prospects/new') return prospectFormPage();
    if (hash === '/prospects') return prospectListPage();
    if (hash === '/complaints/new') return complaintFormPage();
    if ((m = hash.match(/^\/prospects\/([^/]+)\/follow-up$/))) return followUpPage(decodeURIComponent(m[1]));
    if (hash === '/tasks') return taskListPage();
    if ((m = hash.match(/^\/tasks\/([^/]+)$/))) return taskPage(decodeURIComponent(m[1]));
    if (hash === '/outbox') return outboxPage();
    location.hash = '#/';
  }

  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.getElementById('lang').textContent = t('lang.switch');
    refreshNet();
  }

  document.getElementById('lang').addEventListener('click', function () {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('fd.lang', lang);
    applyLang();
    route();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('online', function () { refreshNet(); flushOutbox(); });
  window.addEventListener('offline', refreshNet);
  setInterval(flushOutbox, RETRY_EVERY_MS);

  // Test and support hook: what is waiting to be sent.
  window.FieldDesk = { outbox: outboxAll, flush: flushOutbox };

  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('sw.js').catch(function () {});
  }
  applyLang();
  route();
  flushOutbox();
  api('GET', '/v1/health', undefined, { anonymous: true }).catch(function () {});  // reachable?
})();
