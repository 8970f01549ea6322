/* "Load more": every list is cursor-paginated ({items, next_token}); the button fetches the next page
 * with the opaque token and appends its items to the list on screen. */
import { html, t, append } from './render.js';
import { api, errorMessage } from './net.js';

export function moreButton(listId, r) {
  const next = r && r.status === 200 && r.data && r.data.next_token;
  return next && html`<button type="button" class="secondary more" data-more="${listId}" data-next="${next}">${t('list.more')}</button>
<p class="banner error" role="alert" data-more-error="${listId}" hidden></p>`;
}

/* Wires the button under `listId`: `path` is the first page's path (with its query), `card` renders an item,
   `after` wires what the new cards hold (claim buttons...). */
export function wireMore(root, listId, path, card, after) {
  const button = root.querySelector('[data-more="' + listId + '"]');
  if (!button) return;
  const error = root.querySelector('[data-more-error="' + listId + '"]');
  button.addEventListener('click', () => {
    button.disabled = true;
    error.hidden = true;
    const sep = path.indexOf('?') >= 0 ? '&' : '?';
    api('GET', path + sep + 'next_token=' + encodeURIComponent(button.getAttribute('data-next'))).then((r) => {
      button.disabled = false;
      if (r.status !== 200) throw new Error(errorMessage(r));
      const list = document.getElementById(listId);
      const before = list.children.length;
      append(list, 'beforeend', html`${(r.data.items || []).map(card)}`);
      if (after) after(Array.prototype.slice.call(list.children, before));
      if (r.data.next_token) button.setAttribute('data-next', r.data.next_token);
      else button.remove();
    }).catch((err) => {
      button.disabled = false;
      error.textContent = t('list.more_failed', { msg: err.message });
      error.hidden = false;
    });
  });
}
