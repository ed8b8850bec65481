// A report's charts, drawn from the list the page passes with json_script (the CSP forbids
// inline scripts). Each chart's numbers are also in a table under its canvas, and each canvas
// has role="img" and an aria-label.
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#6c757d", "#198754", "#d63384", "#fd7e14", "#20c997"];

  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    JSON.parse(source.textContent).forEach(function (chart) {
      var canvas = document.getElementById(chart.id);
      if (!canvas) {
        return;
      }
      new Chart(canvas, {
        type: chart.type === "line" ? "line" : "bar",
        data: {
          labels: chart.labels,
          datasets: chart.series.map(function (series, index) {
            var colour = COLOURS[index % COLOURS.length];
            var dataset = { label: series.label, data: series.values, backgroundColor: colour, borderColor: colour };
            if (series.type === "line") {
              dataset.type = "line";
            }
            return dataset;
          }),
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
