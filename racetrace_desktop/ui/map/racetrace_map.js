// RaceTrace map page logic. Loaded from a local file next to leaflet.js; talks to Python over QWebChannel.
// Python never calls in before `bridge.ready()` has been sent (the ready handshake); calls made earlier are
// queued on the Python side.
(function () {
  "use strict";
  var rt = {map: null, lines: null, cursor: null, legend: null, bridge: null};

  function clearLines() {
    if (rt.lines) { rt.lines.remove(); }
    rt.lines = L.featureGroup().addTo(rt.map);
  }

  // lines: [{id, weight, opacity, segments: [{color, points: [[lat, lon], ...]}]}]
  rt.setLines = function (lines, fit) {
    clearLines();
    lines.forEach(function (line) {
      line.segments.forEach(function (seg) {
        L.polyline(seg.points, {
          color: seg.color, weight: line.weight || 4, opacity: line.opacity || 0.95,
          interactive: false, lineCap: "round", className: "rt-lap rt-lap-" + line.id
        }).addTo(rt.lines);
      });
    });
    if (fit) {
      rt.userMoved = false;
      rt.fit();
    }
    return rt.lines.getLayers().length;
  };

  // Fit the lines into view; again after every resize until the user pans or zooms himself.
  rt.fit = function () {
    if (!rt.lines || !rt.lines.getLayers().length) { return; }
    rt.fitting = true;
    rt.map.fitBounds(rt.lines.getBounds(), {padding: [20, 20], animate: false});
    rt.fitting = false;
  };

  // legend: {title, stops: [{color, label}]} or null
  rt.setLegend = function (legend) {
    var box = document.getElementById("rt-legend");
    if (!legend) { box.style.display = "none"; return; }
    var html = "<div class='rt-legend-title'></div>";
    legend.stops.forEach(function () {
      html += "<div class='rt-legend-row'><span class='rt-swatch'></span><span class='rt-label'></span></div>";
    });
    box.innerHTML = html;
    box.querySelector(".rt-legend-title").textContent = legend.title;
    var swatches = box.querySelectorAll(".rt-swatch"), labels = box.querySelectorAll(".rt-label");
    legend.stops.forEach(function (stop, i) {
      swatches[i].style.background = stop.color;
      labels[i].textContent = stop.label;
    });
    box.style.display = "block";
  };

  rt.setCursor = function (lat, lon) {
    if (!rt.cursor) {
      rt.cursor = L.circleMarker([lat, lon], {
        radius: 7, color: "#ffffff", weight: 3, fillColor: "#111111", fillOpacity: 1,
        interactive: false, className: "rt-cursor"
      }).addTo(rt.map);
    } else {
      rt.cursor.setLatLng([lat, lon]);
    }
    rt.cursor.bringToFront();
  };

  rt.hideCursor = function () {
    if (rt.cursor) { rt.cursor.remove(); rt.cursor = null; }
  };

  // For tests and the screenshot mode: what is drawn right now.
  rt.state = function () {
    var c = rt.cursor ? rt.cursor.getLatLng() : null;
    return {
      leaflet: typeof L === "object" ? L.version : null,
      polylines: rt.lines ? rt.lines.getLayers().length : 0,
      svgPaths: document.querySelectorAll("path.rt-lap").length,
      cursor: c ? [c.lat, c.lng] : null,
      legend: document.getElementById("rt-legend").style.display === "block",
      tilesLoaded: document.querySelectorAll("img.leaflet-tile-loaded").length
    };
  };

  rt.init = function (map) {
    rt.map = map;
    map.attributionControl.setPrefix("Leaflet");
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "rt-legend");
      div.id = "rt-legend";
      div.style.display = "none";
      return div;
    };
    legend.addTo(map);
    clearLines();
    map.on("dragstart", function () { rt.userMoved = true; });
    map.on("zoomstart", function () { if (!rt.fitting) { rt.userMoved = true; } });
    map.on("resize", function () { if (!rt.userMoved) { rt.fit(); } });
    map.on("click", function (e) {
      if (rt.bridge) { rt.bridge.clicked(e.latlng.lat, e.latlng.lng); }
    });
    window.rtBridge.then(function (bridge) {
      rt.bridge = bridge;
      bridge.ready();
    });
  };

  window.rt = rt;
})();
