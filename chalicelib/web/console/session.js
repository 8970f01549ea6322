/* Console sign-in: the phone app's session (fd.token / fd.me in localStorage), so one sign-in serves both.
 * Demo users on the local and test stages; elsewhere the phone app's Cognito sign-in (../signin.js). */
import { html, t, page, field, select, textarea, statusBox, val, setStatus, clearErrors, showFieldErrors } from '../render.js';
import { api, errorMessage } from '../net.js';
import { signInPage as phoneSignIn } from '../signin.js';

// The demo users of the desk roles (infra/demo_data.py).
const DEMO_USERS = [['sup-001', '张伟 · supervisor'], ['sup-101', '郑凯 · supervisor (海淀)'], ['cba-001', '陈静 · callback_agent'], ['cba-002', '杨帆 · callback_agent'],
  ['cbl-001', '高峰 · callback_lead'],
  ['cmp-001', '赵敏 · compliance'], ['cmp-002', '孙强 · compliance'], ['adm-001', '周磊 · admin'], ['adm-002', '吴婷 · admin'], ['cm-001', '王晓明 · client_manager']];

function config() {
  return fetch('config.json', { cache: 'no-store' }).then((r) => r.json()).catch(() => ({ sign_in: 'demo' }));
}

export function signInPage(route) {
  const at = location.hash;
  return config().then((c) => {
    if (c.sign_in !== 'demo') return phoneSignIn(route);   // Cognito: the phone app's hosted-UI flow
    page(at, t('c.signin.title'), html`<p>${t('c.signin.intro')}</p>
<form id="demo-form" novalidate>${field('staff_id', t('signin.demo_user'), select('staff_id', DEMO_USERS.map((u, i) => [u[0], u[0] + ' · ' + u[1], i === 0])))}
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
        return start(r.data.token, demo, route);
      }, (err) => setStatus(demo, 'failed', t('signin.failed', { msg: err.message })));
    });
    const tf = document.getElementById('token-form');
    tf.addEventListener('submit', (ev) => {
      ev.preventDefault();
      start((val(tf, 'token') || '').replace(/^Bearer\s+/i, ''), tf, route);
    });
  });
}

function start(tok, form, route) {
  localStorage.setItem('fd.token', tok);
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
