/* Callback agents: my tasks, the branch queue (claim), and the outcome form of one task. */
import { html, t, page, main, append, showError, field, input, textarea, select, radios, check, statusBox,
  submitButton, val, radio, compact, setStatus, localInput, withOffset, shortTime, newKey, listNotice } from './render.js';
import { api, getCached, listOrEmpty, errorMessage } from './net.js';
import { submit, queuedItems, queuedHtml } from './queue.js';

const REASONS = ['no_answer', 'busy', 'wrong_number', 'refused', 'call_back_later'];
const CHECKLIST = ['account_changes_confirmed', 'no_staff_trading', 'risks_disclosed', 'no_discretionary_authority',
  'no_return_promise', 'no_signing_for_client'];
const EVIDENCE = { phone: ['recording_ref', 'dialled_number'], visit: ['signature_ref'],
  letter: ['return_slip_ref', 'postal_receipt_ref'], email: ['email_archive_ref'], wechat: ['chat_export_ref'], sms: [] };
const INTERACTIVE = ['phone', 'visit', 'wechat'];
const CLOSING = ['moved_away', 'equipment_system', 'environment', 'staff_attitude', 'research_information',
  'missing_products', 'competitor', 'commission_rate', 'staff_turnover', 'other'];

function taskCard(task, claim) {
  return html`<li class="${'card task' + (task.overdue ? ' overdue' : '')}" data-task="${task.task_id}"><strong>${task.client_name || task.account_id}</strong> · ${t('trigger.' + task.trigger)}${
    task.risk && html` <span class="tag risk">${t('tasks.risk')}</span>`}${
    task.overdue && html` <span class="tag overdue">${t('tasks.overdue')}</span>`}${
    task.waiting_on === 'contact_update' && html` <span class="tag waiting">${t('tasks.waiting_contact')}</span>`}${
    task.callable_from && html` <span class="tag later">${t('tasks.call_from', { d: shortTime(task.callable_from) })}</span>`}<small>${t('tasks.due', { d: shortTime(task.due_at) })} · ${task.phone_masked || ''} · ${t('tasks.attempts', { n: task.attempts || 0 })}</small>${
    claim ? html`<button type="button" class="button small claim" data-claim="${task.task_id}">${t('tasks.claim')}</button>`
      : html`<a class="button small" href="#/tasks/${task.task_id}">${t('tasks.open')}</a>`}</li>`;
}

export function taskListPage() {
  const at = location.hash;
  Promise.all([listOrEmpty('/v1/callback-tasks/mine?limit=50'), listOrEmpty('/v1/callback-tasks/queue?limit=50'),
    queuedItems('attempt')]).then(([mineR, queueR, queued]) => {
    const mine = (mineR.data && mineR.data.items) || [];
    const queue = (queueR.status === 200 && queueR.data.items) || [];
    page(at, t('tasks.title'), html`${listNotice(mineR)}<ul class="list" id="task-list" data-refresh-on-flush>${queuedHtml(queued)}${mine.map((x) => taskCard(x, false))}</ul>
${!mine.length && html`<p class="muted">${t('tasks.none')}</p>`}
<h2>${t('tasks.queue')}</h2><ul class="list" id="queue-list">${queue.map((x) => taskCard(x, true))}</ul>
${!queue.length && html`<p class="muted">${t('tasks.queue_none')}</p>`}${statusBox()}`, '#/');
    main.querySelectorAll('[data-claim]').forEach((b) => {
      b.addEventListener('click', () => {
        b.disabled = true;
        const box = main.querySelector('.status');
        box.hidden = false;
        box.className = 'status sending';
        box.textContent = t('state.sending');
        api('POST', '/v1/callback-tasks/' + encodeURIComponent(b.getAttribute('data-claim')) + '/claim', undefined,
          { key: newKey() }).then((r) => {
          if (r.status === 200 || r.status === 201) return taskListPage();
          b.disabled = false;
          box.className = 'status failed';
          box.textContent = t('state.failed', { msg: errorMessage(r) });
        }, (err) => {
          b.disabled = false;
          box.className = 'status failed';
          box.textContent = t('state.failed', { msg: err.message });
        });
      });
    });
  }).catch((err) => { page(at, t('tasks.title'), html``, '#/'); showError(err); });
}

function historyCard(h, channel, reached, reason) {
  return html`<li class="card">${shortTime(h.at)} · ${t('attempt.channel.' + channel)} · ${reached ? t('form.yes') : t('attempt.reason.' + reason)}</li>`;
}

function evidenceField(name, hidden, type) {
  return field(name, t('attempt.' + name), input(name, type || 'text', { maxlength: type === 'tel' ? 20 : 200 }),
    { cls: 'when-' + Object.keys(EVIDENCE).find((c) => EVIDENCE[c].indexOf(name) >= 0), hidden });
}

function outcomeForm(task) {
  const channels = task.trigger === 'fallback' ? ['letter', 'email', 'sms'] : ['phone', 'visit', 'wechat', 'letter', 'email', 'sms'];
  const yesNo = [['yes', t('form.yes')], ['no', t('form.no')]];
  return html`<form id="attempt-form" novalidate>
${field('channel', t('attempt.channel'), select('channel', channels.map((c, i) => [c, t('attempt.channel.' + c), i === 0])))}
${field('at', t('attempt.at'), input('at', 'datetime-local', { required: true, value: localInput(new Date()) }))}
${field('reached', t('attempt.reached'), radios('reached', [['yes', t('form.yes'), true], ['no', t('form.no')]]))}
<fieldset class="when-not-reached" hidden>
${field('reason', t('attempt.reason'), select('reason', [['', t('form.choose'), true]].concat(REASONS.map((x) => [x, t('attempt.reason.' + x)]))))}
${field('call_back_at', t('attempt.call_back_at'), input('call_back_at', 'datetime-local'), { cls: 'when-call-back', hidden: true })}
</fieldset><fieldset class="when-reached">
${evidenceField('recording_ref', false)}${evidenceField('dialled_number', false, 'tel')}
${evidenceField('signature_ref', true)}${evidenceField('return_slip_ref', true)}${evidenceField('postal_receipt_ref', true)}
${evidenceField('email_archive_ref', true)}${evidenceField('chat_export_ref', true)}
${field('answered_by', t('attempt.answered_by'), radios('answered_by', [['client', t('attempt.answered_by.client')], ['notarised_agent', t('attempt.answered_by.notarised_agent')]]))}
${check('identity_confirmed', t('attempt.identity_confirmed'))}
<div class="field group" data-field="checklist"><p class="label">${t('attempt.checklist')}</p>
${CHECKLIST.map((c) => field('checklist.' + c, t('attempt.checklist.' + c), radios('checklist.' + c, yesNo)))}
<p class="field-error" id="f-checklist-err" hidden></p></div>
<div class="when-interactive">
${field('satisfaction', t('attempt.satisfaction'), radios('satisfaction', [1, 2, 3, 4, 5].map((n) => [String(n), String(n)])))}
${task.trigger === 'large_outflow' && field('transfer_recognised', t('attempt.transfer_recognised'), radios('transfer_recognised', yesNo))}
</div></fieldset>
${field('needs', t('attempt.needs'), textarea('needs', { maxlength: 2000 }), { optional: true })}
${field('feedback', t('attempt.feedback'), textarea('feedback', { maxlength: 2000 }), { optional: true })}
${task.trigger === 'closed_account' && field('closing_reason', t('attempt.closing_reason'), select('closing_reason',
    [['', t('form.choose'), true]].concat(CLOSING.map((x) => [x, t('attempt.closing.' + x)]))), { optional: true })}
${field('note', t('attempt.note'), textarea('note', { maxlength: 2000 }), { optional: true })}
${statusBox()}${submitButton()}</form>`;
}

export function taskPage(id) {
  const at = location.hash;
  const path = '/v1/callback-tasks/' + encodeURIComponent(id);
  getCached(path).then((r) => {
    if (r.status !== 200) throw new Error(errorMessage(r));
    const task = r.data;
    page(at, t('attempt.title') + ' · ' + (task.client_name || task.account_id), html`<p class="muted">${t('trigger.' + task.trigger)} · ${task.account_id} · ${task.phone_masked || ''} · ${t('tasks.due', { d: shortTime(task.due_at) })}</p>
${outcomeForm(task)}
<h2>${t('attempt.history')}</h2><ul class="list" id="attempt-list">${(task.history || []).map((h) => historyCard(h, h.channel, h.reached, h.reason))}</ul>`, '#/tasks');
    const form = document.getElementById('attempt-form');
    const sync = () => {
      const reached = radio(form, 'reached') !== 'no';
      const ch = val(form, 'channel');
      form.querySelector('.when-not-reached').hidden = reached;
      form.querySelector('.when-reached').hidden = !reached;
      form.querySelector('.when-call-back').hidden = val(form, 'reason') !== 'call_back_later';
      ['phone', 'visit', 'letter', 'email', 'wechat'].forEach((c) => {
        form.querySelectorAll('.when-' + c).forEach((el) => { el.hidden = ch !== c; });
      });
      form.querySelector('.when-interactive').hidden = INTERACTIVE.indexOf(ch) < 0;
    };
    form.addEventListener('change', sync);
    sync();
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const ch = val(form, 'channel');
      const reached = radio(form, 'reached') !== 'no';
      const body = { channel: ch, at: withOffset(val(form, 'at')), reached,
        needs: val(form, 'needs') || '', feedback: val(form, 'feedback') || '', note: val(form, 'note') || '' };
      if (!reached) {
        body.reason = val(form, 'reason');
        if (body.reason === 'call_back_later') body.call_back_at = withOffset(val(form, 'call_back_at'));
      } else {
        (EVIDENCE[ch] || []).forEach((f) => { body[f] = val(form, f); });
        body.answered_by = radio(form, 'answered_by');
        body.identity_confirmed = val(form, 'identity_confirmed');
        const unanswered = CHECKLIST.filter((c) => radio(form, 'checklist.' + c) === null);
        const errEl = document.getElementById('f-checklist-err');
        if (unanswered.length && unanswered.length < CHECKLIST.length) {
          // Some answered, some not: never send a guess; the agent answers every question.
          errEl.textContent = t('attempt.checklist.unanswered');
          errEl.hidden = false;
          return;
        }
        errEl.hidden = true;
        if (!unanswered.length) {
          body.checklist = {};
          CHECKLIST.forEach((c) => { body.checklist[c] = radio(form, 'checklist.' + c) === 'yes'; });
        }
        if (INTERACTIVE.indexOf(ch) >= 0) {
          const sat = radio(form, 'satisfaction');
          body.satisfaction = sat ? Number(sat) : null;
          if (task.trigger === 'large_outflow') {
            const tr = radio(form, 'transfer_recognised');
            body.transfer_recognised = tr === null ? null : tr === 'yes';
          }
        }
      }
      if (task.trigger === 'closed_account') body.closing_reason = val(form, 'closing_reason');
      submit(form, 'attempt', 'POST', path + '/attempts', compact(body), [], (resp) => {
        setStatus(form, 'sent', t('state.sent') + ' · ' + t('attempt.channel.' + ch));
        sync();
        append(document.getElementById('attempt-list'), 'afterbegin',
          historyCard(resp.data.attempt || {}, ch, reached, body.reason));
      }).then(sync);
    });
  }).catch((err) => { page(at, t('attempt.title'), html``, '#/tasks'); showError(err); });
}
