/* The outbox page: what is waiting to be sent (or was refused while no form was on screen). */
import { html, t, page, main, shortTime } from './render.js';
import { entryError } from './errors.js';
import { outboxAll, outboxPut, outboxDelete, flushOutbox, refreshBadge } from './queue.js';

export function outboxPage() {
  const at = location.hash;
  outboxAll().then((all) => {
    page(at, t('outbox.title'), html`<button type="button" class="primary" id="retry">${t('outbox.retry')}</button>
<ul class="list" id="outbox-list" data-refresh-on-flush>${all.map((e) => html`<li class="card ${e.state}" data-entry="${e.id}"><strong>${t('outbox.kind.' + e.kind)}</strong> · ${e.label}<small>${shortTime(e.created_at)} · ${
  e.state === 'failed' ? t('state.failed', { msg: entryError(e) }) : t('state.queued')}</small><button type="button" class="button small danger" data-delete="${e.id}">${t('outbox.delete')}</button></li>`)}</ul>
${!all.length && html`<p class="muted">${t('outbox.none')}</p>`}`, '#/');
    document.getElementById('retry').addEventListener('click', () => {
      outboxAll().then((entries) => Promise.all(entries.filter((e) => e.state === 'failed').map((e) => {
        e.state = 'queued';
        return outboxPut(e);
      }))).then(flushOutbox).then(outboxPage);
    });
    main.querySelectorAll('[data-delete]').forEach((b) => {
      b.addEventListener('click', () => { outboxDelete(b.getAttribute('data-delete')).then(outboxPage).then(refreshBadge); });
    });
  });
}
