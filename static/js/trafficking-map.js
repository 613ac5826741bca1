// The trafficking map: Mexican state outlines from the project's own data (no tile server),
// seizures and scenes per municipality and US origin points as circles sized by count, and
// the routes from each origin to each seizure place as lines whose width follows the traces.
// Data come from the page (the map's data-layers attribute: the security policy allows no
// inline script); clicking a point lists its cases in the user's scope.
(function () {
  "use strict";

  var COLOURS = {seizure: "#1d4e89", scene: "#b42318", origin: "#2e7d32", corridor: "#f2b01e"};

  function slug(text) { return String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-"); }

  function radius(count, largest) { return 4 + 14 * Math.sqrt(count / Math.max(largest, 1)); }

  function showCases(el, point) {
    var panel = document.getElementById("map-cases");
    var params = new URLSearchParams({kind: point.kind});
    if (point.kind === "origin") { params.set("us_state", point.us_state); params.set("city", point.city); }
    else { params.set("state", point.state); params.set("municipality", point.municipality); }
    var base = el.getAttribute("data-cases-url");
    var url = base + (base.indexOf("?") === -1 ? "?" : "&") + params.toString();
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (found) {
        panel.hidden = false;
        panel.querySelector("[data-cases-title]").textContent =
          el.getAttribute("data-cases-label") + ": " + (found.title || point.label);
        var list = panel.querySelector("[data-cases-list]");
        list.textContent = "";
        (found.items || []).forEach(function (item) {
          var entry = document.createElement("li");
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.reference;
          entry.appendChild(link);
          entry.appendChild(document.createTextNode(" — " + item.title));
          list.appendChild(entry);
        });
        if (!list.children.length) {
          var none = document.createElement("li");
          none.textContent = el.getAttribute("data-none-label");
          list.appendChild(none);
        }
      });
  }

  function circles(map, el, points, kind, bounds) {
    var largest = points.reduce(function (most, point) { return Math.max(most, point.count); }, 0);
    points.forEach(function (point) {
      var shape = L.circleMarker([point.lat, point.lon], {
        radius: radius(point.count, largest), color: COLOURS[kind], weight: 1.5, fillColor: COLOURS[kind],
        fillOpacity: 0.55, className: "map-point map-point--" + kind
      }).bindTooltip(point.label + " · " + point.count).addTo(map);
      shape.on("click", function () { showCases(el, point); });
      bounds.push([point.lat, point.lon]);
    });
  }

  function draw(el) {
    if (!window.L) { return; }
    var layers = {};
    try { layers = JSON.parse(el.getAttribute("data-layers") || "{}"); } catch (error) { layers = {}; }
    var map = L.map(el, {zoomSnap: 0.5, zoomControl: false});
    L.control.zoom({zoomInTitle: el.getAttribute("data-zoom-in") || "+",
                    zoomOutTitle: el.getAttribute("data-zoom-out") || "-"}).addTo(map);
    map.attributionControl.setPrefix(false);
    map.setView([27, -104], 4.5);
    var bounds = [];
    var corridors = layers.corridors || [];
    var heaviest = corridors.reduce(function (most, line) { return Math.max(most, line.count); }, 0);
    var drawn = 0;
    corridors.forEach(function (line) {
      L.polyline([[line.from.lat, line.from.lon], [line.to.lat, line.to.lon]], {
        color: COLOURS.corridor, opacity: 0.75, weight: 1 + 9 * line.count / Math.max(heaviest, 1),
        // A class naming the route (origin city, seizure municipality), for whoever reads the map's markup.
        className: "map-corridor map-corridor--" + slug(line.from.us_state + "-" + line.from.city) + "--" +
          line.to.state + line.to.municipality
      }).bindTooltip(line.label + " · " + line.count).addTo(map);
      drawn += 1;
    });
    el.setAttribute("data-corridors-drawn", String(drawn));
    circles(map, el, layers.seizures || [], "seizure", bounds);
    circles(map, el, layers.scenes || [], "scene", bounds);
    circles(map, el, layers.origins || [], "origin", bounds);
    if (bounds.length) { map.fitBounds(bounds, {padding: [16, 16], maxZoom: 8}); }
    fetch(el.getAttribute("data-outlines"), {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (outlines) {
        L.geoJSON(outlines, {interactive: false, style: function () {
          return {color: "#5b6472", weight: 0.8, fillColor: "#ffffff", fillOpacity: 0.9};
        }}).addTo(map).bringToBack();
      })
      .catch(function () { return null; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-trafficking-map]").forEach(draw);
  });
})();
