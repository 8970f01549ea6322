/* Callback-centre lead: open, due-today and overdue tasks by agent and by trigger (charts), the agents'
 * workload, the reach rate month by month, and the branch queue: agents claim, the lead (or the branch
 * supervisor) assigns a task to one of the board's agents (POST …/assign, conditional on its revision), and
 * takes a task an agent holds (GET /v1/callback-agents/{id}/tasks) over to another with a reason. */
import { html, t, show } from '../render.js';
import { me } from '../net.js';
import { get, settle, section, dataTable, wireCsv, write, statusLine, monthsBack, short, here, page } from './ui.js';
import { chartBlock, drawChart } from './chart.js';

const holder = (r) => r.assignee_id ? (r.name || r.assignee_id) : t('c.lead.queue');
const ASSIGNERS = ['callback_lead', 'supervisor'];   // the controls offered; the API decides (403 otherwise)

function actions(x, agents, canAssign) {
  if (!canAssign) return html`<button type="button" data-claim="${x.task_id}">${t('c.lead.claim')}</button>`;
  return html`<select data-assign-to="${x.task_id}" aria-label="${t('c.lead.assign_to') + ' ' + x.task_id}">${
    agents.map((a) => html`<option value="${a.assignee_id}">${a.name || a.assignee_id}</option>`)}</select>
<button type="button" data-assign="${x.task_id}" data-revision="${String(x.revision || 0)}">${t('c.lead.assign')}</button>`;
}

function heldSection(agents) {
  return html`<div class="row"><label for="held-agent">${t('c.lead.held_of')}</label>
<select id="held-agent" data-held-agent>${agents.map((a) => html`<option value="${a.assignee_id}">${a.name || a.assignee_id}</option>`)}</select>
<button type="button" data-held-load>${t('c.lead.held_load')}</button></div><div id="held-box"></div>${statusLine('held-status')}`;
}

function heldTable(items, from, agents) {
  const others = agents.filter((a) => a.assignee_id !== from);
  return dataTable('held-table', t('c.lead.held'), [['due_on', t('c.col.due')], ['trigger', t('c.col.trigger'), { fmt: (x) => t('trigger.' + x.trigger) }],
    ['client_name', t('c.col.client')], ['phone_masked', t('c.col.phone_masked')],
    ['act', t('c.col.action'), { fmt: (x) => html`<select data-reassign-to="${x.task_id}" aria-label="${t('c.lead.assign_to') + ' ' + x.task_id}">${
      others.map((a) => html`<option value="${a.assignee_id}">${a.name || a.assignee_id}</option>`)}</select>
<input type="text" maxlength="200" data-reason="${x.task_id}" aria-label="${t('c.lead.reason') + ' ' + x.task_id}" placeholder="${t('c.lead.reason')}">
<button type="button" data-reassign="${x.task_id}" data-revision="${String(x.revision || 0)}">${t('c.lead.reassign')}</button>` }]],
  items, { file: 'agent-tasks' });
}

function wireHeld(root, agents) {
  const load = root.querySelector('[data-held-load]');
  if (!load) return;
  const box = document.getElementById('held-box');
  load.addEventListener('click', () => {
    const from = root.querySelector('[data-held-agent]').value;
    settle(get('/v1/callback-agents/' + encodeURIComponent(from) + '/tasks?limit=100')).then((r) => {
      if (r.error) { show(box, html`<p class="banner error" role="alert">${r.error.message}</p>`); return; }
      show(box, heldTable(r.data.items, from, agents));
      box.querySelectorAll('[data-reassign]').forEach((btn) => btn.addEventListener('click', () => {
        const id = btn.getAttribute('data-reassign');
        const to = box.querySelector('select[data-reassign-to="' + id + '"]');
        const reason = box.querySelector('input[data-reason="' + id + '"]').value.trim();
        const who = to.options[to.selectedIndex] ? to.options[to.selectedIndex].textContent : to.value;
        write('POST', '/v1/callback-tasks/' + encodeURIComponent(id) + '/assign',
          { agent_id: to.value, revision: Number(btn.getAttribute('data-revision')), reason }, document.getElementById('held-status'),
          { done: () => t('c.lead.assigned', { who }) }).then((res) => { if (res.status === 200) btn.closest('tr').remove(); });
      }));
    });
  });
}

export function callbacksPage() {
  const at = here();
  const months = monthsBack(6);
  return Promise.all([settle(get('/v1/callback-tasks/board')), settle(get('/v1/callback-tasks/queue?limit=100')),
    ...months.map((m) => settle(get('/v1/reports/callbacks?month=' + m)))]).then(([board, queue, ...reports]) => {
    const b = board.data || { rows: [], workload: [] };
    const agents = b.workload.filter((w) => w.assignee_id);
    const canAssign = ASSIGNERS.indexOf((me() || {}).role) >= 0;
    const triggers = [];
    b.rows.forEach((r) => { if (triggers.indexOf(r.trigger) < 0) triggers.push(r.trigger); });
    const byTrigger = triggers.map((tr) => b.rows.filter((r) => r.trigger === tr).reduce((a, r) =>
      ({ open: a.open + r.open, due_today: a.due_today + r.due_today, overdue: a.overdue + r.overdue }), { open: 0, due_today: 0, overdue: 0 }));
    const agentSpec = { categories: b.workload.map(holder), series: [
      { name: t('c.col.open'), data: b.workload.map((w) => w.open) },
      { name: t('c.col.due_today'), data: b.workload.map((w) => w.due_today) },
      { name: t('c.col.overdue'), data: b.workload.map((w) => w.overdue) }] };
    const triggerSpec = { categories: triggers.map((x) => t('trigger.' + x)), series: [
      { name: t('c.col.open'), data: byTrigger.map((x) => x.open) },
      { name: t('c.col.due_today'), data: byTrigger.map((x) => x.due_today) },
      { name: t('c.col.overdue'), data: byTrigger.map((x) => x.overdue) }] };
    const reachOk = reports.some((r) => r.data);
    const reachSpec = { categories: months, series: [
      { name: t('c.col.reach_rate'), type: 'line', data: reports.map((r) => r.data ? Number(r.data.tasks.reach_rate || 0) : null) },
      { name: t('c.col.on_time_rate'), type: 'line', data: reports.map((r) => r.data ? Number(r.data.tasks.on_time_rate || 0) : null) }], max: 100 };
    page(at, t('c.nav.callbacks'), html`<p class="muted">${board.data ? t('c.lead.as_of', { at: short(b.as_of) }) : ''}</p>
${section('by-agent', t('c.lead.by_agent'), board, () => html`<div class="grid2"><div>${chartBlock('agent-chart', t('c.lead.by_agent'), agentSpec, t('c.col.agent'))}</div>
<div>${chartBlock('trigger-chart', t('c.lead.by_trigger'), triggerSpec, t('c.col.trigger'))}</div></div>
${dataTable('board-table', t('c.lead.board'), [['who', t('c.col.agent'), { fmt: holder }], ['trigger', t('c.col.trigger'), { fmt: (r) => t('trigger.' + r.trigger) }],
    ['open', t('c.col.open'), { num: true }], ['due_today', t('c.col.due_today'), { num: true }], ['overdue', t('c.col.overdue'), { num: true }]], b.rows,
  { file: 'callback-board', rowClass: (r) => r.overdue ? 'overdue' : '' })}
${dataTable('workload-table', t('c.lead.workload'), [['who', t('c.col.agent'), { fmt: holder }], ['open', t('c.col.open'), { num: true }],
    ['due_today', t('c.col.due_today'), { num: true }], ['overdue', t('c.col.overdue'), { num: true }], ['risk', t('c.col.risk'), { num: true }]], b.workload,
  { file: 'agent-workload' })}`)}
${section('reach', t('c.lead.reach'), reachOk ? { data: true } : reports[reports.length - 1], () => chartBlock('reach-chart', t('c.lead.reach'), reachSpec, t('c.col.month')))}
${section('queue', t('c.lead.queue_section'), queue, (d) => html`${dataTable('queue-table', t('c.lead.queue_section'),
    [['due_on', t('c.col.due')], ['trigger', t('c.col.trigger'), { fmt: (x) => t('trigger.' + x.trigger) }], ['client_name', t('c.col.client')],
      ['phone_masked', t('c.col.phone_masked')], ['risk', t('c.col.risk'), { fmt: (x) => x.risk ? t('c.yes') : '' }],
      ['act', t('c.col.action'), { fmt: (x) => actions(x, agents, canAssign) }]], d.items,
    { file: 'callback-queue', rowClass: (x) => x.overdue ? 'overdue' : '' })}${statusLine('claim-status')}`)}
${canAssign ? section('held', t('c.lead.held'), board, () => heldSection(agents)) : ''}`);
    const root = document.getElementById('main');
    wireCsv(root);
    wireHeld(root, agents);
    root.querySelectorAll('[data-claim]').forEach((btn) => btn.addEventListener('click', () =>
      write('POST', '/v1/callback-tasks/' + encodeURIComponent(btn.getAttribute('data-claim')) + '/claim', {},
        document.getElementById('claim-status')).then((r) => { if (r.status === 200) btn.closest('tr').remove(); })));
    root.querySelectorAll('[data-assign]').forEach((btn) => btn.addEventListener('click', () => {
      const id = btn.getAttribute('data-assign');
      const to = btn.parentNode.querySelector('select[data-assign-to]');
      const who = to.options[to.selectedIndex] ? to.options[to.selectedIndex].textContent : to.value;
      write('POST', '/v1/callback-tasks/' + encodeURIComponent(id) + '/assign',
        { agent_id: to.value, revision: Number(btn.getAttribute('data-revision')) }, document.getElementById('claim-status'),
        { done: () => t('c.lead.assigned', { who }) }).then((r) => { if (r.status === 200) btn.closest('tr').remove(); });
    }));
    if (!board.error) { drawChart('agent-chart', agentSpec, 'bar'); drawChart('trigger-chart', triggerSpec, 'bar'); }
    if (reachOk) drawChart('reach-chart', reachSpec, 'line');
  });
}
