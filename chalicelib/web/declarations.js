/* Month-end declaration (月末开户申报, 000 第一篇 第十三条): the accounts I opened in a month, one list,
 * replaced until the deadline; each account shows whether it is one of the branch's. */
import { html, t, page, show, showError, field, input, textarea, statusBox, submitButton, val, compact,
  setStatus, today, shortTime } from './render.js';
import { getCached, errorMessage } from './net.js';
import { submit } from './queue.js';

function thisMonth() { return today().slice(0, 7); }

/* "A1, A2\nA3" -> ["A1", "A2", "A3"]: commas, spaces or new lines between account numbers. */
export function accountList(text) {
  return String(text || '').split(/[\s,，;；、]+/).map((s) => s.trim()).filter(Boolean);
}

function summary(d) {
  if (!d) return html`<p class="muted">${t('declaration.none')}</p>`;
  return html`<p class="muted">${t('declaration.saved', { n: d.account_ids.length, at: shortTime(d.updated_at), rev: d.revision })}
 · ${d.closed ? t('declaration.closed') : t('declaration.until', { at: shortTime(d.editable_until) })}</p>
<ul class="list" id="declared-list">${(d.accounts || []).map((a) => html`<li class="card" data-account="${a.account_id}" data-found="${a.found ? 'yes' : 'no'}"><strong>${a.account_id}</strong> ${
    a.found ? html`<span class="tag">${t('declaration.found', { d: a.opened_on || '—' })}</span>${a.opened_in_month === false && html` <em>${t('declaration.other_month')}</em>`}`
      : html`<em>${t('declaration.not_found')}</em>`}</li>`)}</ul>`;
}

function load(form, month) {
  const box = document.getElementById('declaration-state');
  return getCached('/v1/declarations?month=' + encodeURIComponent(month)).then((r) => {
    if (r.status !== 200) throw new Error(errorMessage(r));
    const d = (r.data.items || [])[0] || null;
    // The list arrives after the page shows: what the manager typed meanwhile is kept, not replaced.
    if (!form.dataset.edited) {
      form.elements.account_ids.value = d ? d.account_ids.join('\n') : '';
      form.elements.note.value = d ? d.note || '' : '';
    }
    show(box, summary(d));
  }).catch(showError);
}

export function declarationPage() {
  const at = location.hash;
  page(at, t('declaration.title'), html`<form id="declaration-form" novalidate>
<p class="hint">${t('declaration.hint')}</p>
${field('month', t('declaration.month'), input('month', 'month', { required: true, value: thisMonth(), max: thisMonth() }))}
${field('account_ids', t('declaration.account_ids'), textarea('account_ids', { autocomplete: 'off' }))}
${field('note', t('declaration.note'), textarea('note', { maxlength: 500 }), { optional: true })}
${statusBox()}${submitButton()}</form>
<h2>${t('declaration.current')}</h2><div id="declaration-state"></div>`, '#/');
  const form = document.getElementById('declaration-form');
  const edited = () => { form.dataset.edited = '1'; };
  form.elements.account_ids.addEventListener('input', edited);
  form.elements.note.addEventListener('input', edited);
  load(form, thisMonth());
  form.elements.month.addEventListener('change', () => {
    if (!val(form, 'month')) return;
    delete form.dataset.edited;   // another month: its own list replaces the form
    load(form, val(form, 'month'));
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const month = val(form, 'month');
    const body = compact({ month, account_ids: accountList(form.elements.account_ids.value), note: val(form, 'note') || '' });
    submit(form, 'declaration', 'POST', '/v1/declarations', body, [], (res) => {
      setStatus(form, 'sent', t('state.sent') + ' · ' + t('declaration.sent', { n: res.data.account_ids.length }));
      form.elements.month.value = res.data.month;
      form.elements.account_ids.value = res.data.account_ids.join('\n');
      form.elements.note.value = res.data.note || '';
      show(document.getElementById('declaration-state'), summary(res.data));
    });
  });
}
