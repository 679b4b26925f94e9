/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID"> (see templates/includes/chart.html).
   Chart.js is served from static/vendor: the machines have no internet. */
(function () {
  "use strict";
  var PALETTE = ["#b3261e", "#1f6feb", "#2f9e44", "#f59f00", "#7048e8", "#0c8599", "#e8590c", "#868e96"];
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.font.family = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';
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
    var labelAxis = { stacked: spec.stacked };
    var chart = new Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
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
