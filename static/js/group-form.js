// The group form: a kept copy (offline.js) may name attendees added by search, whose rows a
// freshly loaded page lacks. Fetch those rows (the server checks each id) before filling.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("group-form");
    if (!form) return;
    form.addEventListener("offline:fill", function (event) {
      const present = new Set(Array.from(form.querySelectorAll("input[name=row]")).map(function (i) { return i.value; }));
      const missing = (event.detail.values.row || []).filter(function (id) { return !present.has(id); });
      if (!missing.length || !window.htmx) return;
      const query = missing.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
      event.detail.waits.push(htmx.ajax("GET", form.dataset.rowsUrl + "?" + query, { target: "#attendee-rows", swap: "beforeend" }));
    });
  });
})();
