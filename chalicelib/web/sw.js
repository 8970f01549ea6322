/* Keeps the form pages on the phone so they open without a network. API calls are never cached here:
 * submissions go through the page's own outbox (IndexedDB) with their Idempotency-Key. */
var CACHE = 'fielddesk-shell-v7';
// Every module the page imports: a module missing here would fail the whole page offline.
var SHELL = ['./', 'main.js', 'render.js', 'errors.js', 'net.js', 'queue.js', 'more.js', 'signin.js', 'visits.js',
  'prospects.js', 'tasks.js', 'travel.js', 'leave.js', 'declarations.js', 'outbox.js', 'i18n.js', 'app.css', 'icon.svg', 'icon-192.png', 'manifest.webmanifest'];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var req = event.request;
  var scope = self.registration.scope;
  if (req.method !== 'GET' || !req.url.startsWith(scope) || req.url.indexOf('config.json') >= 0) return;
  var key = req.mode === 'navigate' ? scope : req.url.split('#')[0];
  // Network first so a deploy reaches phones at once; the cached copy when the network fails.
  event.respondWith(fetch(req).then(function (resp) {
    if (resp.ok) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (c) { c.put(key, copy); });
    }
    return resp;
  }).catch(function () {
    return caches.match(key).then(function (hit) { return hit || Response.error(); });
  }));
});
