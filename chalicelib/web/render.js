/* Rendering: text, times, and HTML that is escaped by construction.
 *
 * Markup is only ever built with the `html` tagged template: every interpolation is escaped unless
 * it is itself the result of `html` (or an array of such results), and `show`/`append` refuse
 * anything else. A page therefore cannot forget to escape a value taken from the API or the user.
 */
import { STRINGS } from './i18n.js';
import { detailText, fieldLabel } from './errors.js';

export const state = { lang: localStorage.getItem('fd.lang') || 'zh' };

// --- text ----------------------------------------------------------------------------------------
export function t(key, vars) {
  let s = (STRINGS[state.lang] && STRINGS[state.lang][key]) || STRINGS.en[key] || STRINGS.zh[key] || key;
  if (vars) Object.keys(vars).forEach((k) => { s = s.split('{' + k + '}').join(String(vars[k])); });
  return s;
}
export function has(key) { return !!(STRINGS[state.lang] && STRINGS[state.lang][key]); }

// --- HTML ----------------------------------------------------------------------------------------
class Html {
  constructor(s) { this.s = s; }
  toString() { return this.s; }
}

export function esc(v) {
  return String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function part(v) {
  if (v === null || v === undefined || v === false) return '';   // so `${cond && html`…`}` reads naturally
  if (v instanceof Html) return v.s;
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => { out += part(v) + strings[i + 1]; });
  return new Html(out);
}

/* Attributes from an object: true -> bare attribute, false/null/undefined -> left out, else escaped. */
export function attrs(obj) {
  return new Html(Object.keys(obj || {}).map((k) => {
    const v = obj[k];
    if (v === true) return ' ' + k;
    if (v === false || v === null || v === undefined) return '';
    return ' ' + k + '="' + esc(v) + '"';
  }).join(''));
}

function checked(content) {
  if (!(content instanceof Html)) throw new TypeError('markup must come from html`…`');
  return content.s;
}
export function show(el, content) { el.innerHTML = checked(content); }
export function append(el, where, content) { el.insertAdjacentHTML(where, checked(content)); }

// --- time ----------------------------------------------------------------------------------------
export function pad(n) { return (n < 10 ? '0' : '') + n; }
export function localInput(d) {  // value for <input type=datetime-local>
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' +
    pad(d.getHours()) + ':' + pad(d.getMinutes());
}
export function today() { return localInput(new Date()).slice(0, 10); }
export function withOffset(value) {  // "2026-11-20T10:00" -> "2026-11-20T10:00:00+08:00" (the phone's offset)
  if (!value) return null;
  const d = new Date(value);
  if (isNaN(d)) return value;
  let off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  off = Math.abs(off);
  return value.slice(0, 16) + ':00' + sign + pad(Math.floor(off / 60)) + ':' + pad(off % 60);
}
export function shortTime(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 16) : ''; }

export function newKey() {
  if (window.crypto && crypto.randomUUID) return 'fd-' + crypto.randomUUID();
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return 'fd-' + Array.prototype.map.call(a, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
}

// --- pages ---------------------------------------------------------------------------------------
// Pages render after their reads finish; a page whose route is no longer current must not
// overwrite the one the user moved on to.
export const STALE = { stale: true };
window.addEventListener('unhandledrejection', (ev) => { if (ev.reason === STALE) ev.preventDefault(); });

export const main = document.getElementById('main');

export function page(at, title, body, back) {
  if (location.hash !== at) throw STALE;
  document.title = title + ' · FieldDesk';
  show(main, html`${back && html`<a class="back" href="${back}">${t('nav.back')}</a>`}<h1>${title}</h1>${body}`);
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export function banner(msg) { return html`<p class="banner error" role="alert">${t('error.generic', { msg })}</p>`; }

/* A list that could not be read (and has no copy kept on the phone) says so above what it shows. */
export function listNotice(r) { return r.error && banner(r.error.message); }

export function showError(err) {
  if (err === STALE) return;
  append(main, 'beforeend', banner(err && err.message || err));
}

// --- form controls -------------------------------------------------------------------------------
// A control is a function of the id its field gives it, so the label's `for` always matches.
export function fieldId(name) { return 'f-' + name.replace(/\./g, '-'); }

export function field(name, label, control, opts) {
  opts = opts || {};
  const id = fieldId(name);
  return html`<div class="${'field' + (opts.cls ? ' ' + opts.cls : '')}" data-field="${name}"${attrs({ hidden: !!opts.hidden })}>
<label for="${id}">${label}${opts.optional && html`<span class="opt">${t('form.optional')}</span>`}</label>${control(id)}
<p class="field-error" id="${id}-err" hidden></p></div>`;
}
export function input(name, type, a) { return (id) => html`<input id="${id}" name="${name}" type="${type}"${attrs(a)}>`; }
export function textarea(name, a) { return (id) => html`<textarea id="${id}" name="${name}" rows="3"${attrs(a)}></textarea>`; }
export function select(name, options, a) {
  return (id) => html`<select id="${id}" name="${name}"${attrs(a)}>${options.map((o) =>
    html`<option value="${o[0]}"${attrs({ selected: !!o[2] })}>${o[1]}</option>`)}</select>`;
}
export function check(name, label) {
  const id = fieldId(name);
  return html`<div class="field check" data-field="${name}"><label for="${id}"><input id="${id}" name="${name}" type="checkbox"> ${label}</label><p class="field-error" id="${id}-err" hidden></p></div>`;
}
export function radios(name, options) {
  return (id) => html`<div class="radios" role="radiogroup" id="${id}">${options.map((o, i) => {
    const rid = 'f-' + name + '-' + i;
    return html`<label for="${rid}" class="radio"><input type="radio" id="${rid}" name="${name}" value="${o[0]}"${attrs({ checked: !!o[2] })}> ${o[1]}</label>`;
  })}</div>`;
}
export function statusBox() { return html`<div class="status" role="status" aria-live="polite" hidden></div>`; }
export function submitButton() { return html`<button type="submit" class="primary">${t('form.submit')}</button>`; }

export function val(form, name) {
  const el = form.elements[name];
  if (!el) return null;
  if (el.type === 'checkbox') return el.checked;
  const v = (el.value || '').trim();
  return v === '' ? null : v;
}
export function radio(form, name) {
  const el = form.querySelector('input[name="' + name + '"]:checked');
  return el ? el.value : null;
}
export function compact(obj) {  // drop empty optional fields
  const out = {};
  Object.keys(obj).forEach((k) => { if (obj[k] !== null && obj[k] !== undefined) out[k] = obj[k]; });
  return out;
}

export function setStatus(form, st, msg) {
  const box = form.querySelector('.status');
  box.hidden = false;
  box.className = 'status ' + st;
  box.setAttribute('data-state', st);
  box.textContent = msg || t('state.' + st);
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.field.invalid').forEach((el) => el.classList.remove('invalid'));
}

function cssEsc(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/"/g, '\\"'); }

/* The API's 400 details name fields; mark each one next to its input. Returns what had no field on screen. */
export function showFieldErrors(form, details) {
  const unplaced = [];
  let first = null;
  (details || []).forEach((d) => {
    const name = String(d.field || '');
    const msg = detailText(d);
    const box = form.querySelector('[data-field="' + cssEsc(name) + '"]') ||
      form.querySelector('[data-field="' + cssEsc(name.split('.')[0]) + '"]');
    if (!box || box.hidden) { unplaced.push(fieldLabel(name) + '：' + msg); return; }
    const folded = box.closest('details');
    if (folded) folded.open = true;
    const p = box.querySelector('.field-error');
    p.hidden = false;
    p.textContent = p.textContent ? p.textContent + '；' + msg : msg;
    box.classList.add('invalid');
    const ctl = box.querySelector('input,select,textarea');
    if (ctl) { ctl.setAttribute('aria-invalid', 'true'); ctl.setAttribute('aria-describedby', p.id); }
    first = first || ctl;
  });
  if (first) first.focus();
  return unplaced;
}
