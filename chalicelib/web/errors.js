/* The API's refusals in the interface's language.
 *
 * The envelope is {"error": {"code", "message", "details": [{"field", "message", "type"?}]}} (docs/api.md §2).
 * `code` and a detail's `type` are machine-readable and map to i18n keys. A detail without a type carries
 * only the server's English sentence: the known ones are recognised below and shown in Chinese, and an
 * unknown one is shown as a generic Chinese message (never the English text) in the Chinese interface.
 */
import { t, has, state } from './render.js';

// [pattern of the server's English detail message, i18n key]; first match wins.
const DETAIL_MESSAGES = [
  [/departed_on is required when status is departed/i, 'msg.departed_on_needed'],
  [/successor_id is given with a departure/i, 'msg.successor_with_departure'],
  [/^required\b|\bis required\b|^field required/i, 'msg.required'],
  [/cannot be in the future|is in the future/i, 'msg.future'],
  [/cannot be in the past/i, 'msg.past'],
  [/must not be before the visit/i, 'msg.before_visit'],
  [/must be after the attempt/i, 'msg.after_attempt'],
  [/^the visit is (older than|week)/i, 'msg.late_visit'],
  [/unknown outlet/i, 'msg.unknown_outlet'],
  [/not a photo you uploaded/i, 'msg.photo_not_uploaded'],
  [/^evidence of a .* callback, not of/i, 'msg.evidence_other_channel'],
  [/risk callback is made by phone or visit/i, 'msg.risk_channel'],
  [/fallback task is worked by/i, 'msg.fallback_channel'],
  [/SMS can carry a notice/i, 'msg.sms_not_enough'],
  [/confirm the client's identity/i, 'msg.identity'],
  [/only for closed-account/i, 'msg.closing_only'],
  [/only with reason call_back_later/i, 'msg.call_back_only'],
  [/only when the client was not reached/i, 'msg.reason_only'],
  [/an account_id or a client_name/i, 'msg.client_needed'],
  [/does not match the task's account/i, 'msg.account_mismatch'],
  [/no approved travel covers/i, 'msg.not_travelling'],
  [/^already reported/i, 'msg.already_reported'],
  [/no such staff member/i, 'msg.no_staff'],
  [/has departed/i, 'msg.departed'],
  [/^unknown /i, 'msg.unknown'],
  [/mainland China mobile number/i, 'msg.mobile'],
  [/check digit|must be 18 characters/i, 'msg.id_number'],
  [/UTC offset/i, 'msg.offset'],
  [/leave is asked for in advance/i, 'msg.leave_notice'],
  [/^overlaps leave/i, 'msg.leave_overlap'],
  [/no working day in the leave/i, 'msg.leave_no_workday'],
  [/is for a single day/i, 'msg.half_day_single'],
  [/must not be before start_date/i, 'msg.end_before_start'],
  [/one request spans at most/i, 'msg.leave_too_long'],
  [/is listed twice/i, 'msg.listed_twice'],
  [/declaration is made in or after/i, 'msg.month_not_begun'],
  [/^closed$/i, 'msg.declaration_closed'],
  [/^must not be after to$/i, 'msg.from_after_to'],
  [/the range may span at most/i, 'msg.span_too_long'],
  [/^say whether subject_id is/i, 'msg.subject_kind_needed'],
  [/^name the account, prospect or visit id/i, 'msg.subject_id_needed'],
  [/^\d{4}-\d{2}-\d{2} is not in \d{4}$/, 'msg.cal_other_year'],
  [/is a weekday; a make-up working day is a weekend day/i, 'msg.cal_makeup_weekday'],
  [/is also listed as a make-up working day/i, 'msg.cal_both']
];

function known(message) {
  const hit = DETAIL_MESSAGES.find((p) => p[0].test(message || ''));
  return hit ? hit[1] : null;
}

/* One detail's message: by its type, else by its known sentence; English server text only in English. */
export function detailText(d) {
  if (d.local) return d.message;   // written by the page itself, already in the interface's language
  const key = known(d.message);
  if (key) return t(key);
  if (d.type && has('err.' + d.type)) return t('err.' + d.type);
  return state.lang === 'en' && d.message ? d.message : t('msg.invalid');
}

/* The label of the field a detail names ("checklist.risks_disclosed" -> that question), for messages
   that cannot sit next to their field. */
export function fieldLabel(name) {
  const candidates = ['attempt.' + name, 'visit.' + name, 'prospect.' + name, 'followup.' + name, 'complaint.' + name,
    'travel.' + name, 'leave.' + name, 'declaration.' + name.replace(/\.\d+$/, ''),
    'problem.' + name.replace(/^problems\.\d+\./, ''), 'calendar.' + name.replace(/\.\d+$/, ''), 'form.' + name.replace(/^query\./, '')];
  const key = candidates.find((k) => has(k));
  return key ? t(key) : name;
}

function codeText(status, e) {
  if (e && e.code && has('code.' + e.code)) return t('code.' + e.code);
  return t('code.http', { status });
}

/* What a refused response says, in the interface's language: the code's message, then the first detail. */
export function errorMessage(r) {
  const status = r && r.status;
  const e = r && r.data && r.data.error;
  let msg = codeText(status, e);
  const first = e && e.details && e.details[0];
  if (first) msg += '（' + fieldLabel(String(first.field || '')) + '：' + detailText(first) + '）';
  return msg;
}

/* An outbox entry's last failure, rendered now (so it follows the language switch). */
export function entryError(entry) {
  if (entry.error) return errorMessage({ status: entry.error.status, data: { error: entry.error } });
  return entry.last_error ? t('code.' + entry.last_error) : '';
}
