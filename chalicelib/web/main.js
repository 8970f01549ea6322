/* FieldDesk mobile forms: native ES modules, no build step, nothing fetched from the internet.
 *
 * render.js  text, times, escaped-by-construction HTML, form controls
 * net.js     session, the JSON API, reachability
 * queue.js   the offline queue (IndexedDB outbox) every submission goes through
 * signin.js, visits.js, prospects.js, tasks.js, travel.js, leave.js, declarations.js, outbox.js: the pages; this file routes between them.
 */
import { state, t } from './render.js';
import { api, token, me, refreshNet } from './net.js';
import { outboxAll, flushOutbox, refreshBadge } from './queue.js';
import { signInPage, homePage } from './signin.js';
import { visitFormPage, visitListPage, visitDetailPage } from './visits.js';
import { prospectFormPage, prospectListPage, followUpPage, complaintFormPage } from './prospects.js';
import { taskListPage, taskPage } from './tasks.js';
import { travelReportFormPage } from './travel.js';
import { leavePage } from './leave.js';
import { declarationPage } from './declarations.js';
import { outboxPage } from './outbox.js';

const RETRY_EVERY_MS = 20000;

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  refreshBadge();
  if (new URLSearchParams(location.search).get('code')) return signInPage(route);  // back from Cognito
  if (!token() || !me()) return signInPage(route);
  let m;
  if (hash === '/signin') return signInPage(route);
  if (hash === '/') return homePage();
  if (hash === '/visits/new') return visitFormPage();
  if (hash === '/visits') return visitListPage();
  if ((m = hash.match(/^\/visits\/([^/]+)$/))) return visitDetailPage(decodeURIComponent(m[1]));
  if (hash === '/prospects/new') return prospectFormPage();
  if (hash === '/prospects') return prospectListPage();
  if (hash === '/complaints/new') return complaintFormPage();
  if (hash === '/travel-reports/new') return travelReportFormPage();
  if (hash === '/leave') return leavePage();
  if (hash === '/declarations') return declarationPage();
  if ((m = hash.match(/^\/prospects\/([^/]+)\/follow-up$/))) return followUpPage(decodeURIComponent(m[1]));
  if (hash === '/tasks') return taskListPage();
  if ((m = hash.match(/^\/tasks\/([^/]+)$/))) return taskPage(decodeURIComponent(m[1]));
  if (hash === '/outbox') return outboxPage();
  location.hash = '#/';
}

function applyLang() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  const button = document.getElementById('lang');
  button.textContent = t('lang.switch');
  // The accessible name starts with the visible text (WCAG 2.5.3, axe label-content-name-mismatch).
  button.setAttribute('aria-label', t('lang.label'));
  refreshNet();
}

document.getElementById('lang').addEventListener('click', () => {
  state.lang = state.lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('fd.lang', state.lang);
  applyLang();
  route();
});
window.addEventListener('hashchange', route);
window.addEventListener('online', () => { refreshNet(); flushOutbox(); });
window.addEventListener('offline', refreshNet);
// A list on screen shows what the queue just sent (or what the server refused).
window.addEventListener('fd:flushed', () => { if (document.querySelector('[data-refresh-on-flush]')) route(); });
setInterval(flushOutbox, RETRY_EVERY_MS);

// Test and support hook: what is waiting to be sent.
window.FieldDesk = { outbox: outboxAll, flush: flushOutbox };

if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('sw.js').catch(() => {});
}
applyLang();
route();
flushOutbox();
api('GET', '/v1/health', undefined, { anonymous: true }).catch(() => {});  // reachable?
