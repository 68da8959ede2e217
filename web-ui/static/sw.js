// Sbor kiosk: the service worker. It keeps a copy of the UI shell (styles,
// scripts, icons, the manifest and an offline page) so a tablet that loses
// the kiosk's Wi-Fi for a moment still opens and says what is wrong. It never
// keeps the kiosk page, which must always come fresh from the kiosk, nor
// anything under /api/: those answers hold or lead to residents' data.
// The kiosk serves this file at /sw.js with its shell version written in.
'use strict';

const CACHE = 'sbor-shell-__SHELL_VERSION__';
const SHELL = [
  '/static/kiosk.css',
  '/static/kiosk.js',
  '/static/keyboard.js',
  '/static/icons/icon-192.png',
  '/static/icons/icon-512.png',
  '/manifest.webmanifest',
  '/offline',
];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE)
    .then((c) => c.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' }))))
    .then(() => self.skipWaiting()));
});

// A new version drops the old shell at once: the kiosk upgraded, so the
// old scripts would talk to an API that may have changed.
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('sbor-shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // The API goes to the network untouched: never cached, never answered
  // from a cache.
  if (url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    // Network first, and nothing else: only when the kiosk cannot be
    // reached at all does the cached offline page stand in.
    e.respondWith(fetch(req).catch(() => caches.match('/offline').then((r) => r || Response.error())));
    return;
  }
  if (url.pathname.startsWith('/static/') || url.pathname === '/manifest.webmanifest') {
    // Network first here too: the kiosk is on the same Wi-Fi (or the same
    // machine), so this costs nothing, and a kiosk just upgraded never
    // meets last version's script. The copy is for the offline page.
    e.respondWith(caches.open(CACHE).then((cache) => fetch(req).then((res) => {
      if (res.ok) cache.put(req, res.clone());
      return res;
    }, () => cache.match(req, { ignoreSearch: true }).then((hit) => hit || Response.error()))));
  }
});
