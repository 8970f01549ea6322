/* Travel (出差): the day's travel report 出差日报 (000 第二篇 §1; 004: by 21:00). */
import { html, t, page, field, input, textarea, statusBox, submitButton, val, compact, setStatus, today,
  shortTime } from './render.js';
import { submit } from './queue.js';

export function travelReportFormPage() {
  const at = location.hash;
  page(at, t('travel.title'), html`<form id="travel-report-form" novalidate>
<p class="hint">${t('travel.hint')}</p>
${field('day', t('travel.day'), input('day', 'date', { required: true, value: today(), max: today() }))}
${field('location', t('travel.location'), input('location', 'text', { required: true, maxlength: 200, autocomplete: 'off' }))}
${field('met', t('travel.met'), textarea('met', { required: true, maxlength: 500 }))}
${field('work', t('travel.work'), textarea('work', { required: true, maxlength: 2000 }))}
${field('open_issues', t('travel.open_issues'), textarea('open_issues', { maxlength: 1000 }), { optional: true })}
${statusBox()}${submitButton()}</form>`, '#/');
  const form = document.getElementById('travel-report-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = compact({ day: val(form, 'day'), location: val(form, 'location'), met: val(form, 'met'),
      work: val(form, 'work'), open_issues: val(form, 'open_issues') });
    submit(form, 'travel_report', 'POST', '/v1/travel-reports', body, [], (r) => {
      const when = r.data.on_time ? t('travel.on_time') : t('travel.late', { at: shortTime(r.data.due_at) });
      setStatus(form, 'sent', t('state.sent') + ' · ' + when);
      form.querySelector('input[name="day"]').value = today();
    });
  });
}
