// The dashboard's charts: each <canvas data-chart="KEY"> is drawn from the JSON of its
// data-series attribute (labels and series, in the reader's language; the security policy
// allows no inline script). Every chart also has its table and a CSV download on the page.
(function () {
  "use strict";

  var COLOURS = ["#1d4e89", "#f2b01e", "#b42318", "#2e7d32", "#6b1d2f", "#5b6472", "#7b61ff", "#00838f"];

  function dataset(series, index, kind, count) {
    var colour = COLOURS[index % COLOURS.length];
    var set = {label: series.label, data: series.data, borderColor: colour, backgroundColor: colour};
    if (kind === "doughnut") {
      set.backgroundColor = series.data.map(function (_value, at) { return COLOURS[at % COLOURS.length]; });
    }
    if (kind === "line") { set.fill = false; set.tension = 0.2; set.pointRadius = count > 60 ? 0 : 2; }
    return set;
  }

  function draw(canvas) {
    if (!window.Chart) { return; }
    var data;
    try { data = JSON.parse(canvas.getAttribute("data-series") || ""); } catch (error) { return; }
    if (!data.labels.length) { canvas.parentNode.hidden = true; return; }
    var stacked = data.kind === "stacked";
    var kind = stacked ? "bar" : data.kind;
    var horizontal = kind === "bar" && data.labels.length > 6;
    var options = {responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: {legend: {display: data.series.length > 1 || kind === "doughnut"}}};
    if (kind !== "doughnut") {
      options.indexAxis = horizontal ? "y" : "x";
      options.scales = {x: {stacked: stacked}, y: {stacked: stacked, beginAtZero: true}};
    }
    new window.Chart(canvas, {
      type: kind,
      data: {labels: data.labels, datasets: data.series.map(function (series, index) {
        return dataset(series, index, kind, data.labels.length);
      })},
      options: options
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
