/* Admin: staff, partner outlets and their API keys (a new key is shown once, on issue), branches (list, open). */
import { html, t, show } from '../render.js';
import { get, getAll, settle, section, dataTable, wireCsv, write, statusLine, short, here, page } from './ui.js';

const ROLES = ['client_manager', 'supervisor', 'callback_agent', 'callback_lead', 'compliance', 'admin'];

export function staffPage() {
  const at = here();
  return settle(getAll('/v1/staff?limit=100', 2000)).then((r) => {
    page(at, t('c.nav.staff'), html`
<section class="panel" id="staff-new" aria-labelledby="staff-new-h"><h2 id="staff-new-h">${t('c.staff.new')}</h2>
<form id="staff-form" class="filters" novalidate>
<div class="field" data-field="staff_id"><label for="s-staff_id">${t('c.col.id')}</label><input id="s-staff_id" name="staff_id" type="text" autocomplete="off"></div>
<div class="field" data-field="name"><label for="s-name">${t('c.col.name')}</label><input id="s-name" name="name" type="text" autocomplete="off"></div>
<div class="field" data-field="role"><label for="s-role">${t('c.col.role')}</label><select id="s-role" name="role">${ROLES.map((x) => html`<option value="${x}">${t('c.role.' + x)}</option>`)}</select></div>
<div class="field" data-field="branch_id"><label for="s-branch_id">${t('c.col.branch')}</label><input id="s-branch_id" name="branch_id" type="text" value="br-pudong"></div>
<button type="submit" class="secondary">${t('c.create')}</button></form>${statusLine('staff-status')}
<p class="muted">${t('c.staff.privileged')}</p></section>
${section('staff', t('c.nav.staff'), r, (items) => dataTable('staff-table', t('c.nav.staff'),
    [['staff_id', t('c.col.id')], ['name', t('c.col.name')], ['role', t('c.col.role'), { fmt: (s) => t('c.role.' + s.role) }], ['branch_id', t('c.col.branch')],
      ['status', t('c.col.status')], ['departed_on', t('c.staff.departed')], ['created_at', t('c.col.when'), { fmt: (s) => short(s.created_at) }],
      ['act', t('c.col.action'), { fmt: (s) => html`<button type="button" data-edit="${s.staff_id}">${t('c.staff.edit')}</button>` }]], items, { file: 'staff' }))}
<section class="panel" id="staff-edit" aria-labelledby="staff-edit-h" hidden><h2 id="staff-edit-h"></h2><div id="staff-edit-body"></div></section>`);
    const root = document.getElementById('main');
    wireCsv(root);
    const byId = {};
    (r.data || []).forEach((s) => { byId[s.staff_id] = s; });
    root.querySelectorAll('[data-edit]').forEach((b) => b.addEventListener('click', () => editStaff(byId[b.getAttribute('data-edit')])));
    const f = document.getElementById('staff-form');
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = {};
      ['staff_id', 'name', 'role', 'branch_id'].forEach((k) => { body[k] = f.elements[k].value.trim(); });
      write('POST', '/v1/staff', body, document.getElementById('staff-status'), {
        done: (d) => d && d.request_id ? t('c.staff.requested', { id: d.request_id }) : t('c.saved') });
    });
  });
}

/* Edit a member (name, role, branch) or record a departure with its successor: PATCH /v1/staff/{id} with the
   changed fields only. A privileged change comes back as a request for a second admin (four eyes). */
function editStaff(member) {
  const panel = document.getElementById('staff-edit');
  panel.hidden = false;
  document.getElementById('staff-edit-h').textContent = t('c.staff.edit_of', { id: member.staff_id, name: member.name });
  const body = document.getElementById('staff-edit-body');
  show(body, html`<form id="edit-form" class="filters" novalidate>
<div class="field" data-field="name"><label for="e-name">${t('c.col.name')}</label><input id="e-name" name="name" type="text" value="${member.name}"></div>
<div class="field" data-field="role"><label for="e-role">${t('c.col.role')}</label><select id="e-role" name="role">${ROLES.map((x) => html`<option value="${x}"${x === member.role ? html` selected` : ''}>${t('c.role.' + x)}</option>`)}</select></div>
<div class="field" data-field="branch_id"><label for="e-branch_id">${t('c.col.branch')}</label><input id="e-branch_id" name="branch_id" type="text" value="${member.branch_id}"></div>
<button type="submit" class="secondary">${t('c.staff.save')}</button></form>
<form id="depart-form" class="filters" novalidate aria-label="${t('c.staff.depart')}">
<div class="field" data-field="departed_on"><label for="e-departed_on">${t('c.staff.departed')}</label><input id="e-departed_on" name="departed_on" type="date"></div>
<div class="field" data-field="successor_id"><label for="e-successor_id">${t('c.staff.successor')}</label><input id="e-successor_id" name="successor_id" type="text" autocomplete="off"></div>
<button type="submit" class="secondary">${t('c.staff.depart')}</button></form>
<p class="muted">${t('c.staff.successor_hint')}</p>${statusLine('edit-status')}`);
  const done = (d) => d && d.request_id ? t('c.staff.requested', { id: d.request_id }) : t('c.saved');
  const path = '/v1/staff/' + encodeURIComponent(member.staff_id);
  const again = (res) => { if (res.status === 200) setTimeout(staffPage, 1200); };
  const edit = document.getElementById('edit-form');
  edit.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const change = {};
    ['name', 'role', 'branch_id'].forEach((k) => { const v = edit.elements[k].value.trim(); if (v !== member[k]) change[k] = v; });
    if (!Object.keys(change).length) { const box = document.getElementById('edit-status'); box.hidden = false; box.textContent = t('c.staff.unchanged'); return; }
    write('PATCH', path, change, document.getElementById('edit-status'), { done }).then(again);
  });
  const depart = document.getElementById('depart-form');
  depart.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const change = { status: 'departed', departed_on: depart.elements.departed_on.value || null };
    const successor = depart.elements.successor_id.value.trim();
    if (successor) change.successor_id = successor;
    write('PATCH', path, change, document.getElementById('edit-status'), { done }).then(again);
  });
  panel.scrollIntoView();
}

export function outletsPage() {
  const at = here();
  return settle(getAll('/v1/outlets?limit=100', 1000)).then((r) => {
    page(at, t('c.nav.outlets'), html`
<section class="panel" id="outlet-new" aria-labelledby="outlet-new-h"><h2 id="outlet-new-h">${t('c.outlet.new')}</h2>
<form id="outlet-form" class="filters" novalidate>
<div class="field" data-field="outlet_id"><label for="o-outlet_id">${t('c.col.id')}</label><input id="o-outlet_id" name="outlet_id" type="text" autocomplete="off"></div>
<div class="field" data-field="bank"><label for="o-bank">${t('c.outlet.bank')}</label><input id="o-bank" name="bank" type="text"></div>
<div class="field" data-field="name"><label for="o-name">${t('c.col.name')}</label><input id="o-name" name="name" type="text"></div>
<div class="field" data-field="branch_id"><label for="o-branch_id">${t('c.col.branch')}</label><input id="o-branch_id" name="branch_id" type="text" value="br-pudong"></div>
<button type="submit" class="secondary">${t('c.create')}</button></form>${statusLine('outlet-status')}</section>
${section('outlets', t('c.nav.outlets'), r, (items) => dataTable('outlet-table', t('c.nav.outlets'),
    [['outlet_id', t('c.col.id')], ['bank', t('c.outlet.bank')], ['name', t('c.col.name')], ['branch_id', t('c.col.branch')], ['status', t('c.col.status')],
      ['act', t('c.col.action'), { fmt: (o) => html`<button type="button" data-keys="${o.outlet_id}">${t('c.outlet.keys')}</button>` }]], items, { file: 'outlets' }))}
<section class="panel" id="keys" aria-labelledby="keys-h" hidden><h2 id="keys-h"></h2><div id="keys-body"></div></section>`);
    const root = document.getElementById('main');
    wireCsv(root);
    const f = document.getElementById('outlet-form');
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = {};
      ['outlet_id', 'bank', 'name', 'branch_id'].forEach((k) => { body[k] = f.elements[k].value.trim(); });
      write('POST', '/v1/outlets', body, document.getElementById('outlet-status'))
        .then((res) => { if (res.status === 201) setTimeout(outletsPage, 1200); });
    });
    root.querySelectorAll('[data-keys]').forEach((b) => b.addEventListener('click', () => showKeys(b.getAttribute('data-keys'))));
  });
}

function showKeys(outletId, issued) {
  const panel = document.getElementById('keys');
  panel.hidden = false;
  document.getElementById('keys-h').textContent = t('c.outlet.keys_of', { id: outletId });
  const body = document.getElementById('keys-body');
  return settle(get('/v1/outlets/' + encodeURIComponent(outletId) + '/api-keys')).then((r) => {
    show(body, html`${issued && html`<div class="shown-once" role="alert" id="issued-key"><p>${t('c.outlet.shown_once')}</p><p><code>${issued}</code></p></div>`}
${r.error ? html`<p class="banner error refused" role="alert">${t('c.refused')}</p>` : dataTable('key-table', t('c.outlet.keys_of', { id: outletId }),
    [['key_id', t('c.col.id')], ['label', t('c.outlet.label')], ['status', t('c.col.status')], ['created_at', t('c.col.when'), { fmt: (k) => short(k.created_at) }],
      ['act', t('c.col.action'), { fmt: (k) => k.status === 'active' ? html`<button type="button" data-revoke="${k.key_id}">${t('c.outlet.revoke')}</button>` : '' }]],
    r.data.items || [], { file: 'api-keys-' + outletId })}
<form id="key-form" class="filters" novalidate><div class="field"><label for="k-label">${t('c.outlet.label')}</label><input id="k-label" name="label" type="text"></div>
<button type="submit" class="secondary">${t('c.outlet.issue')}</button></form>${statusLine('key-status')}`);
    wireCsv(body);
    document.getElementById('key-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const label = ev.target.elements.label.value.trim();
      // Issuing is not idempotent on purpose: the key is in this one answer and never stored to replay.
      write('POST', '/v1/outlets/' + encodeURIComponent(outletId) + '/api-keys', label ? { label } : {}, document.getElementById('key-status'),
        { idempotent: false, done: () => t('c.outlet.issued') }).then((res) => { if (res.status === 201) showKeys(outletId, res.data.api_key); });
    });
    body.querySelectorAll('[data-revoke]').forEach((btn) => btn.addEventListener('click', () =>
      write('POST', '/v1/outlets/' + encodeURIComponent(outletId) + '/api-keys/' + encodeURIComponent(btn.getAttribute('data-revoke')) + '/revoke', {},
        document.getElementById('key-status')).then((res) => { if (res.status === 200) showKeys(outletId); })));
  });
}

export function branchesPage() {
  const at = here();
  // The branches as GET /v1/branches lists them (admin, compliance); opening one is POST /v1/branches.
  return settle(getAll('/v1/branches?limit=100', 1000)).then((r) => {
    page(at, t('c.nav.branches'), html`
<section class="panel" id="branch-new" aria-labelledby="branch-new-h"><h2 id="branch-new-h">${t('c.branch.new')}</h2>
<form id="branch-form" class="filters" novalidate>
<div class="field" data-field="branch_id"><label for="b-branch_id">${t('c.col.id')}</label><input id="b-branch_id" name="branch_id" type="text" autocomplete="off" placeholder="br-xuhui"></div>
<div class="field" data-field="name"><label for="b-name">${t('c.col.name')}</label><input id="b-name" name="name" type="text" autocomplete="off"></div>
<button type="submit" class="secondary">${t('c.create')}</button></form>${statusLine('branch-status')}
<p class="muted">${t('c.branch.id_fixed')}</p></section>
${section('branches', t('c.nav.branches'), r, (items) => dataTable('branch-table', t('c.nav.branches'),
    [['branch_id', t('c.col.id')], ['name', t('c.col.name')], ['status', t('c.col.status'), { fmt: (b) => t('c.branch.status_' + b.status) }],
      ['created_at', t('c.col.when'), { fmt: (b) => short(b.created_at) }], ['created_by', t('c.branch.created_by')]], items, { file: 'branches' }))}`);
    wireCsv(document.getElementById('main'));
    const f = document.getElementById('branch-form');
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = { branch_id: f.elements.branch_id.value.trim(), name: f.elements.name.value.trim() };
      write('POST', '/v1/branches', body, document.getElementById('branch-status'))
        .then((res) => { if (res.status === 201) setTimeout(branchesPage, 800); });
    });
  });
}
