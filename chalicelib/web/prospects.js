/* Prospects (意向客户): registration (a collision is shown at once), my list, follow-ups; complaints. */
import { html, t, page, main, show, showError, field, input, textarea, select, radios, statusBox, submitButton, val,
  radio, compact, setStatus, localInput, withOffset, shortTime, today, listNotice } from './render.js';
import { getCached, listOrEmpty, errorMessage } from './net.js';
import { submit, queuedItems, queuedHtml } from './queue.js';
import { outlets } from './visits.js';
import { moreButton, wireMore } from './more.js';

const CLASSES = ['A', 'B', 'C', 'D'];
const SOURCES = ['own_network', 'outlet_walk_in', 'referral', 'seminar'];

export function prospectFormPage() {
  const at = location.hash;
  outlets().then((list) => {
    page(at, t('prospect.title'), html`<form id="prospect-form" novalidate>
${field('name', t('prospect.name'), input('name', 'text', { required: true, maxlength: 50, autocomplete: 'off' }))}
${field('phone', t('prospect.phone'), input('phone', 'tel', { required: true, inputmode: 'tel', maxlength: 20, autocomplete: 'off' }))}
${field('id_number', t('prospect.id_number'), input('id_number', 'text', { maxlength: 18, autocomplete: 'off', autocapitalize: 'characters' }), { optional: true })}
${field('class', t('prospect.class'), radios('class', CLASSES.map((c) => [c, t('prospect.class.' + c), c === 'B'])))}
${field('source', t('prospect.source'), select('source', SOURCES.map((s, i) => [s, t('prospect.source.' + s), i === 0])))}
${field('outlet_id', t('prospect.outlet_id'), select('outlet_id', [['', t('form.choose'), true]].concat(
    list.map((o) => [o.outlet_id, o.bank + ' ' + o.name]))), { optional: true })}
${field('first_contact_on', t('prospect.first_contact_on'), input('first_contact_on', 'date', { required: true, value: today(), max: today() }))}
${field('need', t('prospect.need'), textarea('need', { maxlength: 500 }), { optional: true })}
${field('note', t('prospect.note'), textarea('note', { maxlength: 500 }), { optional: true })}
<div class="banner collision" role="alert" id="collision" hidden></div>
${statusBox()}${submitButton()}</form>`, '#/');
    const form = document.getElementById('prospect-form');
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const banner = document.getElementById('collision');
      banner.hidden = true;
      const body = compact({ name: val(form, 'name'), phone: val(form, 'phone'), id_number: val(form, 'id_number'),
        'class': radio(form, 'class'), source: val(form, 'source'), outlet_id: val(form, 'outlet_id'),
        first_contact_on: val(form, 'first_contact_on'), need: val(form, 'need') || '', note: val(form, 'note') || '' });
      submit(form, 'prospect', 'POST', '/v1/prospects', body, [], (r) => {
        setStatus(form, 'sent', t('state.sent') + ' · ' + r.data.name + ' · ' + r.data.phone);
        form.querySelector('input[name="first_contact_on"]').value = today();
      }, (r) => {
        const e = r.data && r.data.error;
        if (r.status !== 409 || !e || e.code !== 'already_registered') return false;
        const reg = e.registration || {};
        show(banner, html`<strong>${t('prospect.collision')}</strong><br>${t('prospect.collision_detail', {
          at: shortTime(reg.registered_at), state: t('prospect.state.' + reg.state), owner: reg.owner || '—' })}`);
        banner.hidden = false;
        setStatus(form, 'failed', t('state.failed', { msg: errorMessage(r) }));
        return true;
      });
    });
  });
}

function prospectCard(p) {
  return html`<li class="card prospect" data-prospect="${p.prospect_id}"><strong>${p.name}</strong> <span class="tag class-${p['class']}">${p['class']}</span> ${p.phone || ''}<small>${
    p.next_follow_up && html`${t('prospect.next', { d: p.next_follow_up })} · `}${
    p.protected_until && t('prospect.protected_until', { d: p.protected_until })}${
    p.first_contact_overdue && html` · <em>${t('prospect.overdue')}</em>`}</small><a class="button small" href="#/prospects/${p.prospect_id}/follow-up">${t('prospect.add_follow_up')}</a></li>`;
}

export function prospectListPage() {
  const at = location.hash;
  const path = '/v1/prospects?limit=50';
  Promise.all([listOrEmpty(path), queuedItems('prospect')]).then(([r, queued]) => {
    const items = (r.data && r.data.items) || [];
    page(at, t('prospect.list_title'), html`${listNotice(r)}<a class="button" href="#/prospects/new">${t('nav.prospect_new')}</a>
<ul class="list" id="prospect-list" data-refresh-on-flush>${queuedHtml(queued)}${items.map(prospectCard)}</ul>${moreButton('prospect-list', r)}
${!items.length && !queued.length && html`<p class="muted">${t('prospect.none')}</p>`}`, '#/');
    wireMore(main, 'prospect-list', path, prospectCard);
  }).catch((err) => { page(at, t('prospect.list_title'), html``, '#/'); showError(err); });
}

export function followUpPage(id) {
  const at = location.hash;
  const path = '/v1/prospects/' + encodeURIComponent(id);
  Promise.all([getCached(path), queuedItems('follow_up', path + '/follow-ups')]).then(([r, queued]) => {
    const p = r.data || {};
    if (r.status !== 200) throw new Error(errorMessage(r));
    const channels = ['phone', 'visit', 'wechat', 'sms', 'seminar', 'outlet'];
    page(at, t('followup.title') + ' · ' + (p.name || ''), html`<form id="follow-up-form" novalidate>
${field('channel', t('followup.channel'), select('channel', channels.map((c, i) => [c, t('followup.channel.' + c), i === 0])))}
${field('summary', t('followup.summary'), textarea('summary', { required: true, maxlength: 1000 }))}
${field('client_need', t('followup.client_need'), input('client_need', 'text', { maxlength: 500 }), { optional: true })}
${field('next_step', t('followup.next_step'), input('next_step', 'text', { maxlength: 500 }), { optional: true })}
${field('next_date', t('followup.next_date'), input('next_date', 'date', { min: today() }), { optional: true })}
${field('class_change', t('followup.class_change'), select('class_change', [['', t('followup.class_keep'), true]].concat(
    CLASSES.map((c) => [c, t('prospect.class.' + c)]))), { optional: true })}
${statusBox()}${submitButton()}</form>
<h2>${t('followup.history')}</h2><ul class="list" id="follow-up-list">${queuedHtml(queued)}${
  (p.follow_ups || []).slice().reverse().map((f) => html`<li class="card"><strong>${t('followup.channel.' + f.channel)}</strong> · ${shortTime(f.at)}<span class="clip">${f.summary}</span></li>`)}</ul>`, '#/prospects');
    const form = document.getElementById('follow-up-form');
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = compact({ channel: val(form, 'channel'), summary: val(form, 'summary'),
        client_need: val(form, 'client_need') || '', next_step: val(form, 'next_step') || '',
        next_date: val(form, 'next_date'), class_change: val(form, 'class_change') });
      submit(form, 'follow_up', 'POST', path + '/follow-ups', body, [], () => followUpPage(id), null).then(() => {
        if (form.querySelector('.status').getAttribute('data-state') === 'queued') followUpPage(id);
      });
    });
  }).catch((err) => { page(at, t('followup.title'), html``, '#/prospects'); showError(err); });
}

// Complaints (投诉): handled within 8 hours or escalated (002 第二十条 §4) ---------------------------
export function complaintFormPage() {
  const at = location.hash;
  const channels = ['phone', 'in_person', 'outlet', 'callback', 'letter', 'online'];
  page(at, t('complaint.title'), html`<form id="complaint-form" novalidate>
<p class="hint">${t('complaint.hint')}</p>
${field('account_id', t('complaint.account_id'), input('account_id', 'text', { maxlength: 64, autocomplete: 'off' }), { optional: true })}
${field('client_name', t('complaint.client_name'), input('client_name', 'text', { maxlength: 50, autocomplete: 'off' }), { optional: true })}
${field('channel', t('complaint.channel'), select('channel', channels.map((c, i) => [c, t('complaint.channel.' + c), i === 0]), { required: true }))}
${field('received_at', t('complaint.received_at'), input('received_at', 'datetime-local', { required: true, value: localInput(new Date()) }))}
${field('content', t('complaint.content'), textarea('content', { required: true, maxlength: 2000 }))}
${statusBox()}${submitButton()}</form>`, '#/');
  const form = document.getElementById('complaint-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = compact({ account_id: val(form, 'account_id'), client_name: val(form, 'client_name'),
      channel: val(form, 'channel'), received_at: withOffset(val(form, 'received_at')), content: val(form, 'content') });
    submit(form, 'complaint', 'POST', '/v1/complaints', body, [], (r) => {
      setStatus(form, 'sent', t('state.sent') + ' · ' + t('complaint.due', { at: shortTime(r.data.due_at) }));
      form.querySelector('input[name="received_at"]').value = localInput(new Date());
    });
  });
}
