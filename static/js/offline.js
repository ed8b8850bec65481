// On every page: the service worker, the outbox (forms signed with no signal, sent by
// themselves when it returns), the copy of a form kept as it is typed, and sign-out, which
// deletes everything this user kept on the phone. Works with offline-store.js (PSStore).
/* global PSStore */
(function () {
  "use strict";

  const config = document.getElementById("offline-config");
  if (!config || !window.indexedDB) return;
  const settings = JSON.parse(config.textContent);
  const owner = settings.owner; // null on the sign-in pages
  const STATES = {
    pending: "Kept on this phone, will send when online.",
    sending: "Sending…",
    failed: "Could not be sent: ",
    sent: "Saved on the server.",
    signedOut: "Not saved: you are signed out. Sign in again; what you typed is kept on this phone.",
  };

  const REFUSED = {
    403: "you may not send this form now (it may have been signed already, or you signed in as someone else).",
    404: "this person or note is no longer open to you (moved to another caseload?). Copy what was typed, then ask your supervisor.",
  };
  const TYPED = /^(topic|intervention|response|next_steps|note-\d+)$/; // the words, not the choices

  // --- Whose phone is it ---------------------------------------------------------------

  const SIGNING_OUT = "ps-signing-out";
  const POSTED = "ps-posted"; // the kept copy of a form sent online, until a page answers
  let signedOut = false; // another tab signed out (BroadcastChannel below)
  let unsent = 0; // this user's forms and typing the server does not have (showOutbox counts)

  function forgetPages() {
    return window.caches ? caches.delete("ps-pages") : Promise.resolve();
  }

  function claimPhone() {
    // Signed out, or timed out: no clinical page stays cached. A timed-out user's unsent forms
    // stay (under their name) until they sign in again; a signed-out user's are deleted.
    if (!owner) return forgetPages().then(afterSignOut);
    return PSStore.owner().then(function (previous) {
      if (previous === owner) return;
      // Someone else was signed in here: their kept pages go. Their unsent notes stay in the
      // outbox under their name, invisible here, and are sent when they sign in again.
      return forgetPages().then(function () { return PSStore.put("meta", { name: "owner", value: owner }); });
    });
  }

  function startServiceWorker() {
    if (!owner || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(settings.worker, { scope: "/", updateViaCache: "none" }).catch(function () {});
    navigator.serviceWorker.ready.then(function (registration) {
      if (!navigator.onLine || !registration.active) return;
      // Keep the note forms this page leads to, so they open with no signal.
      const urls = Array.from(document.querySelectorAll("a[href]"))
        .map(function (a) { return a.getAttribute("href"); })
        .filter(function (href) { return settings.keep.some(function (p) { return new RegExp(p).test(href); }); });
      if (urls.length) registration.active.postMessage({ type: "keep", urls: Array.from(new Set(urls)) });
    });
  }

  // --- The outbox ----------------------------------------------------------------------

  function describe(item) {
    return item.state === "failed" ? STATES.failed + item.reason : STATES[item.state];
  }

  function showOutbox() {
    const banner = document.getElementById("outbox-banner");
    const list = document.getElementById("outbox-list");
    if (!owner) return Promise.resolve();
    return PSStore.outbox(owner).then(function (items) {
      const waiting = items.filter(function (i) { return i.state !== "sent"; });
      if (banner) {
        banner.hidden = waiting.length === 0;
        const failed = waiting.filter(function (i) { return i.state === "failed"; }).length;
        banner.querySelector("[data-outbox-count]").textContent =
          waiting.length === 1 ? "1 form is kept on this phone" : waiting.length + " forms are kept on this phone";
        banner.querySelector("[data-outbox-failed]").textContent = failed ? " (" + failed + " could not be sent)" : "";
      }
      if (list) renderList(list, items);
      return PSStore.copies(owner).then(function (n) { unsent = waiting.length + n; });
    });
  }

  function renderList(list, items) {
    const template = document.getElementById("outbox-item");
    list.replaceChildren();
    document.getElementById("outbox-empty").hidden = items.length > 0;
    for (const item of items) {
      const row = template.content.firstElementChild.cloneNode(true);
      row.dataset.state = item.state;
      row.querySelector("[data-label]").textContent = item.label;
      row.querySelector("[data-when]").textContent = "Kept " + new Date(item.created).toLocaleString();
      row.querySelector("[data-status]").textContent = describe(item);
      // What was typed stays readable, so a form the server refuses for good (the person
      // moved to another caseload) can still be copied out before it is deleted.
      const typed = item.fields.filter(function (f) { return TYPED.test(f[0]) && String(f[1]).trim(); });
      row.querySelector("[data-typed-box]").hidden = item.state === "sent" || !typed.length;
      row.querySelector("[data-typed]").textContent = typed.map(function (f) { return f[1]; }).join("\n\n");
      const open = row.querySelector("[data-open]");
      open.hidden = !(item.state === "sent" || (item.state === "failed" && !item.closed));
      open.href = item.state === "sent" ? item.sentUrl : item.fixUrl || item.url;
      open.textContent = item.state === "sent" ? "Open it" : "Open it to fix";
      if (item.state === "failed") {
        open.addEventListener("click", function () { reopen(item); });
      }
      const drop = row.querySelector("[data-drop]");
      drop.hidden = item.state === "sending";
      drop.textContent = item.state === "sent" ? "Clear" : "Delete from this phone";
      drop.addEventListener("click", function () {
        if (item.state !== "sent" && !window.confirm("Delete this unsent form from the phone? It cannot be recovered.")) return;
        PSStore.remove("outbox", item.id).then(showOutbox);
      });
      list.appendChild(row);
    }
  }

  // A refused form goes back into its page as the kept copy, to be fixed and sent again: the
  // page the server answered with (the draft it kept, when it kept one), else the form's own.
  function reopen(item) {
    const values = {};
    for (const [name, value] of item.fields) (values[name] = values[name] || []).push(value);
    const form = item.fields.find(function (f) { return f[0] === "offline_key"; });
    const key = item.fixKey || (form && form[1]);
    if (key) PSStore.put("copies", { key: owner + "|" + key, at: item.created, values: values });
  }

  function refusedIn(item, html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const form = page.querySelector("form[data-offline]");
    if (form) {
      item.fixKey = form.dataset.offline;
      item.fixUrl = new URL(form.getAttribute("action") || item.url, item.url).href;
    }
    return errorIn(page);
  }

  function errorIn(htmlOrPage) {
    const page = typeof htmlOrPage === "string" ? new DOMParser().parseFromString(htmlOrPage, "text/html") : htmlOrPage;
    // The error summary's items ("Next steps: Add the next steps before submitting."), else
    // its text, else the messages beside the fields.
    const summary = page.getElementById("error-summary") || page.querySelector("main .alert-danger");
    const items = summary ? Array.from(summary.querySelectorAll("li")) : [];
    const found = items.length ? items : summary ? [summary] : Array.from(page.querySelectorAll(".invalid-feedback"));
    return found.map(function (el) { return el.textContent.replace(/\*/g, "").replace(/\s+/g, " ").trim(); }).join(" ");
  }

  function sendOne(item, csrf) {
    const body = new URLSearchParams();
    for (const [name, value] of item.fields) body.append(name, name === "csrfmiddlewaretoken" ? csrf : value);
    item.state = "sending";
    return PSStore.put("outbox", item).then(showOutbox).then(function () {
      return fetch(item.url, { method: "POST", body: body, credentials: "same-origin" });
    }).then(function (response) {
      if (response.ok && response.redirected && !response.url.includes(settings.login)) {
        item.state = "sent";
        item.sentUrl = response.url.split("?")[0];
        return PSStore.put("outbox", item);
      }
      return response.text().then(function (html) {
        if (response.status >= 500) {
          item.state = "pending"; // the server's fault, not the form's: try again later
        } else {
          item.state = "failed";
          item.reason = refusedIn(item, html) || REFUSED[response.status] || "the server answered " + response.status + ".";
          // Its page answers the same: no link to it, unless the refusal named a page to fix it on.
          item.closed = (response.status === 403 || response.status === 404) && !item.fixUrl;
        }
        return PSStore.put("outbox", item);
      });
    }, function () {
      item.state = "pending"; // no signal after all
      return PSStore.put("outbox", item);
    });
  }

  let sending = null;

  // One sender per phone: two tabs sending at once would each send every item (a saved
  // draft's second send then reads "changed elsewhere"). The outbox is read inside the lock,
  // so a tab that waited finds what the other one sent.
  function oneSenderAtATime(work) {
    return navigator.locks ? navigator.locks.request("ps-outbox", work) : work();
  }

  function sendOutbox() {
    if (!owner || sending || !navigator.onLine) return sending;
    sending = oneSenderAtATime(function () {
      return PSStore.outbox(owner).then(function (items) {
        const due = items.filter(function (i) { return i.state === "pending" || i.state === "sending"; });
        if (!due.length) return;
        // Sent only under the session of the user who kept it, with that session's CSRF token.
        return fetch(settings.whoami, { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (who) {
            if (!who || who.user !== owner) return;
            return due.reduce(function (chain, item) {
              return chain.then(function () { return sendOne(item, who.csrf); });
            }, Promise.resolve());
          });
      });
    }).catch(function () {}).then(function () {
      sending = null;
      return showOutbox();
    });
    return sending;
  }

  // --- Forms kept as they are typed, and sent later when there is no signal ------------

  function readForm(form) {
    const values = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (name === "csrfmiddlewaretoken" || name === "attest") continue;
      (values[name] = values[name] || []).push(value);
    }
    return values;
  }

  // A page may first fetch what it lacks for the kept values (the group form: the rows of
  // attendees added by search), pushing a promise onto event.detail.waits.
  function fillForm(form, values) {
    const waits = [];
    form.dispatchEvent(new CustomEvent("offline:fill", { detail: { values: values, waits: waits } }));
    return Promise.all(waits).catch(function () {}).then(function () { fillElements(form, values); });
  }

  function fillElements(form, values) {
    for (const el of form.elements) {
      // Never a button's value, a token, or the attestation: signing is the person's own act.
      if (!el.name || !(el.name in values) || el.type === "submit" || el.type === "button") continue;
      if (el.name === "csrfmiddlewaretoken" || el.name === "attest") continue;
      // The page's own note, version and labels stand; a new note's key comes back with its
      // words, so the server finds the draft they may already have made.
      if (el.type === "hidden" && !(el.name === "client_key" && !form.querySelector("input[name=note_id][value]:not([value=''])"))) continue;
      if (el.type === "checkbox" || el.type === "radio") el.checked = values[el.name].includes(el.value);
      else el.value = values[el.name][0];
      el.dispatchEvent(new Event("input", { bubbles: true })); // the duration, and autosave to the server
    }
  }

  function setStatus(form, text, kind) {
    const status = form.querySelector("[data-offline-status]");
    if (!status) return;
    status.textContent = text;
    status.dataset.kind = kind;
  }

  // The version of a draft this phone last saved. A page the worker kept shows the version it
  // had when it was kept; reopened with no signal after later autosaves, it would be refused
  // as "changed elsewhere" though nobody else touched it. Another tab or device still is.
  function versionKey(form) {
    const noteId = form.querySelector("input[name=note_id]");
    return noteId && noteId.value ? "version:" + noteId.value : null;
  }

  function rememberVersion(form) {
    const input = form.querySelector("input[name=version]");
    const name = versionKey(form);
    if (name && input && input.value) PSStore.put("meta", { name: name, value: Number(input.value) });
  }

  function catchUpVersion(form) {
    const name = versionKey(form);
    if (!name) return;
    PSStore.get("meta", name).then(function (row) {
      const input = form.querySelector("input[name=version]");
      if (!input) return;
      if (row && row.value > Number(input.value || 0)) input.value = row.value;
      else rememberVersion(form);
    });
  }

  function keepForm(form) {
    const key = owner + "|" + form.dataset.offline;
    const clientKey = form.querySelector("input[name=client_key]");
    const noteId = form.querySelector("input[name=note_id]");
    // A new form (also when it was opened from the phone's cache) starts its own note.
    if (clientKey && !(noteId && noteId.value)) clientKey.value = crypto.randomUUID();
    let edits = 0;

    PSStore.get("copies", key).then(function (copy) {
      const banner = document.getElementById("restore-banner");
      if (!copy || !banner) return;
      document.getElementById("restore-when").textContent = "at " + new Date(copy.at).toLocaleTimeString();
      banner.hidden = false;
      document.getElementById("restore-draft").addEventListener("click", function () {
        fillForm(form, copy.values);
        banner.hidden = true;
      });
      document.getElementById("discard-draft").addEventListener("click", function () {
        PSStore.remove("copies", key);
        banner.hidden = true;
      });
    });

    let kept = Promise.resolve(); // the last copy written
    function keepCopy() {
      edits += 1;
      if (signedOut) return kept;
      kept = PSStore.put("copies", { key: key, at: Date.now(), values: readForm(form) }).then(showOutbox);
      return kept;
    }
    form.addEventListener("input", keepCopy);

    // Autosave (htmx): the status line says where the note truly is. A session that ended
    // answers with the sign-in page (the request follows the redirect): nothing was saved,
    // the kept copy stays, and that page is not drawn into the status line.
    form.addEventListener("htmx:beforeRequest", function (event) { event.detail.requestConfig.editsAtSend = edits; });
    form.addEventListener("htmx:beforeSwap", function (event) {
      if (!answeredBySignIn(event.detail.xhr)) return;
      event.detail.shouldSwap = false;
      setStatus(form, STATES.signedOut, "failed");
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (!event.detail.successful || answeredBySignIn(event.detail.xhr)) return;
      rememberVersion(form);
      if (edits === event.detail.requestConfig.editsAtSend) PSStore.remove("copies", key).then(showOutbox);
    });
    catchUpVersion(form);
    // An autosave with no signal: the status says "kept" once the copy is written. With no
    // edit seen, the words were typed before this page's scripts listened (a slow phone): the
    // form is kept as it stands.
    form.addEventListener("htmx:sendError", function () {
      (edits ? kept : keepCopy()).then(function () { setStatus(form, STATES.pending, "kept"); });
    });
    form.addEventListener("htmx:responseError", function (event) {
      setStatus(form, STATES.failed + (errorIn(event.detail.xhr.responseText) || "the server answered " + event.detail.xhr.status + "."), "failed");
    });
    window.addEventListener("offline", function () { setStatus(form, STATES.pending, "kept"); });
    window.addEventListener("online", function () {
      if (edits) form.dispatchEvent(new Event("change", { bubbles: true })); // autosave what was kept
    });

    // With no signal the form goes to the outbox instead of the browser's "No internet" page.
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return; // a second tap, or waiting for an autosave (note-form.js)
      if (navigator.onLine) {
        // The request carries all of it: refused, the page comes back filled in; cut off on
        // the way, the service worker keeps it in the outbox. The copy goes when the answer
        // is a page of the signed-in user (forgetPosted), not the sign-in page of a session
        // that ended, nor "this form has expired": what was typed is then still here.
        try { sessionStorage.setItem(POSTED, key); } catch (e) { PSStore.remove("copies", key); }
        return;
      }
      event.preventDefault();
      const data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      const fields = Array.from(data.entries());
      // Not form.action: a button named "action" hides that property.
      const url = new URL(form.getAttribute("action") || window.location.href, window.location.href).href;
      PSStore.queue(owner, url, fields, data.get("offline_label"))
        .then(function () { return PSStore.remove("copies", key); })
        .then(function () { window.location.assign(settings.outbox + "?kept=1"); });
    });
  }

  // --- Sign-out ------------------------------------------------------------------------

  function forgetEverything() {
    const work = [PSStore.destroy(), forgetPages()];
    if (window.caches) work.push(caches.keys().then(function (names) { return Promise.all(names.map(function (n) { return caches.delete(n); })); }));
    if ("serviceWorker" in navigator) {
      work.push(navigator.serviceWorker.getRegistrations().then(function (all) {
        return Promise.all(all.map(function (r) { return r.unregister(); }));
      }));
    }
    try { localStorage.clear(); sessionStorage.clear(); } catch (e) { /* storage disabled */ }
    return Promise.all(work).catch(function () {});
  }

  // Sign-out itself is not held up (a page loading after it would race it): the sign-out
  // answer carries Clear-Site-Data, and the sign-in page finishes the job where a browser
  // ignores that header. Only unsent forms make it ask first.
  // What is unsent is counted when sign-out is pressed, not taken from the last count: a save
  // that has just reached the server may still be clearing its copy, and the question would
  // then name a form the server already has.
  // The count waits at most COUNT_WAIT_MS: the phone's store can be held by another tab (a
  // deletion it blocks queues every later reader), and a sign-out that silently does nothing
  // leaves a shared phone signed in. Not counted in time, it asks, as unsent forms may be there.
  const COUNT_WAIT_MS = 3000;
  const NOT_COUNTED = "This phone could not check in time whether forms typed on it have reached the server. " +
    "Signing out deletes from the phone anything not sent. Sign out anyway?";

  function countUnsent() {
    let timer = null;
    const late = new Promise(function (resolve) { timer = setTimeout(resolve, COUNT_WAIT_MS, null); });
    // A store that fails (rather than waits) could not have kept anything since: the last count.
    const counted = showOutbox().catch(function () {}).then(function () { return unsent; });
    return Promise.race([counted, late]).then(function (n) { clearTimeout(timer); return n; });
  }

  function guardSignOut(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      countUnsent().then(function (n) {
        const question = n === null ? NOT_COUNTED
          : n ? n + " form(s) typed on this phone have not reached the server. Signing out deletes them from the phone. Sign out anyway?"
          : null;
        if (question && !window.confirm(question)) return;
        try { sessionStorage.setItem(SIGNING_OUT, "1"); } catch (e) { /* storage disabled */ }
        if (signOutChannel) signOutChannel.postMessage("signed-out");
        HTMLFormElement.prototype.submit.call(form); // no second submit event
      });
    });
  }

  // Another tab of this app signed out: this one keeps nothing more (its typing would make the
  // database again after sign-out deleted it) and shows the sign-in page.
  const signOutChannel = window.BroadcastChannel ? new BroadcastChannel("ps-sign-out") : null;
  if (signOutChannel) {
    signOutChannel.onmessage = function () {
      signedOut = true;
      followSignOut(20);
    };
  }

  // The other tab's sign-out may still be on its way: reload once the server has ended the
  // session (a reload before would show this page again, signed in).
  function followSignOut(tries) {
    fetch(settings.whoami, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (who) {
        if (who.user === owner && tries > 0) setTimeout(function () { followSignOut(tries - 1); }, 250);
        else window.location.reload();
      })
      .catch(function () { window.location.reload(); });
  }

  function afterSignOut() {
    let signingOut = false;
    try { signingOut = sessionStorage.getItem(SIGNING_OUT) === "1"; } catch (e) { /* storage disabled */ }
    return signingOut ? forgetEverything() : Promise.resolve();
  }

  function answeredBySignIn(xhr) {
    return Boolean(xhr && xhr.responseURL) && new URL(xhr.responseURL).pathname === settings.login;
  }

  // A form was sent online and this page is the answer: its copy goes, unless the page says
  // nothing was saved or the session had ended (the sign-in page).
  function forgetPosted() {
    let key = null;
    try { key = sessionStorage.getItem(POSTED); sessionStorage.removeItem(POSTED); } catch (e) { /* storage disabled */ }
    if (!key || !owner || document.getElementById("nothing-saved")) return Promise.resolve();
    return PSStore.remove("copies", key);
  }

  // The server holds this note (just saved or signed): the copies this phone kept of it go,
  // and only those. The worker may serve this page again with no signal, long after, over
  // words typed since; and another new note for the same participant may be kept. So a copy
  // goes only if it was typed on an older version of this note, or is the new note it became.
  function clearSentCopies() {
    const marker = document.getElementById("clear-local-draft");
    if (!owner || !marker) return Promise.resolve();
    const version = Number(marker.dataset.version || 0);
    const clientKey = marker.dataset.clientKey;
    return Promise.all(marker.dataset.offlineKeys.split(" ").map(function (k) {
      const key = owner + "|" + k;
      return PSStore.get("copies", key).then(function (copy) {
        if (!copy) return;
        const typedOn = function (name) { return (copy.values[name] || [""])[0]; };
        const sent = k.endsWith(":new") ? Boolean(clientKey) && typedOn("client_key") === clientKey
          : Number(typedOn("version") || 0) < version;
        if (sent) return PSStore.remove("copies", key);
      });
    }));
  }

  document.addEventListener("DOMContentLoaded", function () {
    // At once, not after the phone is claimed: a sign-out tapped while the page settles would
    // otherwise go unguarded, and delete unsent forms without asking.
    document.querySelectorAll("form[data-sign-out]").forEach(guardSignOut);
    claimPhone().then(forgetPosted).then(clearSentCopies).then(function () {
      startServiceWorker();
      document.querySelectorAll("form[data-offline]").forEach(keepForm);
      return showOutbox();
    }).then(sendOutbox, function () {
      // The store did not open (held by another tab, or this page left while it waited):
      // this page keeps nothing on the phone.
    });
    window.addEventListener("online", sendOutbox);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) sendOutbox(); });
  });

  window.PSOffline = { send: sendOutbox, forgetEverything: forgetEverything };
})();
