/* 产业链导航: draws the chain tree from the JSON the page embeds (#brain-chain-graph).
 *
 * Root → chains → nodes; a node's size follows its local enterprises and weak nodes are red.
 * Clicking a chain or a node opens its page. Names and words all come from the page; ECharts is
 * served from our own static files. The same numbers are in the page's table view, so a
 * failure here loses nothing.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var BLUE = "#0b57a4";
  var WEAK = "#b42318";
  var INK = "#1f2933";

  function fallback(el, message) {
    el.removeAttribute("role");
    el.style.height = "auto";
    el.innerHTML = "";
    var p = document.createElement("p");
    p.className = "chart-fallback";
    p.textContent = message;
    el.appendChild(p);
  }

  function size(value) {
    return Math.min(40, 8 + Math.sqrt(value || 0) * 5);
  }

  function decorate(item, depth) {
    var out = {
      name: item.name,
      value: item.value,
      url: item.url,
      weak: item.weak,
      rules: item.rules || "",
      symbolSize: depth === 0 ? 16 : size(item.value),
      itemStyle: {
        color: item.weak ? WEAK : (depth < 2 ? "#ffffff" : BLUE),
        borderColor: item.weak ? WEAK : BLUE,
        borderWidth: 2
      },
      label: { color: item.weak ? WEAK : INK, fontWeight: item.weak ? "bold" : "normal" }
    };
    if (item.children) {
      out.children = item.children.map(function (c) { return decorate(c, depth + 1); });
    }
    return out;
  }

  function draw(el, data) {
    var labels = data.labels || {};
    var narrow = el.clientWidth < 520;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      tooltip: {
        trigger: "item",
        textStyle: { fontFamily: FONT },
        formatter: function (p) {
          var d = p.data || {};
          var text = p.name + "<br>" + labels.enterprises + "：" + (d.value || 0);
          if (d.weak) text += "<br>" + labels.weak + "：" + d.rules;
          return text;
        }
      },
      series: [{
        type: "tree",
        data: [decorate(data.tree, 0)],
        orient: narrow ? "TB" : "LR",
        top: narrow ? 24 : 12,
        bottom: narrow ? 90 : 12,
        left: narrow ? 12 : 90,
        right: narrow ? 12 : 120,
        initialTreeDepth: -1,
        expandAndCollapse: false,
        roam: narrow,
        label: {
          position: narrow ? "top" : "left",
          verticalAlign: "middle",
          fontFamily: FONT,
          fontSize: 12
        },
        leaves: {
          label: {
            position: narrow ? "bottom" : "right",
            rotate: narrow ? -90 : 0,
            align: narrow ? "left" : "left",
            verticalAlign: "middle"
          }
        },
        lineStyle: { color: "#9aa5b1", width: 1 }
      }]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.url) window.location.href = p.data.url;
    });
    el.setAttribute("data-rendered", "1");
  }

  function start() {
    var script = document.getElementById("brain-chain-graph");
    var el = document.getElementById("chain-graph");
    if (!script || !el) return;
    var data = JSON.parse(script.textContent);
    if (!window.echarts) {
      fallback(el, (data.labels || {}).chartsMissing || "");
      return;
    }
    try { draw(el, data); } catch (e) { if (window.console) console.error(e); }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
