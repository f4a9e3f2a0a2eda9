// The dashboard's charts, drawn with uPlot (loaded before this file, on the dashboard only). Each <figure
// data-chart="bars|lines"> carries its figures as JSON in data-labels (the x axis: priorities, services or weeks) and
// data-series ([{label, values}], a null value is a gap); the chart goes into its .chart-canvas. The same figures are
// in the table after each chart, which is what the page is without script and what a screen reader reads (the
// canvas is aria-hidden). No inline script or style anywhere: uPlot sizes its canvas itself.
(function () {
  "use strict";

  var colours = ["#0b5cad", "#c4550e", "#1a7f37", "#9a6700"];

  function draw(figure) {
    var canvas = figure.querySelector(".chart-canvas");
    if (!canvas || typeof uPlot === "undefined") { return; }
    var labels = JSON.parse(figure.getAttribute("data-labels") || "[]");
    var series = JSON.parse(figure.getAttribute("data-series") || "[]");
    if (labels.length === 0) { return; }
    var bars = figure.getAttribute("data-chart") === "bars";
    var xs = labels.map(function (_, i) { return i; });
    // Roughly how wide the longest label is drawn (uPlot's axis font is about 7 px a character), with a gap.
    var labelWidth = 16 + 7 * Math.max.apply(null, labels.map(function (l) { return String(l).length; }));
    var data = [xs].concat(series.map(function (s) { return s.values; }));
    var options = {
      width: Math.max(240, canvas.clientWidth || figure.clientWidth || 320),
      height: 220,
      legend: { show: series.length > 1 },
      cursor: { show: true, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, labels.length - 0.5] },
        y: { range: function (_, min, max) { return [0, Math.max(1, max || 0) * 1.1]; } }
      },
      axes: [
        {
          // Every label while they fit side by side, else every second, third ... one (a phone has room for about
          // three weeks' dates): the table below the chart has them all.
          values: function (u, ticks) {
            var every = Math.max(1, Math.ceil(labels.length * labelWidth / Math.max(1, u.width)));
            return ticks.map(function (t) { return Number.isInteger(t) && labels[t] !== undefined && t % every === 0 ? labels[t] : ""; });
          },
          splits: function () { return xs; }
        },
        {}
      ],
      series: [{ label: "" }].concat(series.map(function (s, i) {
        var one = { label: s.label, stroke: colours[i % colours.length], spanGaps: false, points: { show: true } };
        if (bars) {
          one.fill = colours[i % colours.length];
          one.paths = uPlot.paths.bars({ size: [0.6, 64] });
          one.points = { show: false };
        }
        return one;
      }))
    };
    canvas.textContent = "";
    plots.push({ plot: new uPlot(options, data, canvas), canvas: canvas });
  }

  // uPlot draws at a fixed width: when the window's width changes (a phone turned, a window resized), each chart is
  // resized to its figure again, once a frame at most.
  var plots = [];
  var fitting = false;

  function fitAll() {
    fitting = false;
    plots.forEach(function (one) {
      var width = Math.max(240, one.canvas.clientWidth || 320);
      if (width !== one.plot.width) { one.plot.setSize({ width: width, height: one.plot.height }); }
    });
  }

  function drawAll() {
    document.querySelectorAll("figure[data-chart]").forEach(draw);
    window.addEventListener("resize", function () {
      if (!fitting) { fitting = true; window.requestAnimationFrame(fitAll); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
