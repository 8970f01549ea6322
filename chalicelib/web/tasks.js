/* Callback agents: my tasks, the branch queue (claim), and the outcome form of one task. */
import { html, t, page, main, show, append, showError, field, input, textarea, select, radios, check, statusBox,
  submitButton, val, radio, compact, setStatus, localInput, withOffset, shortTime, newKey, listNotice } from './render.js';
import { api, getCached, listOrEmpty, errorMessage } from './net.js';
import { submit, queuedItems, queuedHtml } from './queue.js';
import { moreButton, wireMore } from './more.js';

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
    task.callable_from && html` <span class="tag later">${t('tasks.call_from', { d: shortTime(task.callable_from) })}</span>`}<small>${t('tasks.due', { d: shortTime(task.due_at) })} · ${task.phone_masked || t('tasks.phone_unknown')} · ${t('tasks.attempts', { n: task.attempts || 0 })}</small>${
    claim ? html`<button type="button" class="button small claim" data-claim="${task.task_id}">${t('tasks.claim')}</button>`
      : html`<a class="button small" href="#/tasks/${task.task_id}">${t('tasks.open')}</a>`}</li>`;
}

export function taskListPage() {
  const at = location.hash;
  const minePath = '/v1/callback-tasks/mine?limit=50';
  const queuePath = '/v1/callback-tasks/queue?limit=50';
  Promise.all([listOrEmpty(minePath), listOrEmpty(queuePath), queuedItems('attempt')]).then(([mineR, queueR, queued]) => {
    const mine = (mineR.data && mineR.data.items) || [];
    const queue = (queueR.status === 200 && queueR.data.items) || [];
    page(at, t('tasks.title'), html`${listNotice(mineR)}<ul class="list" id="task-list" data-refresh-on-flush>${queuedHtml(queued)}${mine.map((x) => taskCard(x, false))}</ul>${moreButton('task-list', mineR)}
${!mine.length && html`<p class="muted">${t('tasks.none')}</p>`}
<h2>${t('tasks.queue')}</h2><ul class="list" id="queue-list">${queue.map((x) => taskCard(x, true))}</ul>${moreButton('queue-list', queueR)}
${!queue.length && html`<p class="muted">${t('tasks.queue_none')}</p>`}${statusBox()}`, '#/');
    wireMore(main, 'task-list', minePath, (x) => taskCard(x, false));
    wireMore(main, 'queue-list', queuePath, (x) => taskCard(x, true), wireClaims);
    wireClaims([main]);
  }).catch((err) => { page(at, t('tasks.title'), html``, '#/'); showError(err); });
}

/* Claim buttons inside `roots` (the page, or cards a "load more" appended). */
function wireClaims(roots) {
  roots.forEach((root) => {
    root.querySelectorAll('[data-claim]').forEach((b) => {
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
  });
}

function historyCard(h, channel, reached, reason) {
  return html`<li class="card">${shortTime(h.at)} · ${t('attempt.channel.' + channel)} · ${reached ? t('form.yes') : t('attempt.reason.' + reason)}${
    h.call_back_at && html` · ${t('attempt.call_back_was', { at: shortTime(h.call_back_at) })}`}${
    h.outside_call_window && html` <span class="tag outside-window">${t('attempt.outside_window')}</span>`}</li>`;
}

const PROBLEM_CATEGORIES = ['service_attitude', 'system_equipment', 'fees_commission', 'research_information',
  'missing_product', 'account_security', 'staff_misconduct', 'change_not_recognised', 'trading_on_behalf',
  'risk_not_disclosed', 'discretionary_authority', 'return_promised', 'signed_for_client', 'other'];

/* A problem item found on the call travels with the outcome (AttemptIn.problems, one item here). Offered
   only when the client was reached: the API records the problems of a reached attempt only. */
function problemFields() {
  const p = (name) => 'problems.0.' + name;
  return html`<details class="problem" id="problem"><summary>${t('attempt.problem')}</summary>
<p class="hint">${t('attempt.problem_hint')}</p>
${field(p('category'), t('problem.category'), select(p('category'), [['', t('form.choose'), true]].concat(
    PROBLEM_CATEGORIES.map((c) => [c, t('problem.category.' + c)]))))}
${field(p('severity'), t('problem.severity'), radios(p('severity'), [['normal', t('problem.severity.normal'), true], ['critical', t('problem.severity.critical')]]))}
${field(p('cause'), t('problem.cause'), input(p('cause'), 'text', { maxlength: 500 }))}
${field(p('responsible_department'), t('problem.responsible_department'), input(p('responsible_department'), 'text', { maxlength: 100 }))}
${field(p('description'), t('problem.description'), textarea(p('description'), { maxlength: 2000 }), { optional: true })}
</details>`;
}

function problemOf(form) {
  const p = (name) => val(form, 'problems.0.' + name);
  if (!p('category') && !p('cause') && !p('responsible_department') && !p('description')) return null;
  // Sent as typed: the server names what is missing (category, cause, department) next to its field.
  return compact({ category: p('category'), severity: radio(form, 'problems.0.severity') || 'normal',
    cause: p('cause'), responsible_department: p('responsible_department'), description: p('description') || '' });
}

/* The task's call window (seed 001 best times) and the client's own time, as the API computed them. */
function windowHint(task) {
  if (task.callable_from) return html`<p class="hint window" id="call-window">${t('attempt.callable_from', { at: shortTime(task.callable_from) })}</p>`;
  if (!task.next_window_at) return null;
  const later = new Date(task.next_window_at) > new Date();
  return html`<p class="hint window" id="call-window" data-outside="${later ? 'yes' : 'no'}">${
    later ? t('attempt.window_next', { at: shortTime(task.next_window_at) }) : t('attempt.window_now')}</p>`;
}

function revealBox() {
  return html`<div class="field" id="reveal"><button type="button" class="secondary" id="reveal-button">${t('attempt.reveal')}</button>
<p class="hint">${t('attempt.reveal_hint')}</p><div id="reveal-out" role="status" aria-live="polite"></div></div>`;
}

const REMASK_AFTER_MS = 120000;

/* Reveal (audited, POST …/reveal) and dial; the number is on screen only until the call is over. */
function wireReveal(path, task, form) {
  const button = document.getElementById('reveal-button');
  const out = document.getElementById('reveal-out');
  const dialled = form.elements.dialled_number;
  let timer = null;
  let revealed = false;
  const remask = () => {
    if (!revealed) return;
    revealed = false;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onBack);
    show(out, html`<p class="muted" id="remasked">${t('attempt.remasked', { masked: task.phone_masked || '' })}</p>`);
  };
  // Back in the browser after the phone app: the call is over.
  const onBack = () => { if (document.visibilityState === 'visible') remask(); };
  button.addEventListener('click', () => {
    button.disabled = true;
    // Not idempotent on purpose: every reveal is its own entry in the disclosure audit.
    api('POST', path + '/reveal').then((r) => {
      button.disabled = false;
      if (r.status !== 200 || !r.data.phone) {
        show(out, html`<p class="banner error" role="alert">${t('state.failed', { msg: errorMessage(r) })}</p>`);
        return;
      }
      const phone = r.data.phone;
      revealed = true;
      show(out, html`<p class="revealed" id="revealed-phone">${t('attempt.revealed', { phone })}</p>
<a class="button" id="dial" href="tel:${phone.replace(/[^0-9+]/g, '')}">${t('attempt.dial', { phone })}</a>
<button type="button" class="secondary" id="call-done">${t('attempt.call_done')}</button>`);
      // The number dialled is evidence of a phone callback; the field is filled from the reveal.
      dialled.value = phone.replace(/[^0-9+\-]/g, '');
      document.getElementById('call-done').addEventListener('click', remask);
      document.getElementById('dial').addEventListener('click', () => {
        setTimeout(() => document.addEventListener('visibilitychange', onBack), 0);
      });
      timer = setTimeout(remask, REMASK_AFTER_MS);
      window.addEventListener('hashchange', remask, { once: true });
    }, (err) => {
      button.disabled = false;
      show(out, html`<p class="banner error" role="alert">${t('state.failed', { msg: err.message })}</p>`);
    });
  });
  return remask;
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
</div>
${problemFields()}
</fieldset>
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
${windowHint(task)}${task.trigger !== 'fallback' && revealBox()}
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
    const remask = task.trigger !== 'fallback' ? wireReveal(path, task, form) : () => {};
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
      const problem = reached && problemOf(form);
      if (problem) body.problems = [problem];
      submit(form, 'attempt', 'POST', path + '/attempts', compact(body), [], (resp) => {
        const ids = resp.data.problem_ids || [];
        setStatus(form, 'sent', t('state.sent') + ' · ' + t('attempt.channel.' + ch) +
          (ids.length ? ' · ' + t('attempt.problem_ids', { ids: ids.join('、') }) : ''));
        document.getElementById('problem').open = false;
        remask();
        sync();
        append(document.getElementById('attempt-list'), 'afterbegin',
          historyCard(resp.data.attempt || {}, ch, reached, body.reason));
      }).then(sync);
    });
  }).catch((err) => { page(at, t('attempt.title'), html``, '#/tasks'); showError(err); });
}
