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
      out.textContent = (h ? h + " h " : "") + m + " min" + (minutes > 480 ? " (over 8 hours)" : "");
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

  document.addEventListener("DOMContentLoaded", function () {
    for (const id of ["id_start_time", "id_end_time"]) {
      const el = document.getElementById(id);
      if (el) el.addEventListener("input", showDuration);
    }
    showDuration();
    followModality();
    // The copy kept as it is typed, and the outbox for no signal: offline.js (form[data-offline]).
  });
})();
