// The dashboard: picking a year drops a date range (so the year applies at once), and the charts
// are drawn from the JSON block #dashboard-charts with the vendored Chart.js. Each chart's numbers
// are also in a table under it, so nothing here is needed to read them.
(function () {
  "use strict";

  var year = document.querySelector("[data-dash-year]");
  if (year) {
    year.addEventListener("change", function () {
      if (!year.value) return; // "按起止日期": wait for the dates
      document.querySelectorAll("[data-dash-date]").forEach(function (input) { input.value = ""; });
      year.form.submit();
    });
  }
  var town = document.getElementById("dash-town");
  if (town) {
    town.addEventListener("change", function () { town.form.submit(); });
  }

  // The charts come in a second request (/dashboard/charts?part=1), so the figures and what is due
  // show at once; without JavaScript the section links to the charts' own page.
  var holder = document.getElementById("dash-charts");
  if (!holder || typeof window.Chart === "undefined") return;
  var Chart = window.Chart;

  // Okabe–Ito colours: told apart with colour blindness, and at three clearly different greys
  // when printed in black and white (dark blue, light orange, mid green).
  var PALETTE = [
    { line: "#0b4f8a", fill: "rgba(11, 79, 138, 0.85)", dash: [], point: "circle" },
    { line: "#c77800", fill: "rgba(230, 159, 0, 0.85)", dash: [6, 4], point: "rectRot" },
    { line: "#007a5a", fill: "rgba(0, 158, 115, 0.8)", dash: [2, 3], point: "triangle" },
    { line: "#b3450b", fill: "rgba(213, 94, 0, 0.8)", dash: [8, 3, 2, 3], point: "rect" }
  ];
  // On a line chart a series this many times smaller than the largest gets an axis of its own, or
  // it would lie flat along zero (参演 tens of thousands a month, 参训 hundreds). Bars keep one
  // axis: two scales under one set of bars would be misread, and short bars still show.
  var OWN_AXIS = 5;

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#343a40";
  Chart.defaults.locale = "zh-CN";

  function bare(label) { return label.replace(/（[^）]*）$/, ""); }
  function peak(dataset) { return Math.max.apply(null, [0].concat(dataset.data)); }
  function amount(value, unit) { return Number(value).toLocaleString("zh-CN") + " " + unit; }

  // Which series go on the second axis: those far smaller than the largest (never the largest).
  function secondary(chart) {
    if (chart.kind !== "line") return chart.datasets.map(function () { return false; });
    var top = Math.max.apply(null, chart.datasets.map(peak));
    return chart.datasets.map(function (d) { var p = peak(d); return top > 0 && p * OWN_AXIS < top; });
  }

  function axisTitle(chart, split, onSecond) {
    var names = chart.datasets.filter(function (d, i) { return split[i] === onSecond; })
      .map(function (d) {
        var name = bare(d.label);
        return name.slice(-d.unit.length) === d.unit ? name : name + "（" + d.unit + "）";
      });
    return names.join("、");
  }

  function draw(canvas, chart) {
    var horizontal = chart.kind === "hbar";
    var split = secondary(chart);
    var twoAxes = split.some(Boolean);
    var value = horizontal ? "x" : "y";
    var datasets = chart.datasets.map(function (d, i) {
      var colour = PALETTE[i % PALETTE.length];
      var set = { label: d.label, data: d.data, unit: d.unit, borderColor: colour.line, backgroundColor: colour.fill };
      if (chart.kind === "line") {
        set.backgroundColor = colour.line;
        set.borderDash = colour.dash;
        set.pointStyle = colour.point;
        set.pointRadius = 3;
        set.borderWidth = 2;
        set.tension = 0;
      } else {
        set.borderWidth = 1;
        set.maxBarThickness = 28;
      }
      if (twoAxes) set[value + "AxisID"] = split[i] ? value + "2" : value;
      return set;
    });
    var scales = {};
    scales[value] = { beginAtZero: true, ticks: { precision: 0 },
                      title: { display: twoAxes, text: axisTitle(chart, split, false) } };
    if (twoAxes) {
      scales[value + "2"] = { beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false },
                              position: horizontal ? "top" : "right",
                              title: { display: true, text: axisTitle(chart, split, true) } };
    }
    scales[horizontal ? "y" : "x"] = { grid: { display: false },
                                       ticks: horizontal ? { autoSkip: false } : { autoSkip: true, maxRotation: 0 } };
    return new Chart(canvas, {
      type: chart.kind === "line" ? "line" : "bar",
      data: { labels: chart.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: chart.kind === "line", boxWidth: 14 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return bare(ctx.dataset.label) + "：" + amount(ctx.parsed[value], ctx.dataset.unit);
              }
            }
          }
        }
      }
    });
  }

  var drawn = [];
  function drawAll() {
    var source = document.getElementById("dashboard-charts");
    if (!source) return;
    JSON.parse(source.textContent).forEach(function (chart) {
      var canvas = holder.querySelector('canvas[data-chart="' + chart.key + '"]');
      if (canvas) drawn.push(draw(canvas, chart));
    });
  }
  if (holder.dataset.src) {
    fetch(holder.dataset.src, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        holder.innerHTML = html; // our own template's output; its JSON block is data, never run
        holder.removeAttribute("data-src");
        drawAll();
      })
      .catch(function () {
        holder.insertAdjacentHTML("afterbegin", '<p class="text-danger small">图表加载失败，请点击下方链接查看。</p>');
      });
  } else {
    drawAll();
  }
  // Printing lays the page out narrower: redraw the charts to the printed width.
  window.addEventListener("beforeprint", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
