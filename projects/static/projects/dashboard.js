/* 领导驾驶舱: draws the charts from the figures the page embeds (#cockpit-data), with the vendored ECharts. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("cockpit-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var c = data.colours;
    var charts = [];
    var percent = { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); },
                    axisLabel: { formatter: "{value}%" } };
    var options = {
      lights: {
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: ["红灯", "黄灯", "绿灯"] },
        grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "category", data: data.lights.departments, axisLabel: { interval: 0, rotate: data.lights.departments.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1, name: "项目数" },
        series: [
          { name: "红灯", type: "bar", stack: "l", data: data.lights.red, itemStyle: { color: c.red } },
          { name: "黄灯", type: "bar", stack: "l", data: data.lights.yellow, itemStyle: { color: c.yellow } },
          { name: "绿灯", type: "bar", stack: "l", data: data.lights.green, itemStyle: { color: c.green } }
        ]
      },
      investment: {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "无计划" : v + "%"; } },
        grid: { left: 8, right: 48, bottom: 8, top: 24, containLabel: true },
        xAxis: { type: "category", data: data.investment.groups, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: percent,
        series: [{
          name: "投资完成率", type: "bar", data: data.investment.completion_rate,
          itemStyle: { color: function (p) { return p.value >= data.investment.time_progress ? c.green : c.yellow; } },
          label: { show: true, position: "top", formatter: function (p) { return p.value == null ? "" : p.value + "%"; } },
          markLine: { symbol: "none", lineStyle: { color: c.red, type: "dashed" },
                      label: { formatter: "时序进度 {c}%", position: "insideEndTop" },
                      data: [{ yAxis: data.investment.time_progress }] }
        }]
      },
      start_rate: {
        series: [{
          type: "gauge", min: 0, max: 100, radius: "95%", center: ["50%", "60%"], startAngle: 200, endAngle: -20,
          progress: { show: true, width: 14, itemStyle: { color: c.green } },
          axisLine: { lineStyle: { width: 14 } }, pointer: { show: false }, splitLine: { show: false },
          axisTick: { show: false }, axisLabel: { distance: 18, fontSize: 10 },
          detail: { valueAnimation: false, formatter: function (v) { return data.start_rate == null ? "—" : v + "%"; },
                    fontSize: 24, offsetCenter: [0, "10%"] },
          title: { offsetCenter: [0, "45%"] },
          data: [{ value: data.start_rate == null ? 0 : data.start_rate, name: "开工率" }]
        }]
      },
      batches: {
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: ["项目数", "已完成"] },
        grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "category", data: data.batches.rounds, axisLabel: { interval: 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "项目数", type: "bar", data: data.batches.count, itemStyle: { color: "#8ab4f8" } },
          { name: "已完成", type: "bar", data: data.batches.achieved, itemStyle: { color: c.green } }
        ]
      },
      targets: {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "无数据" : v + "%"; } },
        legend: { top: 0, data: ["完成率", "时序进度"] },
        grid: { left: 8, right: 40, bottom: 8, top: 32, containLabel: true },
        yAxis: { type: "category", inverse: true, data: data.targets.names },
        xAxis: percent,
        series: [
          { name: "完成率", type: "bar", data: data.targets.rate.map(function (v, i) {
              return { value: v, itemStyle: { color: data.targets.colour[i] } }; }),
            label: { show: true, position: "right", formatter: function (p) { return p.value == null ? "无数据" : p.value + "%"; } } },
          { name: "时序进度", type: "scatter", symbol: "rect", symbolSize: [4, 18], data: data.targets.time_progress,
            itemStyle: { color: "#333" } }
        ]
      },
      visits: {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "无在建项目" : v + "%"; } },
        grid: { left: 8, right: 16, bottom: 8, top: 16, containLabel: true },
        xAxis: { type: "category", data: data.visits.officials, axisLabel: { interval: 0 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: [{ name: "调研合规率", type: "bar", data: data.visits.compliance_rate.map(function (v) {
          return { value: v, itemStyle: { color: v === 100 ? c.green : (v >= 60 ? c.yellow : c.red) } }; }) }]
      }
    };
    options.scores = {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "无在推进项目" : v + " 分"; } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 40, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", boundaryGap: false, data: data.scores.weeks },
      yAxis: { type: "value", min: 0, max: 100, name: "得分" },
      series: data.scores.series.map(function (department) {
        return { name: department.name, type: "line", data: department.data, symbolSize: 6 };
      })
    };
    options.funnel = {
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      series: [{ type: "funnel", left: "10%", width: "80%", top: 8, bottom: 8, sort: "none", minSize: "20%",
                 label: { show: true, position: "inside", formatter: "{b} {c}" },
                 data: data.funnel }]
    };
    // A chart whose figures are all missing says so, and draws no series under the message.
    function noData(values, message) {
      return values.every(function (v) { return v == null; }) ?
        { title: { text: message, left: "center", top: "middle", textStyle: { fontSize: 13, color: "#888", fontWeight: "normal" } },
          series: [] } : {};
    }
    Object.assign(options.investment, noData(data.investment.completion_rate, "暂无年度计划投资数据"));
    Object.assign(options.visits, noData(data.visits.compliance_rate, "暂无在建项目"));
    Object.assign(options.funnel, noData(data.funnel.map(function (step) { return step.value || null; }), "本年度暂无招商引资线索"));
    var scores = [null];
    data.scores.series.forEach(function (department) { scores = scores.concat(department.data); });
    Object.assign(options.scores, noData(scores, "暂无考核得分"));
    Object.assign(options.targets, noData(data.targets.rate.length ? data.targets.rate : [null], "暂无目标任务数据"));
    document.querySelectorAll("#cockpit [data-chart]").forEach(function (element) {
      var option = options[element.getAttribute("data-chart")];
      if (!option) { return; }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(Object.assign({ animation: false }, option));
      charts.push(chart);
    });
    function resize() { charts.forEach(function (chart) { chart.resize(); }); }
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
