// Draws each instrument's totals on the participant's page as a line over time, with the
// instrument's bands shaded behind it. The data comes from json_script (the CSP allows no
// inline script); the same numbers are in a table beside each chart for screen readers.
(function () {
  "use strict";

  // Fills each band's range of the y axis with its light colour before the line is drawn.
  // A band holds whole totals from `low` to `high`, so it is shaded up to where the next
  // band starts, leaving no gap between bands.
  const bandShading = {
    id: "bandShading",
    beforeDatasetsDraw(chart, _args, options) {
      const bands = options.bands || [];
      const { ctx, chartArea, scales } = chart;
      if (!chartArea || !scales.y) {
        return;
      }
      ctx.save();
      for (const band of bands) {
        const top = Math.max(scales.y.getPixelForValue(band.high + 1), chartArea.top);
        const bottom = Math.min(scales.y.getPixelForValue(band.low), chartArea.bottom);
        if (bottom <= top) {
          continue;
        }
        ctx.fillStyle = band.colour;
        ctx.fillRect(chartArea.left, top, chartArea.right - chartArea.left, bottom - top);
      }
      ctx.restore();
    },
  };

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.outcomeChart);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.points.map((point) => point.x),
        datasets: [
          {
            label: data.label,
            data: data.points.map((point) => point.y),
            borderColor: "#0d6efd",
            backgroundColor: "#0d6efd",
            pointRadius: 4,
            tension: 0,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: { min: data.lowest, max: data.highest, ticks: { precision: 0 } },
          x: { offset: true, ticks: { autoSkip: true, maxRotation: 0 } },
        },
        plugins: {
          legend: { display: false },
          bandShading: { bands: data.bands },
          tooltip: {
            callbacks: {
              afterLabel(item) {
                const band = data.bands.find((b) => item.parsed.y >= b.low && item.parsed.y <= b.high);
                return band ? band.label : "";
              },
            },
          },
        },
      },
      plugins: [bandShading],
    });
  }

  function drawAll() {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-outcome-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
