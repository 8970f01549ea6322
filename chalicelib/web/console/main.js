/* The branch console: routes between the desk pages of each role (supervisor.js, lead.js, compliance.js,
 * admin.js). The phone app's modules (../render.js, ../net.js, ../i18n.js) are shared, so are its session
 * (the same token in the same storage) and its error messages. */
import { html, t, show, state, showError } from '../render.js';
import { token, me, signOut, refreshNet } from '../net.js';
import './strings.js';
import { nextGeneration } from './ui.js';
import { signInPage } from './session.js';
import * as sup from './supervisor.js';
import * as lead from './lead.js';
import * as cmp from './compliance.js';
import * as adm from './admin.js';

// Each role's pages: [hash, i18n key, page]. The nav offers these; what each page shows is the API's answer.
const PAGES = {
  supervisor: [['#/week', 'c.nav.week', sup.weekPage], ['#/signoffs', 'c.nav.signoffs', sup.signoffPage],
    ['#/prospects', 'c.nav.prospects', sup.prospectsPage], ['#/penalties', 'c.nav.penalties', sup.penaltiesPage],
    ['#/scorecards', 'c.nav.scorecards', sup.scorecardsPage], ['#/oversight', 'c.nav.oversight', sup.oversightPage]],
  callback_agent: [['#/callbacks', 'c.nav.callbacks', lead.callbacksPage]],
  callback_lead: [['#/callbacks', 'c.nav.callbacks', lead.callbacksPage]],
  compliance: [['#/coverage', 'c.nav.coverage', cmp.coveragePage], ['#/callbacks', 'c.nav.callbacks', lead.callbacksPage],
    ['#/problems', 'c.nav.problems', cmp.problemsPage], ['#/sample', 'c.nav.sample', cmp.samplePage],
    ['#/audit', 'c.nav.audit', cmp.auditPage], ['#/approvals', 'c.nav.approvals', cmp.approvalsPage],
    ['#/calendar', 'c.nav.calendar', cmp.calendarPage]],
  admin: [['#/staff', 'c.nav.staff', adm.staffPage], ['#/outlets', 'c.nav.outlets', adm.outletsPage],
    ['#/branches', 'c.nav.branches', adm.branchesPage], ['#/approvals', 'c.nav.approvals', cmp.approvalsPage],
    ['#/callbacks', 'c.nav.callbacks', lead.callbacksPage], ['#/calendar', 'c.nav.calendar', cmp.calendarPage]]
};
// Links are `console#/…`: the page's <base> is /app/ (for the shared modules), so a bare `#/…` would open the phone app.
// Every page can be opened by any signed-in role (a bookmark, a shared link): the API refuses what the role may not see.
const ALL = {};
Object.keys(PAGES).forEach((role) => PAGES[role].forEach((p) => { ALL[p[0]] = p[2]; }));

function nav(role, at) {
  const el = document.getElementById('console-nav');
  const pages = PAGES[role] || [];
  show(el, html`${pages.map((p) => html`<a href="${'console' + p[0]}"${at === p[0] ? html` aria-current="page"` : ''}>${t(p[1])}</a>`)}
${role === 'client_manager' || role === 'callback_agent' ? html`<a href="./">${t('c.nav.phone')}</a>` : ''}
<button type="button" class="link" id="signout">${t('signout')}</button>`);
  document.getElementById('signout').addEventListener('click', () => { signOut(); route(); });
}

/* A hash change and an explicit call in the same turn (sign-in does both) render once. */
let scheduled = null;
function route() {
  if (scheduled) clearTimeout(scheduled);
  scheduled = setTimeout(render, 0);
}

function render() {
  scheduled = null;
  nextGeneration();
  const hash = location.hash || '#/';
  const navEl = document.getElementById('console-nav');
  if (!token() || !me() || hash === '#/signin') { show(navEl, html``); return signInPage(route); }
  const m = me();
  const pages = PAGES[m.role] || [];
  const at = hash.split('?')[0];
  if (at === '#/') {
    if (pages.length) { location.replace(location.pathname + pages[0][0]); return undefined; }
    nav(m.role, at);
    return noPages(m);
  }
  nav(m.role, at);
  const pageFn = ALL[at];
  if (!pageFn) { location.replace(location.pathname + '#/'); return undefined; }
  try {
    const p = pageFn();
    if (p && p.catch) p.catch(showError);
  } catch (err) { showError(err); }
  return undefined;
}

function noPages(m) {
  document.title = t('c.title') + ' · FieldDesk';
  show(document.getElementById('main'), html`<h1>${t('c.title')}</h1><p>${t('c.no_pages', { role: t('home.role.' + m.role) })}</p>
<p><a class="button" href="./">${t('c.nav.phone')}</a></p>`);
}

function applyLang() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  const button = document.getElementById('lang');
  button.textContent = t('lang.switch');
  button.setAttribute('aria-label', t('lang.label'));
  document.getElementById('brand').textContent = 'FieldDesk ' + t('c.title');
  document.getElementById('console-nav').setAttribute('aria-label', t('c.title'));
  refreshNet();
}

document.getElementById('lang').addEventListener('click', () => {
  state.lang = state.lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('fd.lang', state.lang);
  applyLang();
  route();
});
window.addEventListener('hashchange', route);
window.addEventListener('online', refreshNet);
window.addEventListener('offline', refreshNet);
applyLang();
route();
