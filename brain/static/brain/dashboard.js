/* 科创大脑 dashboard: draws the charts from the JSON the page embeds (#brain-charts).
 *
 * The numbers, titles and words all come from the page; this file only lays them out with
 * ECharts (served from our own static files, never a CDN). The 长春 map shapes are fetched
 * from our static files and registered under the name the page gives. Labels are drawn in the
 * page's web font (Noto Sans SC), loaded for exactly the characters the charts use before the
 * charts are drawn. Every chart has a table view in the page, so a failure here loses nothing.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var BLUE = "#0b57a4";
  var INK = "#1f2933";
  var MUTED = "#616e7c";
  var NO_DATA = "#e4e7eb";
  var HIDDEN = "#f5f7fa";
  var LINES = ["#0b57a4", "#b54708", "#067647", "#7a5af8", "#b42318"];

  function readData() {
    var el = document.getElementById("brain-charts");
    return el ? JSON.parse(el.textContent) : null;
  }

  function autoSubmit() {
    var form = document.querySelector("[data-brain-filters]");
    if (!form) return;
    var indicator = form.querySelector("[name=indicator]");
    var period = form.querySelector("[name=period]");
    if (indicator) {
      indicator.addEventListener("change", function () {
        if (period) period.disabled = true; // the new indicator's newest period
        form.submit();
      });
    }
    if (period) period.addEventListener("change", function () { form.submit(); });
  }

  function fallback(el, message) {
    if (!el) return;
    el.removeAttribute("role");
    el.style.height = "auto";
    el.innerHTML = "";
    var p = document.createElement("p");
    p.className = "chart-fallback";
    p.textContent = message;
    el.appendChild(p);
  }

  function fmt(value, decimals) {
    if (value === null || value === undefined) return null;
    return Number(value).toLocaleString("zh-CN", {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    });
  }

  function textOf(data) {
    // Every character a chart may draw, so the web font's subsets for them are loaded first.
    var parts = [JSON.stringify(data), "0123456789.,-—%（）()"];
    return parts.join("");
  }

  function loadFonts(text) {
    if (!document.fonts || !document.fonts.load) return Promise.resolve();
    var loads = ["400 12px", "700 12px"].map(function (f) {
      return document.fonts.load(f + ' "Noto Sans SC"', text).catch(function () {});
    });
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 4000); });
    return Promise.race([Promise.all(loads), timeout]);
  }

  function base() {
    return {
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      tooltip: { textStyle: { fontFamily: FONT } }
    };
  }

  function init(el) {
    var lang = (document.documentElement.lang || "zh").toLowerCase();
    var chart = window.echarts.init(el, null, {
      renderer: "svg", locale: lang.indexOf("zh") === 0 ? "ZH" : "EN"
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function done(el) { el.setAttribute("data-rendered", "1"); }

  // -- the map ----------------------------------------------------------------------------

  function drawMap(el, map, labels) {
    var ind = map.indicator;
    // The colour scale spans the drawn units' values (development zones are not drawn).
    var drawnValues = map.drawn.filter(function (r) { return r.state === "value"; })
      .map(function (r) { return r.value; });
    var min = drawnValues.length ? Math.min.apply(null, drawnValues) : 0;
    var top = drawnValues.length ? Math.max.apply(null, drawnValues) : 1;
    var max = top === min ? min + 1 : top; // one value: a scale of some width all the same
    var narrow = el.clientWidth < 520;
    var data = map.drawn.map(function (r) {
      var item = { name: r.name, value: r.value === null ? NaN : r.value, state: r.state };
      if (r.state === "hidden") {
        item.itemStyle = {
          areaColor: HIDDEN,
          decal: {
            symbol: "rect", symbolSize: 1, color: "rgba(82, 96, 109, .22)",
            dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4
          }
        };
        item.label = { color: MUTED };
      }
      return item;
    });
    var option = base();
    option.tooltip = {
      trigger: "item",
      textStyle: { fontFamily: FONT },
      formatter: function (p) {
        var state = p.data && p.data.state;
        if (state === "hidden") return p.name + "：" + labels.hidden;
        if (state !== "value") return p.name + "：" + labels.noData;
        return p.name + "：" + fmt(p.value, ind.decimals) + " " + ind.unit;
      }
    };
    if (drawnValues.length) option.visualMap = {
      type: "continuous",
      min: min,
      max: max,
      text: [
        labels.high + " " + fmt(top, ind.decimals) + ind.unit,
        labels.low + " " + fmt(min, ind.decimals) + ind.unit
      ],
      orient: "horizontal",
      left: 0,
      bottom: 0,
      itemWidth: 12,
      itemHeight: narrow ? 110 : 150,
      calculable: false,
      seriesIndex: 0,
      textStyle: { fontFamily: FONT, color: MUTED, fontSize: 12 },
      inRange: { color: ["#d6e6f7", "#5b9bd5", "#083f77"] },
      outOfRange: { color: NO_DATA },
      formatter: function (v) { return fmt(v, ind.decimals); }
    };
    option.series = [{
      type: "map",
      map: map.map,
      roam: false,
      layoutCenter: ["50%", "46%"],
      layoutSize: narrow ? "96%" : "92%",
      aspectScale: 0.82,
      selectedMode: false,
      itemStyle: { areaColor: NO_DATA, borderColor: "#ffffff", borderWidth: 1 },
      emphasis: { itemStyle: { areaColor: "#fdb022" }, label: { color: INK } },
      label: {
        show: true,
        fontFamily: FONT,
        fontSize: narrow ? 10 : 12,
        color: INK,
        textBorderColor: "rgba(255,255,255,.85)",
        textBorderWidth: 2
      },
      labelLayout: { hideOverlap: true },
      data: data
    }];
    var chart = init(el);
    chart.setOption(option);
    done(el);
  }

  // -- the ranking ------------------------------------------------------------------------

  function drawRanking(el, ranking) {
    var ind = ranking.indicator;
    var rows = ranking.rows;
    var option = base();
    option.grid = { left: 8, right: 64, top: 24, bottom: 8, containLabel: true };
    option.tooltip = {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      textStyle: { fontFamily: FONT },
      formatter: function (ps) {
        var p = ps[0];
        return p.name + "：" + fmt(p.value, ind.decimals) + " " + ind.unit;
      }
    };
    option.xAxis = {
      type: "value",
      name: ind.unit,
      nameTextStyle: { fontFamily: FONT, color: MUTED },
      axisLabel: { fontFamily: FONT, color: MUTED, hideOverlap: true },
      splitLine: { lineStyle: { color: "#e4e7eb" } }
    };
    option.yAxis = {
      type: "category",
      inverse: true,
      data: rows.map(function (r) { return r.name; }),
      axisLabel: {
        fontFamily: FONT, color: INK, fontSize: 12,
        width: Math.round(Math.min(180, el.clientWidth * 0.4)), overflow: "truncate"
      },
      axisTick: { show: false }
    };
    option.series = [{
      type: "bar",
      barMaxWidth: 18,
      itemStyle: { color: BLUE },
      label: {
        show: true,
        position: "right",
        fontFamily: FONT,
        color: INK,
        formatter: function (p) { return fmt(p.value, ind.decimals); }
      },
      data: rows.map(function (r) { return r.value; })
    }];
    el.style.height = Math.max(240, rows.length * 26 + 60) + "px";
    var chart = init(el);
    chart.setOption(option);
    done(el);
  }

  // -- the trend --------------------------------------------------------------------------

  function drawTrend(el, trend) {
    var ind = trend.indicator;
    var option = base();
    option.color = LINES;
    option.legend = {
      top: 0,
      left: 0,
      textStyle: { fontFamily: FONT, color: INK },
      data: trend.series.map(function (s) { return s.name; })
    };
    // The legend may wrap on a phone: leave it room above the axis name.
    var narrow = el.clientWidth < 520;
    var legendRows = narrow ? Math.ceil(trend.series.length / 3) : 1;
    option.grid = {
      left: 8, right: trend.axes.length > 1 ? 16 : 24,
      top: 34 + legendRows * 24, bottom: 8, containLabel: true
    };
    option.tooltip = {
      trigger: "axis",
      textStyle: { fontFamily: FONT },
      valueFormatter: function (v) { return v === null || v === undefined ? "—" : fmt(v, ind.decimals); }
    };
    option.xAxis = {
      type: "category",
      boundaryGap: false,
      data: trend.categories,
      axisLabel: { fontFamily: FONT, color: MUTED }
    };
    option.yAxis = trend.axes.map(function (a, i) {
      return {
        type: a.log ? "log" : "value",
        name: a.name,
        position: i === 0 ? "left" : "right",
        scale: !a.log,
        nameTextStyle: { fontFamily: FONT, color: MUTED, align: i === 0 ? "left" : "right" },
        axisLabel: { fontFamily: FONT, color: MUTED },
        splitLine: { show: i === 0, lineStyle: { color: "#e4e7eb" } }
      };
    });
    option.series = trend.series.map(function (s) {
      var target = s.kind === "target";
      var actual = s.kind === "actual";
      return {
        name: s.name,
        type: "line",
        yAxisIndex: s.axis,
        connectNulls: !actual,
        symbol: target ? "none" : "circle",
        symbolSize: actual ? 7 : 5,
        lineStyle: { width: actual ? 3 : 2, type: target ? "dashed" : "solid" },
        z: actual ? 3 : 2,
        data: s.values
      };
    });
    var chart = init(el);
    chart.setOption(option);
    done(el);
  }

  // -- the funnel -------------------------------------------------------------------------

  function drawFunnel(el, funnel, labels) {
    var total = funnel.stages.reduce(function (n, s) { return n + s.value; }, 0);
    if (!total) {
      fallback(el, labels.noFunnel);
      return;
    }
    var narrow = el.clientWidth < 520;
    var top = funnel.stages[0].value || 1;
    var option = base();
    option.color = ["#083f77", "#0b57a4", "#2f74c0", "#5b9bd5", "#84b4e3", "#a9cbee", "#cfe1f5"];
    option.tooltip = {
      trigger: "item",
      textStyle: { fontFamily: FONT },
      formatter: function (p) { return p.name + "：" + p.value + " " + funnel.unit; }
    };
    option.series = [{
      type: "funnel",
      sort: "none",
      left: narrow ? "2%" : "4%",
      right: narrow ? "40%" : "36%",
      top: 8,
      bottom: 8,
      min: 0,
      max: top,
      minSize: "6%",
      gap: 2,
      label: {
        show: true,
        position: "right",
        fontFamily: FONT,
        color: INK,
        fontSize: narrow ? 11 : 12,
        formatter: function (p) { return p.name + "  " + p.value; }
      },
      labelLine: { show: true, lineStyle: { color: "#9aa5b1" } },
      itemStyle: { borderColor: "#fff", borderWidth: 1 },
      data: funnel.stages.map(function (s) { return { name: s.name, value: s.value }; })
    }];
    var chart = init(el);
    chart.setOption(option);
    done(el);
  }

  // -- start ------------------------------------------------------------------------------

  function start() {
    autoSubmit();
    var data = readData();
    if (!data) return;
    var labels = data.labels || {};
    var els = {
      map: document.getElementById("chart-map"),
      ranking: document.getElementById("chart-ranking"),
      trend: document.getElementById("chart-trend"),
      funnel: document.getElementById("chart-funnel")
    };
    if (!window.echarts) {
      Object.keys(els).forEach(function (k) { fallback(els[k], labels.chartsMissing); });
      return;
    }
    var script = document.getElementById("brain-dashboard-script");
    var mapUrl = script && script.getAttribute("data-map-url");
    var shapes = !els.map || !data.map ? Promise.resolve(null) : fetch(mapUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (geo) { window.echarts.registerMap(data.map.map, geo); return true; })
      .catch(function () { return false; });

    Promise.all([loadFonts(textOf(data)), shapes]).then(function (results) {
      var draws = [
        function () {
          if (!els.map || !data.map) return;
          if (results[1]) drawMap(els.map, data.map, labels);
          else fallback(els.map, labels.mapMissing);
        },
        function () { if (els.ranking && data.ranking) drawRanking(els.ranking, data.ranking); },
        function () { if (els.trend && data.trend) drawTrend(els.trend, data.trend); },
        function () { if (els.funnel && data.funnel) drawFunnel(els.funnel, data.funnel, labels); }
      ];
      draws.forEach(function (draw) {
        try { draw(); } catch (e) { if (window.console) console.error(e); }
      });
      document.documentElement.setAttribute("data-brain-charts", "ready");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
