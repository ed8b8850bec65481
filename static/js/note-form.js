// Session note and group forms: duration as it is typed, place of service from modality.
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
    // client_key anyway). Saving and signing from one page must not cross: a sign tapped
    // while an autosave is on its way waits for its answer (and carries the version it hands
    // back), and once signing, no autosave starts. The buttons are disabled after this tick,
    // once the browser has read which one was pressed.
    let sent = false;
    let inFlight = false;
    let deferred = null;
    const buttons = form.querySelectorAll("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      if (inFlight) { event.preventDefault(); deferred = event.submitter; return; }
      sent = true;
      setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
    });
    form.addEventListener("htmx:beforeRequest", function (event) {
      if (sent) event.preventDefault();
      else inFlight = true;
    });
    form.addEventListener("htmx:afterRequest", function () {
      inFlight = false;
      if (!deferred) return;
      const submitter = deferred;
      deferred = null;
      form.requestSubmit(submitter);
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

  document.addEventListener("DOMContentLoaded", function () {
    for (const id of ["id_start_time", "id_end_time"]) {
      const el = document.getElementById(id);
      if (el) el.addEventListener("input", showDuration);
    }
    showDuration();
    followModality();
    showRefusals();
    // The page's own key (client_key), the copy kept as it is typed and the outbox for no
    // signal: offline.js (form[data-offline]).
    for (const id of ["note-form", "group-form"]) {
      const each = document.getElementById(id);
      if (each) sendOnce(each);
    }
  });
})();
