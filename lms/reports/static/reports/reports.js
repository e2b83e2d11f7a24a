/* Draws the report charts from the figures the page already shows in its tables. */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var colours = ["#2e6fba", "#e07b00", "#4a8f3c", "#8a4fbf"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function bar(id, labels, series, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas || !labels.length) return;
    if (horizontal) {
      // One readable bar group per row, however many rows there are.
      canvas.parentNode.style.height = Math.max(288, labels.length * 20 * series.length + 80) + "px";
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: series.map(function (item, index) {
          return { label: item.label, data: item.values, backgroundColor: colours[index % colours.length] };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        scales: {
          x: { beginAtZero: true, ticks: horizontal ? { precision: 0 } : {} },
          y: { beginAtZero: true, ticks: horizontal ? {} : { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  bar("chart-courses", data.courses.labels, [
    { label: text.trained, values: data.courses.trained },
    { label: text.completed, values: data.courses.completed }
  ], false);
  bar("chart-breakdown", data.breakdown.labels, [
    { label: text.enrolled, values: data.breakdown.enrolled },
    { label: text.trained, values: data.breakdown.trained }
  ], true);
  bar("chart-targets", data.targets.labels, [
    { label: text.target, values: data.targets.target },
    { label: text.trained, values: data.targets.trained }
  ], true);
})();
