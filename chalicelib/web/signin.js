/* Sign-in (demo users locally, the identity provider's OIDC sign-in elsewhere) and the home menu.
 * One module for the phone app and the console (console/session.js passes its title and demo users): both
 * share the session (fd.token / fd.me) and return to the page the user came from (net.js rememberReturn). */
import { html, t, page, main, showError, field, select, textarea, statusBox, val, setStatus, clearErrors,
  showFieldErrors, newKey } from './render.js';
import { api, me, signOut, errorMessage, rememberReturn, takeReturn } from './net.js';

const DEMO_USERS = [['cm-001', 'cm-001'], ['cm-002', 'cm-002'], ['cba-001', 'cba-001'], ['cba-002', 'cba-002'], ['cm-101', 'cm-101']];

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

/* `opts`: {title, intro, users: [[staff_id, label]]} (the console's); the phone app's by default. */
export function signInPage(route, opts) {
  opts = opts || {};
  const at = location.hash;
  rememberReturn();
  return loadConfig().then((c) => {
    if (c.sign_in === 'oidc' || c.sign_in === 'cognito') return oidcSignIn(c, route);
    page(at, opts.title || t('signin.title'), html`<p>${opts.intro || t('signin.demo_intro')}</p>
<form id="demo-form" novalidate>${field('staff_id', t('signin.demo_user'), select('staff_id', (opts.users || DEMO_USERS).map((u, i) => [u[0], u[1], i === 0])))}
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
    const back = takeReturn();
    if (back && back.path !== location.pathname) { location.assign(back.path + back.hash); return; }
    location.hash = back ? back.hash : '#/';
    route();
  }).catch((err) => {
    localStorage.removeItem('fd.token');
    setStatus(form, 'failed', t('signin.failed', { msg: err.message }));
  });
}

/* Production: the identity provider's sign-in (any OIDC provider: Cognito's hosted UI, or the brokerage's
   own IdP in China), authorization code with PKCE. config.json's `oidc` names the endpoints, or the issuer's
   discovery document to read them from. NOT TESTABLE HERE end to end (no IdP locally); the endpoint
   resolution is run by node in tests/api/test_web.py. */
function oidcSignIn(c, route) {
  const at = location.hash;
  const redirect = new URL('./', document.baseURI).href;
  const params = new URLSearchParams(location.search);
  oidcEndpoints(c, (url) => fetch(url, { cache: 'no-store' }).then((r) => r.json())).then((cog) => {
    if (params.get('code')) return oidcCallback(cog, params, redirect, route);
    const ready = !!(cog.authorization_endpoint && cog.token_endpoint && cog.client_id);
    page(at, t('signin.title'), html`<p>${t(ready ? 'signin.cognito_intro' : 'signin.cognito_missing')}</p>${
      ready && html`<button type="button" class="primary" id="cognito">${t('signin.cognito_button')}</button>`}`);
    const b = document.getElementById('cognito');
    if (!b) return;
    b.addEventListener('click', () => {
      const verifier = newKey() + newKey();
      const state = newKey();
      sessionStorage.setItem('fd.pkce', JSON.stringify({ verifier, state }));
      crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then((hash) => {
        const challenge = btoa(String.fromCharCode.apply(null, new Uint8Array(hash)))
          .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        location.href = authorizeUrl(cog, redirect, state, challenge);
      });
    });
  }).catch((err) => { page(at, t('signin.title'), html``); showError(err); });
}

/* The provider's endpoints: config.json's `oidc` (or the older `cognito` block: domain + /oauth2/...), and
   where it names only a discovery document, the endpoints that document gives. `fetchJson(url)` -> Promise. */
export function oidcEndpoints(c, fetchJson) {
  const o = Object.assign({}, c.oidc || {});
  if (!c.oidc && c.cognito && c.cognito.domain) {
    Object.assign(o, c.cognito, { authorization_endpoint: c.cognito.domain + '/oauth2/authorize',
      token_endpoint: c.cognito.domain + '/oauth2/token' });
  }
  if (o.authorization_endpoint && o.token_endpoint) return Promise.resolve(o);
  if (!o.discovery_url) return Promise.resolve(o);
  return fetchJson(o.discovery_url).then((d) => Object.assign(o, {
    authorization_endpoint: d.authorization_endpoint, token_endpoint: d.token_endpoint }));
}

export function authorizeUrl(cog, redirect, state, challenge) {
  const sep = cog.authorization_endpoint.indexOf('?') < 0 ? '?' : '&';
  return cog.authorization_endpoint + sep + new URLSearchParams({
    response_type: 'code', client_id: cog.client_id, redirect_uri: redirect, state,
    scope: (cog.scopes || ['openid']).join(' '), code_challenge: challenge, code_challenge_method: 'S256'
  }).toString();
}

function oidcCallback(cog, params, redirect, route) {
  const at = location.hash;
  const saved = JSON.parse(sessionStorage.getItem('fd.pkce') || '{}');
  history.replaceState(null, '', redirect);
  if (!saved.state || saved.state !== params.get('state')) return signInPage(route);
  fetch(cog.token_endpoint, {
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
  // Desk roles do their week's work in the branch console (issue 20), signed in the same way.
  const desk = ['supervisor', 'callback_agent', 'callback_lead', 'compliance', 'admin'].includes(m.role);
  page(at, t('home.hello', { name: m.name || m.staff_id }), html`<p class="muted">${t('home.role.' + m.role)} · ${m.staff_id} · ${m.branch_id}</p>
${links.length === 1 && html`<p>${t('home.no_forms')}</p>`}
<nav class="menu">${links.map((l) => html`<a class="tile" href="${l[0]}">${t(l[1])}</a>`)}</nav>
${desk && html`<p><a class="tile" id="to-console" href="console">${t('nav.console')}</a></p>`}
<button type="button" class="link" id="signout">${t('signout')}</button>`);
  document.getElementById('signout').addEventListener('click', signOut);
}
