/* Compliance: regulatory coverage (a month's new accounts, the year's 10% against the calendar), problem
 * items with their transitions, review sampling, the disclosure audit, role-change approvals, the calendar. */
import { html, t, show } from '../render.js';
import { me } from '../net.js';
import { get, getAll, settle, section, dataTable, wireCsv, write, statusLine, monthsBack, monthEnd, thisMonth,
  short, here, page, refusal as refusalBanner } from './ui.js';
import { chartBlock, drawChart } from './chart.js';

/* ?month=YYYY-MM (and other filters) live in the hash, so a page can be bookmarked and reloaded. */
function params() { return new URLSearchParams((location.hash.split('?')[1]) || ''); }
function hashWith(values) {
  const p = params();
  Object.keys(values).forEach((k) => { if (values[k]) p.set(k, values[k]); else p.delete(k); });
  return location.hash.split('?')[0] + '?' + p.toString();
}
function monthPicker(id, month) {
  const options = monthsBack(12).reverse();
  return html`<form class="filters" id="${id}" novalidate><div class="field"><label for="${id}-month">${t('c.col.month')}</label>
<select id="${id}-month" name="month">${options.map((m) => html`<option value="${m}"${m === month ? html` selected` : ''}>${m}</option>`)}</select></div>
<button type="submit" class="secondary">${t('c.show')}</button></form>`;
}
function wirePicker(id) {
  const f = document.getElementById(id);
  if (f) f.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = hashWith({ month: f.elements.month.value }); });
}

// --- regulatory coverage -------------------------------------------------------------------------
export function coveragePage() {
  const at = here();
  const month = params().get('month') || thisMonth();
  const year = Number(month.slice(0, 4));
  return settle(get('/v1/reports/coverage?opened_from=' + month + '-01&opened_to=' + monthEnd(month) + '&year=' + year)).then((r) => {
    const d = r.data || {};
    const na = d.new_accounts || {};
    const ex = d.existing_clients || {};
    const newSpec = { categories: [t('c.cov.in_time'), t('c.cov.late'), t('c.cov.still_open'), t('c.cov.missed')],
      series: [{ name: t('c.cov.accounts'), data: [na.called_back_within_window, (na.called_back_late || []).length,
        (na.still_open || []).length, (na.missed || []).length] }] };
    // The year's target against the calendar: where a steady pace would be by the end of each month.
    const months = [];
    for (let m = 1; m <= 12; m += 1) months.push(year + '-' + (m < 10 ? '0' : '') + m);
    const now = thisMonth();
    const target = ex.target;
    const yearSpec = { categories: months, series: [
      { name: t('c.cov.pace'), type: 'line', data: months.map((m, i) => target ? Math.round(target * (i + 1) / 12) : null) },
      { name: t('c.cov.called_back'), type: 'bar', data: months.map((m) => m === (now.slice(0, 4) === String(year) ? now : months[11]) ? ex.called_back : null) }],
      line: target ? { name: t('c.cov.target'), value: target } : null };
    page(at, t('c.nav.coverage'), html`${monthPicker('coverage-filter', month)}
${section('new-accounts', t('c.cov.new', { month }), r, () => html`<p>${t('c.cov.new_summary', { n: na.accounts, ok: na.called_back_within_window, pct: na.percent === null ? '—' : na.percent + '%' })}</p>
${chartBlock('new-chart', t('c.cov.new', { month }), newSpec, t('c.cov.outcome'))}
${dataTable('late-accounts', t('c.cov.late_list'), [['account_id', t('c.col.account')], ['opened_on', t('c.cov.opened')], ['deadline', t('c.cov.deadline')],
    ['called_back_on', t('c.cov.called_on')], ['reason', t('c.col.reason')]], [...(na.called_back_late || []), ...(na.missed || [])], { file: 'coverage-late-' + month })}
${dataTable('open-accounts', t('c.cov.open_list'), [['account_id', t('c.col.account')], ['opened_on', t('c.cov.opened')], ['deadline', t('c.cov.deadline')],
    ['days_left', t('c.cov.days_left'), { num: true }]], na.still_open || [], { file: 'coverage-open-' + month })}`)}
${section('existing', t('c.cov.year', { year }), r, () => html`<p>${t('c.cov.year_summary', { n: ex.called_back, clients: ex.year_end_clients === null ? '—' : ex.year_end_clients,
    target: target === null || target === undefined ? '—' : target, pct: ex.percent_of_target === null || ex.percent_of_target === undefined ? '—' : ex.percent_of_target + '%' })}</p>
${target ? html`` : html`<p class="missing">${t('c.cov.no_clients')}</p>`}
<form class="filters" id="year-end-form" novalidate><div class="field"><label for="year-end-clients">${t('c.cov.year_end_clients', { year: year - 1, target_year: year })}</label>
<input id="year-end-clients" name="clients" type="number" min="0" inputmode="numeric" value="${ex.year_end_clients === null || ex.year_end_clients === undefined ? '' : ex.year_end_clients}"></div>
<button type="submit" class="secondary">${t('c.cov.year_end_save')}</button></form>${statusLine('year-end-status')}
${chartBlock('year-chart', t('c.cov.year', { year }), yearSpec, t('c.col.month'))}`)}`);
    wirePicker('coverage-filter');
    wireCsv(document.getElementById('main'));
    const ye = document.getElementById('year-end-form');
    if (ye) {
      ye.addEventListener('submit', (ev) => {
        ev.preventDefault();
        // The 10% of a year is counted against the previous year-end's clients.
        write('PUT', '/v1/reports/coverage/year-end', { branch_id: d.branch_id || (me() || {}).branch_id, year: year - 1,
          clients: Number(ye.elements.clients.value) }, document.getElementById('year-end-status'), { idempotent: false })
          .then((res) => { if (res.status === 200) setTimeout(coveragePage, 800); });
      });
    }
    if (!r.error) { drawChart('new-chart', newSpec, 'bar'); drawChart('year-chart', yearSpec, 'line'); }
  });
}

// --- problem items -------------------------------------------------------------------------------
const NEXT = { open: ['in_progress', 'resolved'], in_progress: ['resolved'], resolved: ['verified'] };

export function problemsPage() {
  const at = here();
  const status = params().get('status') || 'open';
  return settle(get('/v1/problems?status=' + status + '&limit=100')).then((r) => {
    page(at, t('c.nav.problems'), html`<form class="filters" id="problem-filter" novalidate><div class="field"><label for="problem-status">${t('c.col.status')}</label>
<select id="problem-status" name="status">${['open', 'in_progress', 'resolved', 'verified'].map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${t('c.pst.' + s)}</option>`)}</select></div>
<button type="submit" class="secondary">${t('c.show')}</button></form>
${section('problems', t('c.problems'), r, (d) => html`${dataTable('problem-table', t('c.problems'),
    [['created_at', t('c.col.when'), { fmt: (p) => short(p.created_at) }], ['branch_id', t('c.col.branch')], ['severity', t('c.col.severity')],
      ['category', t('c.col.category')], ['cause', t('c.col.cause')], ['responsible_department', t('c.col.department')],
      ['due_at', t('c.col.due'), { fmt: (p) => short(p.due_at) }],
      ['act', t('c.col.action'), { fmt: (p) => html`${(NEXT[p.status] || []).map((to) => html`<button type="button" data-problem="${p.problem_id}" data-to="${to}">${t('c.pst.to_' + to)}</button> `)}` }]],
    d.items, { file: 'problems-' + status, rowClass: (p) => p.overdue ? 'overdue' : '' })}${statusLine('problem-status-line')}`)}`);
    const f = document.getElementById('problem-filter');
    f.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = hashWith({ status: f.elements.status.value }); });
    const root = document.getElementById('main');
    wireCsv(root);
    root.querySelectorAll('[data-problem]').forEach((b) => b.addEventListener('click', () => {
      const to = b.getAttribute('data-to');
      const body = { to };
      if (to === 'resolved' || to === 'verified') {
        const noteText = window.prompt(t('c.pst.note_prompt'));
        if (noteText === null) return;
        body.note = noteText;
      }
      write('POST', '/v1/problems/' + encodeURIComponent(b.getAttribute('data-problem')) + '/transition', body,
        document.getElementById('problem-status-line')).then((res) => { if (res.status === 200) b.closest('tr').remove(); });
    }));
  });
}

// --- review sampling -----------------------------------------------------------------------------
export function samplePage() {
  const at = here();
  const month = params().get('month') || thisMonth();
  const branch = (me() || {}).branch_id;
  return settle(get('/v1/callback-tasks/sample?branch_id=' + encodeURIComponent(branch) + '&month=' + month + '&size=10')).then((r) => {
    page(at, t('c.nav.sample'), html`${monthPicker('sample-filter', month)}<p class="muted">${t('c.sample.intro')}</p>
${section('sample', t('c.sample.section', { month }), r, (d) => html`${dataTable('sample-table', t('c.sample.section', { month }),
    [['completed_at', t('c.col.when'), { fmt: (x) => short(x.completed_at) }], ['trigger', t('c.col.trigger'), { fmt: (x) => t('trigger.' + x.trigger) }],
      ['client_name', t('c.col.client')], ['assignee_id', t('c.col.agent')],
      ['act', t('c.col.action'), { fmt: (x) => html`<button type="button" data-review="${x.task_id}" data-result="compliant">${t('c.sample.ok')}</button>
<button type="button" data-review="${x.task_id}" data-result="non_compliant">${t('c.sample.bad')}</button>` }]], d.items, { file: 'sample-' + month })}${statusLine('review-status')}`)}`);
    wirePicker('sample-filter');
    const root = document.getElementById('main');
    wireCsv(root);
    root.querySelectorAll('[data-review]').forEach((b) => b.addEventListener('click', () =>
      write('POST', '/v1/callback-tasks/' + encodeURIComponent(b.getAttribute('data-review')) + '/review',
        { result: b.getAttribute('data-result') }, document.getElementById('review-status'))
        .then((res) => { if (res.status === 200 || res.status === 201) b.closest('tr').remove(); })));
  });
}

// --- the disclosure audit ------------------------------------------------------------------------
const AUDIT_KINDS = ['account', 'prospect', 'visit'];

/* The API searches (GET /v1/audit/reveals/search): by person, client and days, across months; the page
   only carries the form's values to it and shows what it answers, a page at a time ("load more"). */
export function auditPage() {
  const at = here();
  const p = params();
  const q = { actor_id: p.get('actor') || '', subject_kind: p.get('kind') || '', subject_id: p.get('subject') || '',
    from: p.get('from') || '', to: p.get('to') || '' };
  const query = Object.keys(q).filter((k) => q[k]).map((k) => k + '=' + encodeURIComponent(q[k])).join('&');
  const url = '/v1/audit/reveals/search?limit=50' + (query ? '&' + query : '');
  const rows = [];
  const title = t('c.audit.results');
  const columns = [['at', t('c.col.when'), { fmt: (a) => short(a.at) }], ['actor_id', t('c.audit.actor')], ['actor_role', t('c.col.role')],
    ['subject_kind', t('c.col.kind')], ['subject_id', t('c.audit.subject')], ['fields', t('c.audit.fields'), { fmt: (a) => (a.fields || []).join(', ') }],
    ['purpose', t('c.audit.purpose')], ['outcome', t('c.audit.outcome')], ['case_ref', t('c.audit.case')]];
  const body = (token) => html`${dataTable('audit-table', title, columns, rows, { file: 'reveal-audit' })}
${token ? html`<button type="button" class="secondary" id="audit-more" data-token="${token}">${t('c.more')}</button>` : ''}`;
  const wire = () => {
    const box = document.getElementById('audit-body');
    wireCsv(box);
    const more = document.getElementById('audit-more');
    if (more) more.addEventListener('click', () => load(more.getAttribute('data-token')));
  };
  const load = (token) => settle(get(url + (token ? '&next_token=' + encodeURIComponent(token) : ''))).then((r) => {
    const box = document.getElementById('audit-body');
    if (r.error) { show(box, refusalOrInput(r.error)); return; }
    rows.push.apply(rows, r.data.items || []);
    show(box, body(r.data.next_token));
    wire();
  });
  return settle(get(url)).then((r) => {
    if (!r.error) rows.push.apply(rows, r.data.items || []);
    page(at, t('c.nav.audit'), html`<form class="filters" id="audit-filter" novalidate>
<div class="field"><label for="audit-actor">${t('c.audit.actor_id')}</label><input id="audit-actor" name="actor" type="text" value="${q.actor_id}" autocomplete="off"></div>
<div class="field"><label for="audit-kind">${t('c.audit.kind')}</label><select id="audit-kind" name="kind"><option value="">${t('c.audit.any')}</option>${AUDIT_KINDS.map((k) => html`<option value="${k}"${k === q.subject_kind ? html` selected` : ''}>${t('c.audit.kind_' + k)}</option>`)}</select></div>
<div class="field"><label for="audit-subject">${t('c.audit.subject_id')}</label><input id="audit-subject" name="subject" type="text" value="${q.subject_id}" autocomplete="off"></div>
<div class="field"><label for="audit-from">${t('c.audit.from')}</label><input id="audit-from" name="from" type="date" value="${q.from}"></div>
<div class="field"><label for="audit-to">${t('c.audit.to')}</label><input id="audit-to" name="to" type="date" value="${q.to}"></div>
<button type="submit" class="secondary">${t('c.search')}</button></form>
<section class="panel" id="audit" aria-labelledby="audit-h"><h2 id="audit-h">${title}</h2><p class="muted">${t('c.audit.range_note')}</p>
<div id="audit-body">${r.error ? refusalOrInput(r.error) : body(r.data.next_token)}</div></section>`);
    wire();
    const f = document.getElementById('audit-filter');
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      location.hash = hashWith({ actor: f.elements.actor.value.trim(), kind: f.elements.kind.value,
        subject: f.elements.subject.value.trim(), from: f.elements.from.value, to: f.elements.to.value });
    });
  });
}

/* A 400 is the form's fault: said in the interface's language (errors.js), not as "not for your role". */
function refusalOrInput(err) {
  if (err && err.status === 400) return html`<p class="banner error" role="alert" data-status="400">${err.message}</p>`;
  return refusalBanner(err);
}

// --- role-change approvals -----------------------------------------------------------------------
export function approvalsPage() {
  const at = here();
  const month = params().get('month') || thisMonth();
  const admin = (me() || {}).role === 'admin';   // only admins decide; the API refuses anyone else
  return Promise.all([settle(get('/v1/privilege-requests?status=pending&limit=100')), settle(get('/v1/privilege-requests?status=approved&limit=50')),
    settle(getAll('/v1/staff-changes?month=' + month + '&limit=100', 1000))]).then(([pending, approved, changes]) => {
    const change = (x) => Object.keys(x.change || {}).map((k) => k + '=' + JSON.stringify(x.change[k])).join('; ');
    page(at, t('c.nav.approvals'), html`
${section('pending', t('c.appr.pending'), pending, (d) => html`${dataTable('pending-table', t('c.appr.pending'),
    [['requested_at', t('c.col.when'), { fmt: (x) => short(x.requested_at) }], ['staff_id', t('c.col.id')], ['change', t('c.appr.change'), { fmt: change }],
      ['reason', t('c.col.reason')], ['requested_by', t('c.appr.by')],
      ...(admin ? [['act', t('c.col.action'), { fmt: (x) => html`<button type="button" data-priv="${x.request_id}" data-decision="approve">${t('c.approve')}</button>
<button type="button" data-priv="${x.request_id}" data-decision="reject">${t('c.reject')}</button>` }]] : [])], d.items, { file: 'privilege-pending' })}${statusLine('priv-status')}`)}
${section('approved', t('c.appr.approved'), approved, (d) => dataTable('approved-table', t('c.appr.approved'),
    [['decided_at', t('c.col.when'), { fmt: (x) => short(x.decided_at) }], ['staff_id', t('c.col.id')], ['change', t('c.appr.change'), { fmt: change }],
      ['requested_by', t('c.appr.by')], ['decided_by', t('c.appr.decided_by')]], d.items, { file: 'privilege-approved' }))}
${monthPicker('changes-filter', month)}
${section('changes', t('c.appr.changes', { month }), changes, (items) => dataTable('changes-table', t('c.appr.changes', { month }),
    [['at', t('c.col.when'), { fmt: (x) => short(x.at) }], ['staff_id', t('c.col.id')], ['actor_id', t('c.appr.by')], ['approved_by', t('c.appr.decided_by')],
      ['before', t('c.appr.before'), { fmt: (x) => JSON.stringify(x.before || {}) }], ['after', t('c.appr.after'), { fmt: (x) => JSON.stringify(x.after || {}) }]],
    items, { file: 'staff-changes-' + month }))}`);
    wirePicker('changes-filter');
    const root = document.getElementById('main');
    wireCsv(root);
    root.querySelectorAll('[data-priv]').forEach((b) => b.addEventListener('click', () => {
      const decision = b.getAttribute('data-decision');
      const reason = decision === 'reject' ? window.prompt(t('c.pen.reason_prompt')) : '';
      if (reason === null) return;
      write('POST', '/v1/privilege-requests/' + encodeURIComponent(b.getAttribute('data-priv')) + '/' + decision,
        reason ? { reason } : {}, document.getElementById('priv-status')).then((res) => { if (res.status === 200) b.closest('tr').remove(); });
    }));
  });
}

// --- the working-day calendar --------------------------------------------------------------------
export function calendarPage() {
  const at = here();
  const year = Number(params().get('year') || new Date().getFullYear());
  return Promise.all([settle(get('/v1/calendar/' + year)), settle(get('/v1/calendar/' + year + '/versions'))]).then(([cal, versions]) => {
    const years = [year - 1, year, year + 1];
    page(at, t('c.nav.calendar'), html`<form class="filters" id="calendar-filter" novalidate><div class="field"><label for="calendar-year">${t('c.cal.year')}</label>
<select id="calendar-year" name="year">${years.map((y) => html`<option value="${y}"${y === year ? html` selected` : ''}>${y}</option>`)}</select></div>
<button type="submit" class="secondary">${t('c.show')}</button></form>
${section('calendar', t('c.cal.section', { year }), cal, (d) => html`<p>${t('c.cal.source', { source: d.source, version: d.version === null ? '—' : d.version })}${d.provisional ? html` <span class="tag overdue">${t('c.cal.provisional')}</span>` : ''}</p>
<div class="grid2"><div>${dataTable('holiday-table', t('c.cal.holidays'), [['day', t('c.cal.day')]], (d.holidays || []).map((x) => ({ day: x })), { file: 'holidays-' + year })}</div>
<div>${dataTable('makeup-table', t('c.cal.makeup'), [['day', t('c.cal.day')]], (d.makeup_workdays || []).map((x) => ({ day: x })), { file: 'makeup-workdays-' + year })}</div></div>
${(me() || {}).role === 'admin' ? publishForm(year, d) : ''}`)}
${section('versions', t('c.cal.versions'), versions, (d) => dataTable('version-table', t('c.cal.versions'),
    [['version', t('c.cal.version'), { num: true }], ['published_at', t('c.col.when'), { fmt: (v) => short(v.published_at) }], ['published_by', t('c.appr.by')],
      ['holidays', t('c.cal.holidays'), { num: true, fmt: (v) => (v.holidays || []).length }], ['note', t('c.col.reason')]], d.versions || d.items || [], { file: 'calendar-versions-' + year }))}`);
    const f = document.getElementById('calendar-filter');
    f.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = hashWith({ year: f.elements.year.value }); });
    wirePublish(year);
    wireCsv(document.getElementById('main'));
  });
}

/* An admin publishes the year (PUT /v1/calendar/{year}, a new version): days one per line or comma-separated,
   prefilled with what is in force; the API checks them and its refusals are shown in the interface's language. */
function publishForm(year, d) {
  return html`<form id="publish-form" class="stack" novalidate aria-labelledby="publish-h"><h3 id="publish-h">${t('c.cal.publish', { year })}</h3>
<div class="field" data-field="holidays"><label for="p-holidays">${t('c.cal.holidays')}</label><textarea id="p-holidays" name="holidays" rows="4">${(d.holidays || []).join('\n')}</textarea></div>
<div class="field" data-field="makeup_workdays"><label for="p-makeup">${t('c.cal.makeup')}</label><textarea id="p-makeup" name="makeup_workdays" rows="2">${(d.makeup_workdays || []).join('\n')}</textarea></div>
<div class="field" data-field="note"><label for="p-note">${t('c.cal.note')}</label><input id="p-note" name="note" type="text" maxlength="200"></div>
<p class="muted">${t('c.cal.publish_hint')}</p>
<button type="submit" class="secondary">${t('c.cal.publish_button')}</button></form>${statusLine('publish-status')}`;
}

function days(text) { return String(text || '').split(/[\s,，、]+/).map((x) => x.trim()).filter(Boolean); }

function wirePublish(year) {
  const f = document.getElementById('publish-form');
  if (!f) return;
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const note = f.elements.note.value.trim();
    const body = { holidays: days(f.elements.holidays.value), makeup_workdays: days(f.elements.makeup_workdays.value) };
    if (note) body.note = note;
    const said = (out) => t('c.cal.published', { version: out.version, tasks: out.recomputed_tasks || 0 });
    write('PUT', '/v1/calendar/' + year, body, document.getElementById('publish-status'), { done: said }).then((res) => {
      if (res.status !== 200) return;
      // The page read again (the new version in force, its place in the versions), the answer kept in sight.
      calendarPage().then(() => {
        const box = document.getElementById('publish-status');
        if (!box) return;
        box.hidden = false;
        box.className = 'status sent';
        box.setAttribute('data-state', 'sent');
        box.textContent = said(res.data);
      });
    });
  });
}
