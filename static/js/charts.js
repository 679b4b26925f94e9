/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID"> (see templates/includes/chart.html).
   Chart.js is served from static/vendor: the machines have no internet. */
(function () {
  "use strict";
  var PALETTE = ["#b3261e", "#1f6feb", "#2f9e44", "#f59f00", "#7048e8", "#0c8599", "#e8590c", "#868e96"];
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.font.family = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';
  var LINE_PX = 15;  // one line of a tick label at the default 12px font

  // A long label (a milestone's name) as lines of at most `width` characters, so the axis shows all of
  // it instead of cutting it off or skipping it.
  function wrap(label, width) {
    if (typeof label !== "string" || label.length <= width) { return label; }
    var lines = [];
    for (var i = 0; i < label.length; i += width) { lines.push(label.slice(i, i + width)); }
    return lines;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (s, i) {
      var colour = (spec.colors && spec.colors[i]) || PALETTE[i % PALETTE.length];
      return { label: s.label, data: s.values, backgroundColor: colour, borderColor: colour, fill: false };
    });
    var valueAxis = { beginAtZero: true, stacked: spec.stacked,
                      ticks: { precision: spec.integer ? 0 : undefined },
                      title: { display: !!spec.unit, text: spec.unit } };
    var labels = spec.labels;
    var labelAxis = { stacked: spec.stacked, ticks: { autoSkip: false } };
    if (spec.horizontal) {
      // Labels on the left: wrap them to a third of the width and give every label room for its lines.
      var width = Math.max(6, Math.floor(canvas.parentNode.clientWidth / 3 / 13));
      labels = spec.labels.map(function (l) { return wrap(l, width); });
      var lines = labels.reduce(function (n, l) { return n + (Array.isArray(l) ? l.length : 1) + 0.6; }, 0);
      var needed = Math.ceil(lines * LINE_PX + 90);
      if (needed > canvas.parentNode.clientHeight) { canvas.parentNode.style.height = needed + "px"; }
    } else {
      labelAxis.ticks.maxRotation = 60;
    }
    var chart = new Chart(canvas, {
      type: spec.kind,
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-drawn", String(chart.data.datasets.length));
  });
})();
