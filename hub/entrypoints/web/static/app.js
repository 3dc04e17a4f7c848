// Dashboard panels: each <section class="panel" data-src=...> fetches its JSON, renders it and refreshes itself
// every data-refresh seconds, showing "更新于 HH:MM:SS" (or the error) in its own freshness indicator.
(function () {
  "use strict";
  var M = JSON.parse(document.getElementById("i18n").textContent);
  var REFRESH = (parseInt(document.body.dataset.refresh, 10) || 15) * 1000;
  function t(key) { return Object.prototype.hasOwnProperty.call(M, key) ? M[key] : key; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function hhmmss(d) { return d.toTimeString().slice(0, 8); }
  function label(col, v) {
    if (col === "delivered_at" && !v) return t("notices.queued");
    if (v === null || v === undefined) return "";
    if (typeof v === "boolean") return t(v ? "common.yes" : "common.no");
    if (Array.isArray(v)) return v.map(function (x) { return typeof x === "object" ? JSON.stringify(x) : label(col, x); }).join(" ");
    if (/region$/.test(col) || col === "region") return t("region." + v);
    if (col === "status" || col === "state") return t("status." + v);
    if (col === "stage") return t("stage." + v);
    if (col === "notice_type") return t("notice_type." + v);
    if (col === "tier") return t("tier." + v);
    if (col === "disaster_type") return t("dtype." + v) === "dtype." + v ? v : t("dtype." + v);
    if (col === "item") return t("item." + v) === "item." + v ? v : t("item." + v);
    if (col === "flags") return t("flag." + v) === "flag." + v ? v : t("flag." + v);
    if (/_fen$/.test(col)) return (v / 100).toFixed(2);  // display only; the API keeps integer fen
    return v;
  }
  function fill(tpl, row) { return tpl.replace(/\{(\w+)\}/g, function (_, k) { return encodeURIComponent(row[k]); }); }

  function table(body, rows, cols, link) {
    var tbl = el("table", { "class": "grid" }), head = el("tr");
    var linkCol = link ? (link.match(/\{(\w+)\}/g) || ["{}"]).pop().slice(1, -1) : null;
    cols.forEach(function (c) { head.appendChild(el("th", {}, t("col." + c))); });
    tbl.appendChild(el("thead")).appendChild(head);
    var tb = tbl.appendChild(el("tbody"));
    rows.forEach(function (r) {
      var tr = el("tr");
      cols.forEach(function (c) {
        var td = el("td", { "data-col": c, "class": typeof r[c] === "number" ? "num" : "" });
        if (c === linkCol) td.appendChild(el("a", { href: fill(link, r) }, label(c, r[c])));
        else td.textContent = label(c, r[c]);
        if (c === "overdue" && r[c]) tr.className = "overdue";
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
    body.appendChild(tbl);
    if (!rows.length) body.appendChild(el("p", { "class": "empty" }, t("common.none")));
  }

  var PEOPLE = ["events", "open_events", "affected_population", "deaths", "missing", "injured", "relocated_cumulative", "relocated_realtime"];
  var R = {
    table: function (body, data, p) {
      var rows = data.items || [];
      table(body, rows, p.dataset.columns.split(","), p.dataset.link);
      if (data.total !== undefined) body.appendChild(el("p", { "class": "count" }, t("common.total") + " " + data.total + (data.total_exact === false ? "+" : "")));
    },
    overview: function (body, data) {
      var rows = data.regions.concat([data.total]);
      var tbl = el("table", { "class": "grid", id: "overview-table" }), head = el("tr");
      head.appendChild(el("th", {}, t("col.region")));
      PEOPLE.forEach(function (k) { head.appendChild(el("th", {}, t("col." + k))); });
      tbl.appendChild(el("thead")).appendChild(head);
      var tb = tbl.appendChild(el("tbody"));
      rows.forEach(function (r) {
        var tr = el("tr", { "data-region": r.region });
        tr.appendChild(el("th", {}, t("region." + r.region)));
        PEOPLE.forEach(function (k) { tr.appendChild(el("td", { "class": "num", "data-k": k }, r[k])); });
        tb.appendChild(tr);
      });
      body.appendChild(tbl);
    },
    needs: function (body, data) {
      var tbl = el("table", { "class": "grid" }), head = el("tr");
      ["region", "item", "need", "available", "shortfall"].forEach(function (c) { head.appendChild(el("th", {}, t("col." + c))); });
      tbl.appendChild(el("thead")).appendChild(head);
      var tb = tbl.appendChild(el("tbody"));
      data.regions.concat([data.total]).forEach(function (r) {
        Object.keys(r.needs).sort().forEach(function (item) {
          var need = r.needs[item], have = r.stock[item] || 0, tr = el("tr", { "class": need > have ? "short" : "" });
          [t("region." + r.region), label("item", item), need, have, Math.max(need - have, 0)].forEach(function (v) { tr.appendChild(el("td", {}, v)); });
          tb.appendChild(tr);
        });
      });
      body.appendChild(tbl);
    },
    map: function (body, data, p) {
      var box = el("div", { "class": "map", id: "map-canvas" }); body.appendChild(box);
      var values = {}; data.counties.forEach(function (c) { values[c.code] = c.affected_population; });
      function draw(geo) {
        if (!window.echarts.getMap("jjj")) window.echarts.registerMap("jjj", geo);
        // regions are keyed by GB/T 2260 code (nameProperty): county names repeat across prefectures (桥西区 …)
        var names = {}, max = 1, series = [];
        geo.features.forEach(function (f) {
          var code = f.properties.code, v = values[code] || 0;
          if (names[code] === undefined) series.push({ name: code, value: v });
          names[code] = f.properties.name;
          max = Math.max(max, v);
        });
        var chart = window.echarts.init(box);
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (x) { return (names[x.name] || x.name) + " " + x.name + ": " + (x.value || 0); } },
          visualMap: { min: 0, max: max, left: "left", bottom: 10, text: [t("col.affected_population"), "0"], calculable: true,
                       inRange: { color: ["#f7f4e9", "#f4a259", "#bc4b51"] } },
          series: [{ type: "map", map: "jjj", nameProperty: "code", roam: true, data: series, label: { show: false } }]
        });
      }
      if (R._geo) draw(R._geo);
      else fetch(p.dataset.geo).then(function (r) { return r.json(); }).then(function (g) { R._geo = g; draw(g); });
    },
    event: function (body, e) {
      var dl = el("dl", { "class": "facts" });
      [["col.status", label("status", e.status)], ["col.stage", label("stage", e.stage)], ["col.revision", e.revision],
       ["col.disaster_type", label("disaster_type", e.disaster_type)], ["col.started_on", e.started_on], ["col.data_as_of", e.data_as_of]]
        .forEach(function (kv) { dl.appendChild(el("dt", {}, t(kv[0]))); dl.appendChild(el("dd", {}, kv[1])); });
      Object.keys(e.figures).sort().forEach(function (k) { dl.appendChild(el("dt", {}, t("fig." + k) === "fig." + k ? k : t("fig." + k))); dl.appendChild(el("dd", {}, e.figures[k])); });
      body.appendChild(dl);
    },
    timeline: function (body, e) {
      var ol = el("ol", { "class": "timeline", id: "timeline" });
      e.history.forEach(function (h) {
        ol.appendChild(el("li", {}, [h.data_as_of, label("stage", h.stage), "#" + h.revision, t("kind." + h.kind), h.message_id].join(" · ")));
      });
      body.appendChild(ol);
    },
    statement: function (body, st) {
      body.appendChild(el("p", { id: "live-status" }, t("col.status") + ": " + label("status", st.status)));
      var ul = el("ul", { id: "statement-events" });
      st.events.forEach(function (e) {
        ul.appendChild(el("li", {}, [e.at, t("event_kind." + e.kind), e.actor, e.reason || ""].filter(Boolean).join(" · ")));
      });
      if (!st.events.length) ul.appendChild(el("li", {}, t("common.none")));
      body.appendChild(ul);
    },
    ledger: function (body, data) {  // per-event cost ledger: who owes whom (pairs), then the goods lines
      body.appendChild(el("h3", {}, t("ledger.pairs")));
      table(body, data.pairs, ["event_ref", "payer_region", "payee_region", "goods_fen", "other_costs_fen", "total_fen",
                               "supplier_bears_fen", "in_transit_fen", "unvalued_lines"]);
      body.appendChild(el("h3", {}, t("ledger.lines")));
      table(body, data.items, ["event_ref", "supplier_region", "receiver_region", "item", "unit", "committed", "dispatched",
                               "received", "in_transit", "discrepancy", "unit_fen", "receiver_bears_fen",
                               "supplier_bears_fen", "flags"]);
      var tbls = body.querySelectorAll("table");
      tbls[0].id = "ledger-pairs"; tbls[1].id = "ledger-lines";
      body.appendChild(el("p", { "class": "count" }, t("ledger.note")));
    },
    counties: function (body, e) { table(body, e.counties, ["code", "affected_population", "deaths", "missing", "relocated_cumulative"]); },
    regions: function (body, data) {
      table(body, data.items.map(function (r) {
        return { region: r.region, last_heartbeat_at: r.last_heartbeat_at, outbox_depth: r.outbox_depth, stale: r.stale,
                 last_message_at: r.last_message_at, consumer_lag: r.consumer_lag, accepted: r.accepted, rejected: r.rejected,
                 rejections: Object.keys(r.rejections).map(function (c) { return c + "×" + r.rejections[c]; }).join(" "),
                 dead_letters: r.dead_letters };
      }), ["region", "last_heartbeat_at", "outbox_depth", "stale", "last_message_at", "consumer_lag", "accepted", "rejected", "rejections", "dead_letters"]);
    }
  };

  function load(p) {
    var fresh = p.querySelector("[data-fresh]"), body = p.querySelector("[data-body]");
    fresh.classList.add("busy");
    fetch(p.dataset.src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        body.textContent = "";
        R[p.dataset.render](body, data, p);
        var asOf = data.data_as_of ? " · " + t("fresh.data_as_of") + " " + data.data_as_of : "";
        fresh.textContent = t("fresh.updated") + " " + hhmmss(new Date()) + asOf;
        fresh.className = "fresh ok"; p.dataset.loaded = String(Date.now());
      })
      .catch(function (err) { fresh.textContent = t("fresh.failed") + " " + hhmmss(new Date()) + " (" + err.message + ")"; fresh.className = "fresh failed"; });
  }
  var panels = Array.prototype.slice.call(document.querySelectorAll(".panel[data-src]"));
  panels.forEach(load);
  if (panels.length) setInterval(function () { panels.forEach(load); }, REFRESH);
})();
