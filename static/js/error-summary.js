// The error summary (templates/_error_summary.html): move the focus to it when the page
// loads, so a screen reader reads the problems first and a keyboard starts there.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
