/* Visit logs: the form (location on consent, photos to the presigned S3 POST), my list, one visit. */
import { html, t, page, main, showError, field, input, textarea, select, check, statusBox, submitButton, val, compact,
  setStatus, clearErrors, showFieldErrors, localInput, withOffset, shortTime, listNotice } from './render.js';
import { api, me, getCached, listOrEmpty, errorMessage } from './net.js';
import { submit, queuedItems, queuedHtml, outboxAll } from './queue.js';
import { moreButton, wireMore } from './more.js';

const MAX_PHOTOS = 9;
const MB = 1024 * 1024;
// What the phone keeps of photos waiting to be sent: IndexedDB space on a phone is limited and shared,
// and a full disk would lose the whole queue, so photos beyond this wait for a connection.
const QUEUE_PHOTO_BYTES = 25 * MB;

/* The server's limit per photo (config.json, FIELDDESK_PHOTO_MAX_BYTES); 5 MB until it has been read. */
function photoMaxBytes() {
  try { return JSON.parse(localStorage.getItem('fd.config') || '{}').photo_max_bytes || 5 * MB; } catch (e) { return 5 * MB; }
}
function mb(bytes) { return (bytes / MB).toFixed(1).replace(/\.0$/, ''); }

/* Why these photos cannot be queued, or null: one too large, or the queue's photos over the cap. */
function photoProblem(files) {
  const max = photoMaxBytes();
  const big = files.find((f) => f.size > max);
  if (big) return Promise.resolve(t('visit.photo_too_big', { name: big.name, size: mb(big.size), max: mb(max) }));
  const adding = files.reduce((n, f) => n + f.size, 0);
  if (!adding) return Promise.resolve(null);
  return outboxAll().then((all) => {
    const waiting = all.reduce((n, e) => n + (e.photos || []).reduce((m, p) => m + ((p.blob && p.blob.size) || 0), 0), 0);
    return waiting + adding > QUEUE_PHOTO_BYTES ? t('visit.photos_queue_full', { max: mb(QUEUE_PHOTO_BYTES) }) : null;
  }, () => null);
}
const KINDS = ['outlet_shift', 'on_site', 'phone', 'wechat_sms', 'online', 'seminar'];

export function outlets() {
  return getCached('/v1/outlets?limit=100').then((r) => (r.status === 200 ? r.data.items : [])).catch(() => []);
}

export function visitFormPage() {
  const at = location.hash;
  outlets().then((list) => {
    const mine = (me() || {}).outlet_ids || [];
    const opts = list.map((o) => [o.outlet_id, o.bank + ' ' + o.name, mine[0] === o.outlet_id]);
    opts.push(['', t('visit.outlet_none'), !mine.length]);
    page(at, t('visit.title'), html`<form id="visit-form" novalidate>
${field('kind', t('visit.kind'), select('kind', KINDS.map((k, i) => [k, t('visit.kind.' + k), i === 0]), { required: true }))}
${field('visited_at', t('visit.visited_at'), input('visited_at', 'datetime-local', { required: true, value: localInput(new Date()) }))}
${field('outlet_id', t('visit.outlet_id'), select('outlet_id', opts))}
${field('unit_name', t('visit.unit_name'), input('unit_name', 'text', { maxlength: 100, autocomplete: 'organization' }))}
${field('person_met', t('visit.person_met'), input('person_met', 'text', { required: true, maxlength: 50 }))}
${field('person_title', t('visit.person_title'), input('person_title', 'text', { maxlength: 50 }), { optional: true })}
${field('person_contact', t('visit.person_contact'), input('person_contact', 'tel', { maxlength: 50, inputmode: 'tel' }), { optional: true })}
${field('discussed', t('visit.discussed'), textarea('discussed', { required: true, maxlength: 2000 }))}
${field('outcome', t('visit.outcome'), textarea('outcome', { maxlength: 1000 }), { optional: true })}
${field('next_step', t('visit.next_step'), input('next_step', 'text', { maxlength: 1000 }), { optional: true })}
${field('next_visit_date', t('visit.next_visit_date'), input('next_visit_date', 'date'), { optional: true })}
${field('late_reason', t('visit.late_reason'), textarea('late_reason', { maxlength: 300 }), { hidden: true })}
${field('clients_count', t('visit.clients_count'), input('clients_count', 'number', { min: 0, max: 500, value: 1, inputmode: 'numeric' }))}
${check('location', t('visit.location'))}<p class="hint" id="loc-state">${t('visit.location_hint')}</p>
${field('photos', t('visit.photos'), input('photos', 'file', { accept: 'image/jpeg,image/png,image/webp', multiple: true }), { optional: true })}
<p class="hint" id="photo-state" hidden></p>
${statusBox()}${submitButton()}</form>`, '#/');
    const form = document.getElementById('visit-form');
    let where = null;
    const unit = form.querySelector('[data-field="unit_name"]');
    const late = form.querySelector('[data-field="late_reason"]');
    const toggleUnit = () => { unit.hidden = !!form.elements.outlet_id.value; };
    form.elements.outlet_id.addEventListener('change', toggleUnit);
    toggleUnit();
    form.elements.location.addEventListener('change', () => {
      const st = document.getElementById('loc-state');
      where = null;
      if (!form.elements.location.checked) { st.textContent = t('visit.location_hint'); return; }
      if (!navigator.geolocation) { st.textContent = t('visit.location_denied', { msg: 'unsupported' }); return; }
      st.textContent = t('visit.location_wait');
      navigator.geolocation.getCurrentPosition((pos) => {
        where = { lat: +pos.coords.latitude.toFixed(6), lng: +pos.coords.longitude.toFixed(6),
          accuracy_m: Math.round(pos.coords.accuracy || 0) };
        st.textContent = t('visit.location_ok', { lat: where.lat, lng: where.lng, acc: where.accuracy_m });
      }, (err) => {
        form.elements.location.checked = false;
        st.textContent = t('visit.location_denied', { msg: err.message });
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    form.elements.photos.addEventListener('change', () => {
      const files = Array.prototype.slice.call(form.elements.photos.files || []);
      const p = document.getElementById('photo-state');
      p.hidden = !files.length;
      p.textContent = files.length > MAX_PHOTOS ? t('visit.photos_too_many') : t('visit.photos_count', { n: files.length });
      photoProblem(files).then((msg) => {
        if (msg) { clearErrors(form); showFieldErrors(form, [{ field: 'photos', message: msg, local: true }]); }
      });
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const files = Array.prototype.slice.call(form.elements.photos.files || []);
      if (files.length > MAX_PHOTOS) {
        clearErrors(form);
        return showFieldErrors(form, [{ field: 'photos', message: t('visit.photos_too_many'), local: true }]);
      }
      photoProblem(files).then((msg) => {
        if (!msg) return send(files);
        clearErrors(form);
        showFieldErrors(form, [{ field: 'photos', message: msg, local: true }]);
        setStatus(form, 'failed', msg);
      });
    });
    const send = (files) => {
      const count = val(form, 'clients_count');
      const body = compact({
        kind: val(form, 'kind'), visited_at: withOffset(val(form, 'visited_at')), outlet_id: val(form, 'outlet_id'),
        unit_name: val(form, 'outlet_id') ? null : val(form, 'unit_name'), person_met: val(form, 'person_met'),
        person_title: val(form, 'person_title'), person_contact: val(form, 'person_contact'),
        discussed: val(form, 'discussed'), outcome: val(form, 'outcome'), next_step: val(form, 'next_step'),
        next_visit_date: val(form, 'next_visit_date'), clients_count: count === null ? null : Number(count),
        late_reason: val(form, 'late_reason'), location: where
      });
      const photos = files.map((f) => ({ blob: f, type: f.type || 'image/jpeg', name: f.name }));
      submit(form, 'visit', 'POST', '/v1/visits', body, photos, (r) => {
        setStatus(form, 'sent', t('state.sent') + ' · ' + shortTime(r.data.visited_at) + ' · ' + r.data.person_met);
        toggleUnit();
        document.getElementById('photo-state').hidden = true;
        document.getElementById('loc-state').textContent = t('visit.location_hint');
        where = null;
        late.hidden = true;
      }, (r) => {
        // A late visit (older than the limit, or in a signed-off week) needs a reason: the field appears
        // only when the server asks for it, and the error is then placed next to it.
        const details = (r.data && r.data.error && r.data.error.details) || [];
        if (details.some((d) => d.field === 'late_reason')) late.hidden = false;
        return false;
      });
    };
  });
}

function visitCard(v) {
  return html`<li class="card visit" data-visit="${v.visit_id}"><a href="#/visits/${v.visit_id}"><strong>${v.person_met}</strong> · ${t('visit.kind.' + v.kind)}<small>${shortTime(v.visited_at)} · ${v.unit_name || v.outlet_id || ''}${v.photo_keys && v.photo_keys.length ? ' · 📷 ' + v.photo_keys.length : ''}</small><span class="clip">${v.discussed}</span></a></li>`;
}

export function visitListPage() {
  const at = location.hash;
  const path = '/v1/visits?limit=50';
  Promise.all([listOrEmpty(path), queuedItems('visit')]).then(([r, queued]) => {
    const items = (r.data && r.data.items) || [];
    page(at, t('visit.list_title'), html`${listNotice(r)}<a class="button" href="#/visits/new">${t('nav.visit_new')}</a>
<ul class="list" id="visit-list" data-refresh-on-flush>${queuedHtml(queued)}${items.map(visitCard)}</ul>${moreButton('visit-list', r)}
${!items.length && !queued.length && html`<p class="muted">${t('visit.none')}</p>`}`, '#/');
    wireMore(main, 'visit-list', path, visitCard);
  }).catch((err) => { page(at, t('visit.list_title'), html``, '#/'); showError(err); });
}

export function visitDetailPage(id) {
  const at = location.hash;
  api('GET', '/v1/visits/' + encodeURIComponent(id)).then((r) => {
    if (r.status !== 200) throw new Error(errorMessage(r));
    const v = r.data;
    const rows = [['visit.kind', t('visit.kind.' + v.kind)], ['visit.visited_at', shortTime(v.visited_at)],
      ['visit.unit_name', v.unit_name || v.outlet_id], ['visit.person_met', v.person_met],
      ['visit.person_title', v.person_title], ['visit.person_contact', v.person_contact_masked],
      ['visit.discussed', v.discussed], ['visit.outcome', v.outcome], ['visit.next_step', v.next_step],
      ['visit.next_visit_date', v.next_visit_date], ['visit.clients_count', v.clients_count]];
    page(at, v.person_met, html`<dl class="detail">${rows.filter((x) => x[1] !== null && x[1] !== undefined && x[1] !== '')
      .map((x) => html`<dt>${t(x[0])}</dt><dd>${x[1]}</dd>`)}</dl>
<div class="photos">${(v.photo_urls || []).map((u, i) => html`<img src="${u}" alt="${t('visit.photo_alt', { n: i + 1 })}" loading="lazy">`)}</div>`, '#/visits');
  }).catch((err) => { page(at, t('visit.list_title'), html``, '#/visits'); showError(err); });
}
