// Session note and group forms: duration as it is typed, place of service from modality,
// and an unsent copy of the note kept in this browser until the server has it.
(function () {
  "use strict";

  function minutesBetween(start, end) {
    if (!start || !end) return null;
    const [sh, sm] = start.split(":").map(Number);
    const [eh, em] = end.split(":").map(Number);
    return eh * 60 + em - (sh * 60 + sm);
  }

  function showDuration() {
    const out = document.getElementById("duration");
    const start = document.getElementById("id_start_time");
    const end = document.getElementById("id_end_time");
    if (!out || !start || !end) return;
    const minutes = minutesBetween(start.value, end.value);
    if (minutes === null) {
      out.textContent = "—";
    } else if (minutes <= 0) {
      out.textContent = "the end is not after the start";
    } else {
      const h = Math.floor(minutes / 60);
      const m = minutes % 60;
      // Whole units of 15 continuous minutes; no partial unit (DESIGN.md "Units").
      const units = Math.floor(minutes / 15);
      out.textContent = (h ? h + " h " : "") + m + " min · " + units + " unit" + (units === 1 ? "" : "s") +
        (minutes > 480 ? " (over 8 hours)" : "");
    }
  }

  function followModality() {
    const modality = document.getElementById("id_modality");
    const place = document.getElementById("id_place_of_service");
    const defaults = document.getElementById("default-places");
    if (!modality || !place || !defaults) return;
    const map = JSON.parse(defaults.textContent);
    let touched = Boolean(place.value);
    place.addEventListener("change", function () { touched = true; });
    modality.addEventListener("change", function () {
      if (!touched && map[modality.value]) place.value = map[modality.value];
    });
  }

  // --- One send per tap, and the server's refusals shown -----------------------------------

  function sendOnce(form) {
    // A double tap must not send the form twice (the server would find the same note by its
    // client_key anyway), and a pending autosave must not race the sign: it would bump the
    // version under it. The buttons are disabled after this tick, once the browser has read
    // which one was pressed.
    let sent = false;
    const buttons = form.querySelectorAll("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
      setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
    });
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (sent) event.preventDefault();
    });
    // The page came back from the browser's cache (Back): it may be sent again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      sent = false;
      buttons.forEach(function (b) { b.disabled = false; });
    });
  }

  function showRefusals() {
    // htmx leaves error answers unswapped; a 409 from autosave says why nothing was saved
    // ("This draft changed elsewhere...") and belongs in the status line.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.xhr.status === 409) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  }

  function ensureKey(form) {
    // The page's own key (one note per page, however often it is sent). The server puts one
    // in; a page kept by the browser and opened again needs a fresh one.
    const input = form.querySelector("input[name=client_key]");
    if (input && !input.value && window.crypto && crypto.randomUUID) input.value = crypto.randomUUID();
  }

  // --- The unsent copy --------------------------------------------------------------------

  function readForm(form) {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.name === "attest") continue;
      if (el.type === "checkbox") {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else {
        values[el.name] = el.value;
      }
    }
    return values;
  }

  function fillForm(form, values) {
    for (const el of form.elements) {
      if (!(el.name in values)) continue;
      if (el.type === "checkbox") el.checked = values[el.name].includes(el.value);
      else el.value = values[el.name];
    }
  }

  function keepUnsentCopy(form) {
    let key = form.dataset.draftKey;
    const banner = document.getElementById("restore-banner");
    let edits = 0;

    const stored = localStorage.getItem(key);
    if (stored && banner) {
      const copy = JSON.parse(stored);
      document.getElementById("restore-when").textContent = "at " + new Date(copy.at).toLocaleTimeString();
      banner.hidden = false;
      document.getElementById("restore-draft").addEventListener("click", function () {
        fillForm(form, copy.values);
        banner.hidden = true;
        showDuration();
        form.dispatchEvent(new Event("input", { bubbles: true }));  // save it to the server too
      });
      document.getElementById("discard-draft").addEventListener("click", function () {
        localStorage.removeItem(key);
        banner.hidden = true;
      });
    }

    form.addEventListener("input", function () {
      edits += 1;
      localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: readForm(form) }));
    });

    // htmx autosave: once the server holds everything typed so far, the copy can go.
    const buttons = form.querySelectorAll("button[type=submit]");
    form.addEventListener("htmx:beforeRequest", function (event) {
      event.detail.requestConfig.editsAtSend = edits;
      // Until the first autosave hands back the note's id, a submit would start a second note.
      buttons.forEach(function (b) { b.disabled = true; });
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      buttons.forEach(function (b) { b.disabled = false; });
      if (!event.detail.successful || event.detail.xhr.responseText.indexOf("Not saved") !== -1) return;
      const noteId = document.getElementById("note-id").value;
      if (event.detail.requestConfig && edits === event.detail.requestConfig.editsAtSend) {
        localStorage.removeItem(key);
      }
      if (noteId && key.endsWith(":new")) {
        const moved = localStorage.getItem(key);
        localStorage.removeItem(key);
        key = key.replace(/:new$/, ":" + noteId);
        form.dataset.draftKey = key;
        if (moved) localStorage.setItem(key, moved);
      }
    });
  }

  function clearSentCopies() {
    const marker = document.getElementById("clear-local-draft");
    if (!marker) return;
    for (const key of marker.dataset.keys.split(" ")) localStorage.removeItem(key);
  }

  document.addEventListener("DOMContentLoaded", function () {
    clearSentCopies();
    for (const id of ["id_start_time", "id_end_time"]) {
      const el = document.getElementById(id);
      if (el) el.addEventListener("input", showDuration);
    }
    showDuration();
    followModality();
    showRefusals();
    for (const id of ["note-form", "group-form"]) {
      const each = document.getElementById(id);
      if (each) { ensureKey(each); sendOnce(each); }
    }
    const form = document.getElementById("note-form");
    if (form && window.localStorage) keepUnsentCopy(form);
  });
})();
