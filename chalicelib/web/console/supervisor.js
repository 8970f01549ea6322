/* Supervisor / branch manager pages: the week against the quotas, sign-offs and late logs, collisions and
 * the pool, penalties (entry with the computed amount first, appeals, settlement), scorecards, and the
 * branch's escalations, problem items, contact-update requests and complaints (read-only). */
import { html, t, field, select, input, textarea } from '../render.js';
import { api, errorMessage } from '../net.js';
import { get, getAll, settle, section, dataTable, wireCsv, write, statusLine, weekOf, thisMonth, monthsBack,
  short, yuan, ymd, here, page } from './ui.js';
import { chartBlock, drawChart } from './chart.js';

const name = (staff, id) => (staff.find((s) => s.staff_id === id) || {}).name || id;
const managers = () => getAll('/v1/staff?role=client_manager&limit=100');

// --- this week per manager -----------------------------------------------------------------------
export function weekPage() {
  const at = here();
  const wk = weekOf(new Date());
  return settle(managers().then((staff) => Promise.all(staff.filter((s) => s.status === 'active').map((s) =>
    get('/v1/visits/activity?from=' + wk.from + '&to=' + wk.to + '&manager_id=' + encodeURIComponent(s.staff_id))
      .then((a) => ({ staff: s, a })))))).then((r) => {
    const rows = (r.data || []).map(({ staff, a }) => ({
      manager_id: staff.staff_id, name: staff.name, visits: a.totals.visits, phone: a.totals.phone_contacts,
      outings: a.totals.outings, clients: a.totals.clients_on_outings,
      visit_days: (a.weeks[0] || {}).visit_days || 0, visit_days_quota: a.quotas.visit_days_per_week,
      phone_days: a.totals.working_days_phone_quota_met + ' / ' + a.totals.working_days,
      phone_quota: a.quotas.phone_contacts_per_day, below: a.totals.outings_below_client_quota
    }));
    const spec = { categories: rows.map((x) => x.name), series: [
      { name: t('c.col.visit_days'), data: rows.map((x) => x.visit_days) },
      { name: t('c.col.outings'), data: rows.map((x) => x.outings) },
      { name: t('c.col.phone'), data: rows.map((x) => x.phone) }],
      line: rows.length ? { name: t('c.col.visit_days_quota'), value: rows[0].visit_days_quota } : null };
    page(at, t('c.week.title', { week: wk.iso }), html`<p class="muted">${wk.from} – ${wk.to}</p>
${section('week', t('c.week.section'), r, () => html`${chartBlock('week-chart', t('c.week.chart'), spec, t('c.col.manager'))}
${dataTable('week-table', t('c.week.table'), [['name', t('c.col.manager')], ['visits', t('c.col.logs'), { num: true }],
    ['phone', t('c.col.phone'), { num: true }], ['phone_days', t('c.col.phone_days'), { num: true }],
    ['outings', t('c.col.outings'), { num: true }], ['clients', t('c.col.clients'), { num: true }],
    ['below', t('c.col.below'), { num: true }], ['visit_days', t('c.col.visit_days'), { num: true }],
    ['visit_days_quota', t('c.col.visit_days_quota'), { num: true }]], rows,
  { file: 'week-' + wk.iso, rowClass: (x) => x.visit_days < x.visit_days_quota ? 'below-quota' : '' })}`)}`);
    wireCsv(document.getElementById('main'));
    return drawChart('week-chart', spec, 'bar');
  });
}

// --- sign-offs and late logs ---------------------------------------------------------------------
export function signoffPage() {
  const at = here();
  const wk = weekOf(new Date(Date.now() - 7 * 86400000));   // last week is the one to sign off
  const now = weekOf(new Date());
  return Promise.all([settle(managers()), settle(getAll('/v1/visits?from=' + wk.from + '&to=' + now.to + '&limit=100', 500))])
    .then(([staff, visits]) => {
      const people = staff.data || [];
      const late = (visits.data || []).filter((v) => v.status === 'pending_approval');
      page(at, t('c.nav.signoffs'), html`
${section('signoff', t('c.signoff.section', { week: wk.iso }), staff, (list) => html`${dataTable('signoff-table', t('c.signoff.table'),
    [['name', t('c.col.manager')], ['staff_id', t('c.col.id')], ['act', t('c.col.action'), { fmt: (s) =>
      html`<button type="button" data-signoff="${s.staff_id}">${t('c.signoff.button', { week: wk.iso })}</button>`}]],
    list.filter((s) => s.status === 'active'), { csv: false })}${statusLine('signoff-status')}`)}
${section('late', t('c.late.section'), visits, () => html`${dataTable('late-table', t('c.late.table'),
    [['manager_id', t('c.col.manager'), { fmt: (v) => name(people, v.manager_id) }], ['visited_at', t('c.col.when'), { fmt: (v) => short(v.visited_at) }],
      ['kind', t('c.col.kind')], ['unit_name', t('c.col.unit')], ['late_reason', t('c.col.reason')],
      ['act', t('c.col.action'), { fmt: (v) => html`<button type="button" data-late="${v.visit_id}" data-approve="true">${t('c.approve')}</button>
<button type="button" data-late="${v.visit_id}" data-approve="false">${t('c.reject')}</button>` }]], late, { csv: false })}${statusLine('late-status')}`)}`);
      const root = document.getElementById('main');
      root.querySelectorAll('[data-signoff]').forEach((b) => b.addEventListener('click', () =>
        write('POST', '/v1/visits/signoffs', { manager_id: b.getAttribute('data-signoff'), week: wk.iso },
          document.getElementById('signoff-status'), { done: () => t('c.signoff.done', { name: name(people, b.getAttribute('data-signoff')) }) })));
      root.querySelectorAll('[data-late]').forEach((b) => b.addEventListener('click', () =>
        write('POST', '/v1/visits/' + encodeURIComponent(b.getAttribute('data-late')) + '/late-approval',
          { approve: b.getAttribute('data-approve') === 'true' }, document.getElementById('late-status'))
          .then((r) => { if (r.status === 200) b.closest('tr').remove(); })));
    });
}

// --- collisions and the pool ---------------------------------------------------------------------
export function prospectsPage() {
  const at = here();
  return Promise.all([settle(get('/v1/collisions?limit=100')), settle(get('/v1/prospects/pool?limit=100'))]).then(([col, pool]) => {
    page(at, t('c.nav.prospects'), html`
${section('collisions', t('c.collisions'), col, (d) => dataTable('collision-table', t('c.collisions'),
    [['at', t('c.col.when'), { fmt: (c) => short(c.at) }], ['attempted_by', t('c.col.attempted_by')], ['existing_owner_id', t('c.col.owner')],
      ['source', t('c.col.source')], ['matched_on', t('c.col.matched_on'), { fmt: (c) => (c.matched_on || []).join(', ') }],
      ['cross_branch', t('c.col.cross_branch'), { fmt: (c) => c.cross_branch ? t('c.yes') : t('c.no') }]], d.items, { file: 'collisions' }))}
${section('pool', t('c.pool'), pool, (d) => dataTable('pool-table', t('c.pool'),
    [['name', t('c.col.client')], ['phone', t('c.col.phone_masked')], ['class', t('c.col.class')], ['source', t('c.col.source')],
      ['need', t('c.col.need')], ['released_at', t('c.col.released'), { fmt: (p) => short(p.released_at) }]], d.items, { file: 'pool' }))}`);
    wireCsv(document.getElementById('main'));
  });
}

// --- penalties -----------------------------------------------------------------------------------
const PREVIEW_FIELDS = ['manager_id', 'rule_code', 'breach_date', 'occurrences', 'income_yuan', 'serious'];

function penaltyBody(form, withEvidence) {
  const v = (n) => { const el = form.elements[n]; return el && el.value.trim() !== '' ? el.value.trim() : null; };
  const body = { manager_id: v('manager_id'), rule_code: v('rule_code'), breach_date: v('breach_date'),
    occurrences: Number(v('occurrences') || 1), serious: form.elements.serious.checked };
  if (v('income_yuan')) body.income_yuan = v('income_yuan');
  if (withEvidence) body.evidence_note = v('evidence_note');
  return body;
}

export function penaltiesPage() {
  const at = here();
  const month = thisMonth();
  return Promise.all([settle(managers()), settle(get('/v1/penalty-rules')), settle(getAll('/v1/penalties?limit=100', 500))])
    .then(([staff, rules, pens]) => {
      const people = staff.data || [];
      const zh = document.documentElement.lang !== 'en';
      const ruleOptions = ((rules.data || {}).rules || []).map((r) => [r.code, r.code + ' · ' + (zh ? r.description_zh : r.description_en)]);
      const actions = (p) => html`${p.status === 'under_appeal' && html`<button type="button" data-appeal="${p.penalty_id}" data-outcome="upheld">${t('c.pen.uphold')}</button>
<button type="button" data-appeal="${p.penalty_id}" data-outcome="overturned">${t('c.pen.overturn')}</button>`}${
        (p.status === 'open' || p.status === 'appeal_upheld' || p.status === 'upheld') && p.settlement !== 'hr' && html`<button type="button" data-settle="${p.penalty_id}" data-method="cash">${t('c.pen.cash')}</button>
<button type="button" data-settle="${p.penalty_id}" data-method="salary">${t('c.pen.salary')}</button>`}${
        p.status === 'open' && html`<button type="button" data-void="${p.penalty_id}">${t('c.pen.void')}</button>`}`;
      page(at, t('c.nav.penalties'), html`
<section class="panel" id="penalty-entry" aria-labelledby="penalty-entry-h"><h2 id="penalty-entry-h">${t('c.pen.entry')}</h2>
${rules.error ? html`` : html`<form id="penalty-form" novalidate>
${field('manager_id', t('c.col.manager'), select('manager_id', people.filter((s) => s.status === 'active').map((s) => [s.staff_id, s.name + ' · ' + s.staff_id])))}
${field('rule_code', t('c.pen.rule'), select('rule_code', ruleOptions))}
${field('breach_date', t('c.pen.breach_date'), input('breach_date', 'date', { value: ymd(new Date()) }))}
${field('occurrences', t('c.pen.occurrences'), input('occurrences', 'number', { value: '1', min: '1', max: '31' }))}
${field('income_yuan', t('c.pen.income'), input('income_yuan', 'text', { inputmode: 'decimal' }), { optional: true })}
<div class="field check" data-field="serious"><label for="f-serious"><input id="f-serious" name="serious" type="checkbox"> ${t('c.pen.serious')}</label><p class="field-error" id="f-serious-err" hidden></p></div>
${field('evidence_note', t('c.pen.evidence'), textarea('evidence_note'))}
<p class="preview" id="penalty-preview" role="status" aria-live="polite">${t('c.pen.preview_wait')}</p>
${statusLine('penalty-status')}
<button type="submit" class="primary">${t('c.pen.save')}</button></form>`}</section>
${section('penalties', t('c.pen.list', { month }), pens, (items) => html`${dataTable('penalty-table', t('c.pen.list', { month }),
    [['manager_id', t('c.col.manager'), { fmt: (p) => name(people, p.manager_id) }], ['rule_code', t('c.pen.rule')],
      ['breach_date', t('c.pen.breach_date')], ['points', t('c.col.points'), { num: true }], ['yuan', t('c.col.yuan'), { num: true, fmt: (p) => yuan(p.yuan) }],
      ['status', t('c.col.status'), { fmt: (p) => t('c.st.' + p.status) }], ['due_on', t('c.col.due')],
      ['act', t('c.col.action'), { fmt: actions }]], items, { file: 'penalties' })}${statusLine('penalty-action-status')}`)}`);
      const root = document.getElementById('main');
      wireCsv(root);
      wirePenaltyForm();
      const box = () => document.getElementById('penalty-action-status');
      root.querySelectorAll('[data-appeal]').forEach((b) => b.addEventListener('click', () => {
        const reason = window.prompt(t('c.pen.reason_prompt'));
        if (!reason) return;
        write('POST', '/v1/penalties/' + encodeURIComponent(b.getAttribute('data-appeal')) + '/appeal/decision',
          { outcome: b.getAttribute('data-outcome'), reason }, box()).then((r) => { if (r.status === 200) penaltiesPage(); });
      }));
      root.querySelectorAll('[data-settle]').forEach((b) => b.addEventListener('click', () =>
        write('POST', '/v1/penalties/' + encodeURIComponent(b.getAttribute('data-settle')) + '/settle',
          { method: b.getAttribute('data-method') }, box()).then((r) => { if (r.status === 200) penaltiesPage(); })));
      // Voiding keeps the penalty and adds its reversal (POST .../void, open penalties only); the reason is audited.
      root.querySelectorAll('[data-void]').forEach((b) => b.addEventListener('click', () => {
        const reason = window.prompt(t('c.pen.void_prompt'));
        if (!reason || !reason.trim()) return;
        write('POST', '/v1/penalties/' + encodeURIComponent(b.getAttribute('data-void')) + '/void', { reason: reason.trim() }, box(),
          { done: () => t('c.pen.voided') }).then((r) => { if (r.status === 200) setTimeout(penaltiesPage, 800); });
      }));
    });
}

/* The amount is the server's: every change asks POST /v1/penalties/preview (nothing is stored). */
function wirePenaltyForm() {
  const form = document.getElementById('penalty-form');
  if (!form) return;
  const out = document.getElementById('penalty-preview');
  let seq = 0;
  const preview = () => {
    const mine = ++seq;
    const body = penaltyBody(form, false);
    if (!body.manager_id || !body.rule_code || !body.breach_date) return;
    api('POST', '/v1/penalties/preview', body).then((r) => {
      if (mine !== seq) return;
      out.setAttribute('data-state', r.status === 200 ? 'ok' : 'failed');
      if (r.status !== 200) { out.textContent = t('c.pen.preview_failed', { msg: errorMessage(r) }); return; }
      const d = r.data;
      out.textContent = t('c.pen.preview', { points: d.points, yuan: d.yuan === null ? t('c.pen.payroll') : yuan(d.yuan),
        salary: d.salary_deduction_yuan === null || d.salary_deduction_yuan === undefined ? '—' : yuan(d.salary_deduction_yuan),
        settlement: t('c.settlement.' + d.settlement) });
    }).catch((err) => { out.textContent = err.message; });
  };
  PREVIEW_FIELDS.forEach((n) => form.elements[n].addEventListener(n === 'serious' ? 'change' : 'input', preview));
  form.elements.manager_id.addEventListener('change', preview);
  form.elements.rule_code.addEventListener('change', preview);
  preview();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    write('POST', '/v1/penalties', penaltyBody(form, true), document.getElementById('penalty-status'),
      { done: (p) => t('c.pen.saved', { id: p.penalty_id, yuan: p.yuan === null ? t('c.pen.payroll') : yuan(p.yuan) }) })
      .then((r) => { if (r.status === 201) setTimeout(penaltiesPage, 1500); });
  });
}

// --- scorecards ----------------------------------------------------------------------------------
export function scorecardsPage() {
  const at = here();
  const months = monthsBack(6);
  return Promise.all(months.map((m) => settle(get('/v1/scorecards?month=' + m)))).then((all) => {
    const current = all[all.length - 1];
    const names = [];
    all.forEach((r) => ((r.data || {}).scorecards || []).forEach((c) => { if (names.indexOf(c.manager_name || c.manager_id) < 0) names.push(c.manager_name || c.manager_id); }));
    const spec = { categories: months, series: names.map((n) => ({ name: n, type: 'line', data: all.map((r) => {
      const c = ((r.data || {}).scorecards || []).find((x) => (x.manager_name || x.manager_id) === n);
      return c ? c.score : null;
    }) })) };
    page(at, t('c.nav.scorecards'), html`
${section('scores', t('c.score.section', { month: months[months.length - 1] }), current, (d) => dataTable('score-table', t('c.score.table'),
    [['manager_name', t('c.col.manager')], ['score', t('c.col.score'), { num: true }], ['points_deducted', t('c.col.points'), { num: true }],
      ['yuan_owed', t('c.col.owed'), { num: true, fmt: (c) => yuan(c.yuan_owed) }], ['yuan_paid', t('c.col.paid'), { num: true, fmt: (c) => yuan(c.yuan_paid) }],
      ['open_appeals', t('c.col.appeals'), { num: true }], ['flags', t('c.col.flags'), { num: true, fmt: (c) => (c.flags || []).length }]],
    d.scorecards, { file: 'scorecards-' + d.month }))}
${section('trend', t('c.score.trend'), current, () => chartBlock('score-chart', t('c.score.trend'), spec, t('c.col.month')))}`);
    wireCsv(document.getElementById('main'));
    return current.error ? null : drawChart('score-chart', spec, 'line');
  });
}

// --- escalations, problem items, contact-update requests, complaints (read-only) -----------------
export function oversightPage() {
  const at = here();
  return Promise.all([settle(get('/v1/flags?limit=100')), settle(get('/v1/problems?status=open&limit=100')),
    settle(get('/v1/contact-requests?limit=100')), settle(get('/v1/complaints?limit=100'))]).then(([flags, problems, contacts, complaints]) => {
    const over = (x) => x.overdue ? 'overdue' : '';
    page(at, t('c.nav.oversight'), html`
${section('flags', t('c.flags'), flags, (d) => dataTable('flag-table', t('c.flags'),
    [['created_at', t('c.col.when'), { fmt: (f) => short(f.created_at) }], ['staff_id', t('c.col.manager')], ['kind', t('c.col.kind')],
      ['reason', t('c.col.reason')], ['recommendation', t('c.col.recommendation')]], d.items, { file: 'flags' }))}
${section('problems', t('c.problems'), problems, (d) => dataTable('problem-table', t('c.problems'),
    [['created_at', t('c.col.when'), { fmt: (p) => short(p.created_at) }], ['severity', t('c.col.severity')], ['category', t('c.col.category')],
      ['cause', t('c.col.cause')], ['status', t('c.col.status')], ['due_at', t('c.col.due'), { fmt: (p) => short(p.due_at) }]], d.items,
    { file: 'problems', rowClass: over }))}
${section('contacts', t('c.contacts'), contacts, (d) => dataTable('contact-table', t('c.contacts'),
    [['client_name', t('c.col.client')], ['phone_masked', t('c.col.phone_masked')], ['trigger', t('c.col.trigger')], ['reason', t('c.col.reason')],
      ['requested_at', t('c.col.when'), { fmt: (c) => short(c.requested_at) }], ['due_on', t('c.col.due')]], d.items, { file: 'contact-requests', rowClass: over }))}
${section('complaints', t('c.complaints'), complaints, (d) => dataTable('complaint-table', t('c.complaints'),
    [['received_at', t('c.col.when'), { fmt: (c) => short(c.received_at) }], ['client_name', t('c.col.client')], ['channel', t('c.col.channel')],
      ['content', t('c.col.content')], ['owner_id', t('c.col.owner')], ['status', t('c.col.status')], ['due_at', t('c.col.due'), { fmt: (c) => short(c.due_at) }]],
    d.items, { file: 'complaints', rowClass: over }))}`);
    wireCsv(document.getElementById('main'));
  });
}

