// The service worker's work (sw.js, served from the site root, sets self.PS_CONFIG and loads
// this after offline-store.js). It keeps the app shell, the caseload and the note forms so a
// note can be opened, written and signed with no signal, and catches a form sent while the
// connection silently drops (the phone says it is online, the request fails) into the outbox.
/* global PS_CONFIG, PSStore */
"use strict";

const STATIC_CACHE = "ps-static-" + PS_CONFIG.version;
const PAGES_CACHE = "ps-pages";
const keptPages = PS_CONFIG.pages.map(function (p) { return new RegExp(p); });
const queuedForms = PS_CONFIG.queue.map(function (p) { return new RegExp(p); });

function matches(patterns, url) {
  return patterns.some(function (p) { return p.test(url.pathname); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(PS_CONFIG.precache); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (n) {
          return n.startsWith("ps-static-") && n !== STATIC_CACHE;
        }).map(function (n) { return caches.delete(n); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

// A page is kept under its address without the one-time marks the app adds after an action
// ("?saved=1", "?signed=1", "?kept=1"); other parameters ("?another=1") name another page.
function pageKey(address) {
  const url = new URL(address);
  ["saved", "signed", "kept"].forEach(function (mark) { url.searchParams.delete(mark); });
  return url.href;
}

// Pages keep the copy last seen online; a page never seen offline answers the offline page.
function pageFromNetwork(request, keep) {
  return fetch(request).then(function (response) {
    if (keep && response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) { cache.put(pageKey(request.url), copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(pageKey(request.url), { cacheName: PAGES_CACHE }).then(function (kept) {
      return kept || caches.match(PS_CONFIG.offline);
    });
  });
}

function staticFile(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        const copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

// A form sent while the signal silently dropped: kept in the outbox, and the specialist sees
// where it is instead of the browser's "No internet" page.
function formOrOutbox(request) {
  const body = request.clone().formData();
  return fetch(request).catch(function () {
    return Promise.all([body, PSStore.owner()]).then(function (found) {
      const fields = Array.from(found[0].entries());
      if (!found[1]) throw new Error("no signed-in owner");
      return PSStore.queue(found[1], request.url, fields, found[0].get("offline_label"));
    }).then(function () {
      return Response.redirect(PS_CONFIG.outbox + "?kept=1", 303);
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && matches(queuedForms, url)) {
    event.respondWith(formOrOutbox(request));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.startsWith(PS_CONFIG.static)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageFromNetwork(request, matches(keptPages, url)));
  }
});

// A page asks for the note forms it links to (the caseload's "Log a session") to be kept.
// A copy younger than FRESH_MS is kept as it is, so a home page opened ten times an hour does
// not fetch the caseload's forms ten times. A redirect (the session has ended: the sign-in
// page) is not followed, so nothing is kept and no sign-in page is rendered behind the user's
// back (it would set a new CSRF cookie under a sign-in form they may be filling in).
const FRESH_MS = 10 * 60 * 1000;

function isFresh(response) {
  const date = response && Date.parse(response.headers.get("date"));
  return Boolean(date) && Date.now() - date < FRESH_MS;
}

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "keep") return;
  const urls = event.data.urls.filter(function (u) { return matches(keptPages, new URL(u, self.location.origin)); });
  event.waitUntil(caches.open(PAGES_CACHE).then(function (cache) {
    return Promise.all(urls.map(function (u) {
      return cache.match(u).then(function (kept) {
        if (isFresh(kept)) return;
        return fetch(u, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
          if (response.ok && response.type === "basic") return cache.put(u, response);
        });
      }).catch(function () {});
    }));
  }));
});
