/* Leave (请假): asked of the supervisor in advance (000 第一篇 第四条); my requests, withdrawn while pending. */
import { html, t, page, main, showError, field, input, textarea, select, statusBox, submitButton, val, compact,
  setStatus, today, listNotice, shortTime } from './render.js';
import { api, listOrEmpty, errorMessage } from './net.js';
import { submit, queuedItems, queuedHtml } from './queue.js';
import { moreButton, wireMore } from './more.js';

const KINDS = ['personal', 'sick'];

function tomorrow() {
  const d = new Date(today() + 'T12:00:00');
  d.setDate(d.getDate() + 1);
  return d.toISOString().slice(0, 10);
}

function leaveCard(l) {
  const span = l.start_date === l.end_date ? l.start_date : l.start_date + ' – ' + l.end_date;
  return html`<li class="card leave" data-leave="${l.leave_id}" data-status="${l.status}"><strong>${span}</strong>${
    l.half_day && html` · ${t('leave.half.' + l.half_day)}`} <span class="tag status-${l.status}">${t('leave.status.' + l.status)}</span>
<small>${t('leave.kind.' + l.kind)} · ${t('leave.days', { n: l.days })} · ${t('leave.requested', { at: shortTime(l.requested_at) })}${
    l.decision_comment && html` · ${l.decision_comment}`}</small><span class="clip">${l.reason}</span>${
    l.status === 'pending' && html`<button type="button" class="secondary small" data-withdraw="${l.leave_id}">${t('leave.withdraw')}</button>`}</li>`;
}

function wireWithdraw(nodes) {
  nodes.forEach((node) => node.querySelectorAll('[data-withdraw]').forEach((button) => {
    button.addEventListener('click', () => {
      button.disabled = true;
      const id = button.getAttribute('data-withdraw');
      api('POST', '/v1/leave/' + encodeURIComponent(id) + '/withdraw', {}, { key: 'fd-withdraw-' + id }).then((r) => {
        if (r.status !== 200) throw new Error(errorMessage(r));
        leavePage();
      }).catch((err) => { button.disabled = false; showError(err); });
    });
  }));
}

export function leavePage() {
  const at = location.hash;
  const path = '/v1/leave?limit=20';
  Promise.all([listOrEmpty(path), queuedItems('leave')]).then(([r, queued]) => {
    const items = (r.data && r.data.items) || [];
    page(at, t('leave.title'), html`<form id="leave-form" novalidate>
<p class="hint">${t('leave.hint')}</p>
${field('kind', t('leave.kind'), select('kind', KINDS.map((k, i) => [k, t('leave.kind.' + k), i === 0]), { required: true }))}
${field('start_date', t('leave.start_date'), input('start_date', 'date', { required: true, min: tomorrow(), value: tomorrow() }))}
${field('end_date', t('leave.end_date'), input('end_date', 'date', { required: true, min: tomorrow(), value: tomorrow() }))}
${field('half_day', t('leave.half_day'), select('half_day', [['', t('leave.half.none'), true], ['am', t('leave.half.am')], ['pm', t('leave.half.pm')]]), { optional: true })}
${field('reason', t('leave.reason'), textarea('reason', { required: true, maxlength: 500 }))}
${statusBox()}${submitButton()}</form>
<h2>${t('leave.mine')}</h2>${listNotice(r)}
<ul class="list" id="leave-list" data-refresh-on-flush>${queuedHtml(queued)}${items.map(leaveCard)}</ul>${moreButton('leave-list', r)}
${!items.length && !queued.length && html`<p class="muted">${t('leave.none')}</p>`}`, '#/');
    wireWithdraw([main]);
    wireMore(main, 'leave-list', path, leaveCard, wireWithdraw);
    const form = document.getElementById('leave-form');
    const start = form.elements.start_date;
    start.addEventListener('change', () => { if (form.elements.end_date.value < start.value) form.elements.end_date.value = start.value; });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = compact({ kind: val(form, 'kind'), start_date: val(form, 'start_date'), end_date: val(form, 'end_date'),
        half_day: val(form, 'half_day'), reason: val(form, 'reason') });
      submit(form, 'leave', 'POST', '/v1/leave', body, [], (res) => {
        setStatus(form, 'sent', t('state.sent') + ' · ' + t('leave.sent', { n: res.data.days }));
        leavePage();
      });
    });
  }).catch((err) => { page(at, t('leave.title'), html``, '#/'); showError(err); });
}
