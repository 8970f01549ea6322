/* Console sign-in: the phone app's sign-in module (../signin.js) with the console's title and demo users, so
 * one session (fd.token / fd.me) serves both and either returns to the page the user came from. */
import { t } from '../render.js';
import { signInPage as sharedSignIn } from '../signin.js';

// The demo users of the desk roles (infra/demo_data.py).
const DEMO_USERS = [['sup-001', '张伟 · supervisor'], ['sup-101', '郑凯 · supervisor (海淀)'], ['cba-001', '陈静 · callback_agent'], ['cba-002', '杨帆 · callback_agent'],
  ['cbl-001', '高峰 · callback_lead'],
  ['cmp-001', '赵敏 · compliance'], ['cmp-002', '孙强 · compliance'], ['adm-001', '周磊 · admin'], ['adm-002', '吴婷 · admin'], ['cm-001', '王晓明 · client_manager']];

export function signInPage(route) {
  return sharedSignIn(route, { title: t('c.signin.title'), intro: t('c.signin.intro'),
    users: DEMO_USERS.map((u) => [u[0], u[0] + ' · ' + u[1]]) });
}
