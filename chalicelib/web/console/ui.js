/* Console helpers: reading the API, data tables with a CSV download, dates.
 *
 * Every number a page shows comes from the API as the caller's role may see it: a page asks, and shows
 * what it is given or the API's refusal; it never hides rows by role itself.
 */
import { html, t, append, page as renderPage, STALE } from '../render.js';
import { api, errorMessage } from '../net.js';
import './strings.js';

export class Refused extends Error {
  constructor(r) { super(errorMessage(r)); this.status = r.status; this.code = r.data && r.data.error && r.data.error.code; }
}

/* GET a JSON document; a refusal is thrown as Refused (403 and 404 are shown as "not for this role"). */
export function get(path) {
  return api('GET', path).then((r) => { if (r.status !== 200) throw new Refused(r); return r.data; });
}

/* Every page of a list (for charts and counts), up to `cap` items. */
export function getAll(path, cap) {
  cap = cap || 1000;
  const items = [];
  const step = (token) => {
    const sep = path.indexOf('?') >= 0 ? '&' : '?';
    return get(path + (token ? sep + 'next_token=' + encodeURIComponent(token) : '')).then((d) => {
      items.push.apply(items, d.items || []);
      return d.next_token && items.length < cap ? step(d.next_token) : items;
    });
  };
  return step(null);
}

/* One section's read, settled: {data} or {error}; a page renders what it has and says what it was refused. */
export function settle(promise) { return promise.then((data) => ({ data }), (error) => ({ error })); }

export function refusal(err) {
  const forbidden = err && (err.status === 403 || err.status === 401);
  return html`<p class="banner error refused" role="alert" data-status="${err && err.status || ''}">${
    forbidden ? t('c.refused') : t('error.generic', { msg: err && err.message || err })}</p>`;
}

/* A section: its heading, then the body from `render(data)` or the refusal. */
export function section(id, title, result, render) {
  return html`<section class="panel" id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${
    result.error ? refusal(result.error) : render(result.data)}</section>`;
}

export function missing(what) { return html`<p class="missing" data-missing>${t('c.missing')}${what}</p>`; }

// --- pages ---------------------------------------------------------------------------------------
/* Each route() is a new generation: a page whose reads finish after the user (or a second hashchange)
   started another render must not overwrite it, even on the same hash. */
let generation = 0;
export function nextGeneration() { generation += 1; }
export function here() { return { hash: location.hash, gen: generation }; }
export function page(at, title, body) {
  if (at.gen !== generation) throw STALE;
  renderPage(at.hash, title, body);
}

// --- tables --------------------------------------------------------------------------------------
/* columns: [key, label, {num, fmt(row)}]. The table is the chart's numbers and the CSV's source. */
export function dataTable(id, caption, columns, rows, opts) {
  opts = opts || {};
  // A wide table scrolls inside its own region, which keyboard users can focus (axe scrollable-region-focusable).
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${caption}"><table class="data" id="${id}"><caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col"${c[2] && c[2].num ? html` class="num"` : ''}>${c[1]}</th>`)}</tr></thead>
<tbody>${rows.length ? rows.map((row) => html`<tr${opts.rowClass && opts.rowClass(row) ? html` class="${opts.rowClass(row)}"` : ''}${
    opts.rowAttr ? html` ${opts.rowAttr}="${opts.rowKey(row)}"` : ''}>${columns.map((c) => {
    const o = c[2] || {};
    const v = o.fmt ? o.fmt(row) : row[c[0]];
    return html`<td${o.num ? html` class="num"` : ''} data-col="${c[0]}">${v === null || v === undefined ? '' : v}</td>`;
  })}</tr>`) : html`<tr><td colspan="${columns.length}" class="muted">${t('c.empty')}</td></tr>`}</tbody></table></div>
${opts.csv !== false && html`<button type="button" class="secondary csv" data-csv="${id}" data-file="${opts.file || id}">${t('c.csv')}</button>`}`;
}

function csvCell(s) { s = String(s).replace(/\s+/g, ' ').trim(); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }

/* The table's text as CSV (what the page shows, so the download and the table cannot disagree). */
export function tableCsv(table) {
  const rows = Array.prototype.map.call(table.querySelectorAll('tr'), (tr) =>
    Array.prototype.map.call(tr.querySelectorAll('th,td'), (c) => csvCell(c.textContent)).join(','));
  return '\ufeff' + rows.join('\r\n') + '\r\n';   // the BOM: Excel opens Chinese UTF-8 correctly
}

export function wireCsv(root) {
  root.querySelectorAll('button[data-csv]').forEach((b) => b.addEventListener('click', () => {
    const table = document.getElementById(b.getAttribute('data-csv'));
    const url = URL.createObjectURL(new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = b.getAttribute('data-file') + '.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }));
}

// --- writes --------------------------------------------------------------------------------------
/* A write from a button or form: the answer (or refusal, in the interface's language) goes to `box`. */
export function write(method, path, body, box, opts) {
  opts = opts || {};
  box.hidden = false;
  box.className = 'status sending';
  box.textContent = t('state.sending');
  return api(method, path, body, { key: opts.idempotent === false ? undefined : newKeyLocal() }).then((r) => {
    if (r.status >= 200 && r.status < 300) {
      box.className = 'status sent';
      box.setAttribute('data-state', 'sent');
      box.textContent = opts.done ? opts.done(r.data) : t('c.saved');
      return r;
    }
    box.className = 'status failed';
    box.setAttribute('data-state', 'failed');
    box.textContent = t('c.failed', { msg: errorMessage(r) });
    return r;
  }, (err) => {
    box.className = 'status failed';
    box.setAttribute('data-state', 'failed');
    box.textContent = t('c.failed', { msg: err.message });
    return { status: 0 };
  });
}

function newKeyLocal() { return 'fd-c-' + (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)); }

export function statusLine(id) { return html`<div class="status" id="${id}" role="status" aria-live="polite" hidden></div>`; }
export function note(el, msg) { append(el, 'beforeend', html`<p class="muted">${msg}</p>`); }

// --- dates (the branch's time, Asia/Shanghai, which is also the browser's for its users) ----------
function pad(n) { return (n < 10 ? '0' : '') + n; }
export function ymd(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
export function thisMonth() { return ymd(new Date()).slice(0, 7); }
export function monthsBack(n, from) {   // [oldest … this month]
  const [y, m] = (from || thisMonth()).split('-').map(Number);
  const out = [];
  for (let i = n - 1; i >= 0; i -= 1) {
    const d = new Date(y, m - 1 - i, 1);
    out.push(d.getFullYear() + '-' + pad(d.getMonth() + 1));
  }
  return out;
}
export function monthEnd(month) {
  const [y, m] = month.split('-').map(Number);
  return ymd(new Date(y, m, 0));
}
export function weekOf(d) {   // Monday..Sunday and the ISO week name
  const day = (d.getDay() + 6) % 7;
  const mon = new Date(d.getFullYear(), d.getMonth(), d.getDate() - day);
  const sun = new Date(mon.getFullYear(), mon.getMonth(), mon.getDate() + 6);
  const thu = new Date(mon.getFullYear(), mon.getMonth(), mon.getDate() + 3);
  const jan4 = new Date(thu.getFullYear(), 0, 4);
  const week = 1 + Math.round(((thu - jan4) / 86400000 - 3 + ((jan4.getDay() + 6) % 7)) / 7);
  return { from: ymd(mon), to: ymd(sun), iso: thu.getFullYear() + '-W' + pad(week) };
}
export function short(iso) { return iso ? String(iso).replace('T', ' ').slice(0, 16) : ''; }
export function yuan(v) { return v === null || v === undefined ? '' : '¥' + v; }
