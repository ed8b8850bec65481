// The outcome dashboard's charts: grouped bars "at A" against "at B", drawn from the data the
// page passes with json_script (the CSP forbids inline scripts). The table on the page holds
// the same numbers for screen readers; each canvas has role="img" and an aria-label.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    data.charts.forEach(function (chart) {
      var canvas = document.getElementById(chart.id);
      if (!canvas) {
        return;
      }
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: chart.labels,
          datasets: [
            { label: "At " + data.a.toLowerCase(), data: chart.a, backgroundColor: "#6c757d" },
            { label: "At " + data.b.toLowerCase(), data: chart.b, backgroundColor: "#0d6efd" },
          ],
        },
        options: {
          responsive: true,
          animation: false,
          scales: { y: { beginAtZero: true } },
          plugins: { legend: { position: "bottom" } },
        },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
