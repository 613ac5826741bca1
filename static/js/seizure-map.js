// The seizure map: Mexican state outlines from the project's own data, the
// seizure's state highlighted and a marker at its coordinates (or, on a case's map,
// the places of its seizures and scenes, each kind in its own colour). Optional tiles
// come from configuration (data-tiles); without them no outside server is used.
(function () {
  "use strict";

  function number(el, name) {
    var value = el.getAttribute(name);
    return value === null || value === "" ? null : parseFloat(value);
  }

  function draw(el) {
    if (!window.L) { return; }
    var lat = number(el, "data-lat");
    var lon = number(el, "data-lon");
    var state = el.getAttribute("data-state");
    // Leaflet's own control and marker texts are English: the page passes them in the
    // reader's language (data attributes: the security policy allows no inline script).
    var map = L.map(el, {zoomSnap: 0.5, attributionControl: true, zoomControl: false});
    L.control.zoom({
      zoomInTitle: el.getAttribute("data-zoom-in") || "+",
      zoomOutTitle: el.getAttribute("data-zoom-out") || "-"
    }).addTo(map);
    map.attributionControl.setPrefix(false);
    map.setView([23.6, -102.5], 5);
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {maxZoom: 18, attribution: el.getAttribute("data-tiles-attribution") || ""}).addTo(map);
    }
    var marker = null;
    if (lat !== null && lon !== null) {
      var label = el.getAttribute("data-marker-label") || "";
      marker = L.marker([lat, lon], {title: label, alt: label, keyboard: true}).addTo(map);
    }
    // A case map: several places, each of a kind (a seizure, a scene) drawn in its own colour;
    // the page writes each place's label in the reader's language.
    var points = [];
    try { points = JSON.parse(el.getAttribute("data-points") || "[]"); } catch (error) { points = []; }
    var placed = points.map(function (point) {
      var colour = point.kind === "scene" ? "#b42318" : "#1d4e89";
      return L.circleMarker([point.lat, point.lon], {radius: 8, color: colour, weight: 2, fillColor: colour,
                                                     fillOpacity: 0.6})
        .bindTooltip(point.label).addTo(map);
    });
    fetch(el.getAttribute("data-outlines"), {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (outlines) {
        var chosen = null;
        var layer = L.geoJSON(outlines, {
          interactive: false,
          style: function (feature) {
            var mine = feature.properties.state_code === state;
            return {color: mine ? "#6b1d2f" : "#5b6472", weight: mine ? 2.5 : 0.8,
                    fillColor: mine ? "#f2b01e" : "#ffffff", fillOpacity: tiles ? (mine ? 0.15 : 0) : (mine ? 0.35 : 0.9)};
          },
          onEachFeature: function (feature, shape) {
            if (feature.properties.state_code === state) { chosen = shape; }
          }
        }).addTo(map);
        if (chosen) { chosen.bringToFront(); }
        if (marker) { marker.setZIndexOffset(1000); }
        var bounds = chosen ? chosen.getBounds() : layer.getBounds();
        if (marker) { bounds = bounds.extend(marker.getLatLng()); }
        placed.forEach(function (shape) { bounds = bounds.extend(shape.getLatLng()); });
        map.fitBounds(bounds, {padding: [12, 12]});
      })
      .catch(function () {
        if (marker) { map.setView(marker.getLatLng(), 9); }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(draw);
  });
})();
