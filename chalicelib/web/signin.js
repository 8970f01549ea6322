/* Sign-in (demo users locally, the Cognito hosted UI elsewhere) and the home menu. */
import { html, t, page, main, showError, field, select, textarea, statusBox, val, setStatus, clearErrors,
  showFieldErrors, newKey } from './render.js';
import { api, me, signOut, errorMessage } from './net.js';

const DEMO_USERS = ['cm-001', 'cm-002', 'cba-001', 'cba-002', 'cm-101'];

let config = null;
function loadConfig() {
  if (config) return Promise.resolve(config);
  return fetch('config.json', { cache: 'no-store' }).then((r) => r.json()).then((c) => {
    config = c;
    localStorage.setItem('fd.config', JSON.stringify(c));
    return c;
  }, () => {
    config = JSON.parse(localStorage.getItem('fd.config') || '{"sign_in":"demo"}');
    return config;
  });
}

export function signInPage(route) {
  const at = location.hash;
  loadConfig().then((c) => {
    if (c.sign_in === 'cognito') return cognitoSignIn(c, route);
    page(at, t('signin.title'), html`<p>${t('signin.demo_intro')}</p>
<form id="demo-form" novalidate>${field('staff_id', t('signin.demo_user'), select('staff_id', DEMO_USERS.map((u, i) => [u, u, i === 0])))}
${statusBox()}<button type="submit" class="primary">${t('signin.demo_button')}</button></form>
<form id="token-form" novalidate>${field('token', t('signin.token'), textarea('token', { autocomplete: 'off', spellcheck: 'false' }))}
${statusBox()}<button type="submit" class="secondary">${t('signin.token_button')}</button></form>`);
    const demo = document.getElementById('demo-form');
    demo.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(demo);
      setStatus(demo, 'sending');
      api('POST', '/v1/dev/token', { staff_id: val(demo, 'staff_id') }, { anonymous: true }).then((r) => {
        if (r.status !== 200) {
          showFieldErrors(demo, r.data && r.data.error && r.data.error.details);
          return setStatus(demo, 'failed', t('signin.failed', { msg: errorMessage(r) }));
        }
        startSession(r.data.token, demo, route);
      }, (err) => setStatus(demo, 'failed', t('signin.failed', { msg: err.message })));
    });
    const tf = document.getElementById('token-form');
    tf.addEventListener('submit', (ev) => {
      ev.preventDefault();
      startSession((val(tf, 'token') || '').replace(/^Bearer\s+/i, ''), tf, route);
    });
  });
}

function startSession(tok, form, route) {
  localStorage.setItem('fd.token', tok);
  setStatus(form, 'sending');
  return api('GET', '/v1/me', undefined, { signingIn: true }).then((r) => {
    if (r.status !== 200) throw new Error(errorMessage(r));
    localStorage.setItem('fd.me', JSON.stringify(r.data));
    location.hash = '#/';
    route();
  }).catch((err) => {
    localStorage.removeItem('fd.token');
    setStatus(form, 'failed', t('signin.failed', { msg: err.message }));
  });
}

/* Production: Cognito hosted UI, authorization code with PKCE. NOT TESTABLE HERE (no Cognito locally). */
function cognitoSignIn(c, route) {
  const at = location.hash;
  const cog = c.cognito || {};
  const redirect = new URL('./', document.baseURI).href;
  const params = new URLSearchParams(location.search);
  if (params.get('code')) return cognitoCallback(cog, params, redirect, route);
  page(at, t('signin.title'), html`<p>${t(cog.domain ? 'signin.cognito_intro' : 'signin.cognito_missing')}</p>${
    cog.domain && html`<button type="button" class="primary" id="cognito">${t('signin.cognito_button')}</button>`}`);
  const b = document.getElementById('cognito');
  if (!b) return;
  b.addEventListener('click', () => {
    const verifier = newKey() + newKey();
    const state = newKey();
    sessionStorage.setItem('fd.pkce', JSON.stringify({ verifier, state }));
    crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then((hash) => {
      const challenge = btoa(String.fromCharCode.apply(null, new Uint8Array(hash)))
        .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      location.href = cog.domain + '/oauth2/authorize?' + new URLSearchParams({
        response_type: 'code', client_id: cog.client_id, redirect_uri: redirect, state,
        scope: (cog.scopes || ['openid']).join(' '), code_challenge: challenge, code_challenge_method: 'S256'
      }).toString();
    });
  });
}

function cognitoCallback(cog, params, redirect, route) {
  const at = location.hash;
  const saved = JSON.parse(sessionStorage.getItem('fd.pkce') || '{}');
  history.replaceState(null, '', redirect);
  if (!saved.state || saved.state !== params.get('state')) return signInPage(route);
  fetch(cog.domain + '/oauth2/token', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cog.client_id, code: params.get('code'),
      redirect_uri: redirect, code_verifier: saved.verifier }).toString()
  }).then((r) => r.json()).then((tok) => {
    sessionStorage.removeItem('fd.pkce');
    const bearer = signInToken(cog, tok);
    if (!bearer) throw new Error((tok && tok.error) || 'no ' + (cog.token_use || 'id') + ' token');
    page(at, t('signin.title'), statusBox());
    startSession(bearer, main, route);
  }).catch((err) => { page(at, t('signin.title'), html``); showError(err); });
}

/* The token the API verifies (config.json cognito.token_use, FIELDDESK_JWT_TOKEN_USE): the ID token
   unless the stack says access. Cognito access tokens carry no custom:staff_id. */
export function signInToken(cog, tok) {
  return (tok || {})[(cog && cog.token_use === 'access') ? 'access_token' : 'id_token'];
}

export function homePage() {
  const at = location.hash;
  const m = me();
  let links = [];
  if (m.role === 'client_manager') {
    links = [['#/visits/new', 'nav.visit_new'], ['#/visits', 'nav.visits'], ['#/prospects/new', 'nav.prospect_new'],
      ['#/prospects', 'nav.prospects'], ['#/complaints/new', 'nav.complaint_new'],
      ['#/travel-reports/new', 'nav.travel_report'], ['#/leave', 'nav.leave'], ['#/declarations', 'nav.declaration']];
  } else if (m.role === 'callback_agent') {
    links = [['#/tasks', 'nav.tasks']];
  }
  links.push(['#/outbox', 'nav.outbox']);
  page(at, t('home.hello', { name: m.name || m.staff_id }), html`<p class="muted">${t('home.role.' + m.role)} · ${m.staff_id} · ${m.branch_id}</p>
${links.length === 1 && html`<p>${t('home.no_forms')}</p>`}
<nav class="menu">${links.map((l) => html`<a class="tile" href="${l[0]}">${t(l[1])}</a>`)}</nav>
<button type="button" class="link" id="signout">${t('signout')}</button>`);
  document.getElementById('signout').addEventListener('click', signOut);
}
