// Draws each track suggestion's reference lap, its proposed start/finish and direction with Leaflet (served by
// this server; no tiles: the admin page loads nothing from other origins).
(function () {
  "use strict";
  var ARROW_M = 60;

  function ahead(start, headingDeg, metres) {
    var rad = headingDeg * Math.PI / 180;
    var dLat = (metres * Math.cos(rad)) / 111320;
    var dLon = (metres * Math.sin(rad)) / (111320 * Math.cos(start[0] * Math.PI / 180));
    return [start[0] + dLat, start[1] + dLon];
  }

  function draw(element) {
    var path = JSON.parse(element.dataset.path || "[]");
    var start = element.dataset.start.split(",").map(Number);
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var lap = L.polyline(path, { color: "#d6452b", weight: 3 }).addTo(map);
    L.circleMarker(start, { radius: 6, color: "#1c2733", fillColor: "#ffffff", fillOpacity: 1 }).addTo(map);
    if (element.dataset.heading !== "") {
      L.polyline([start, ahead(start, Number(element.dataset.heading), ARROW_M)],
                 { color: "#1c2733", weight: 4 }).addTo(map);
    }
    map.fitBounds(path.length ? lap.getBounds() : L.latLngBounds([start, start]), { padding: [16, 16] });
    element.dataset.points = String(path.length);
    element.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".suggestion-map").forEach(draw);
  });
})();
