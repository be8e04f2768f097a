// RaceTrace map page logic. Loaded from a local file next to leaflet.js; talks to Python over QWebChannel.
// Python never calls in before `bridge.ready()` has been sent (the ready handshake); calls made earlier are
// queued on the Python side.
// The track (outline, S/F and sector lines, direction arrow, corners) is drawn on its own panes under and over the
// lap lines. The legend sits top right and the scale bottom left; every fit leaves room for both, so neither
// covers the track.
(function () {
  "use strict";
  var rt = {map: null, lines: null, track: null, marks: null, cursor: null, bridge: null, dark: false,
            pinned: false, trackData: null, lastHover: 0};
  var THEMES = {
    light: {edge: "#9e9e9e", road: "#fbfbf8", gate: "#111111", arrow: "#111111", corner: "#263238"},
    dark: {edge: "#15181b", road: "#5d6670", gate: "#f5f5f5", arrow: "#f5f5f5", corner: "#eceff1"}
  };

  function theme() { return rt.dark ? THEMES.dark : THEMES.light; }

  function group(old, pane) {
    if (old) { old.remove(); }
    return L.featureGroup([], {pane: pane}).addTo(rt.map);
  }

  // lines: [{id, weight, opacity, segments: [{color, points: [[lat, lon], ...]}]}]
  rt.setLines = function (lines, fit) {
    rt.lines = group(rt.lines, "overlayPane");
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

  // track: {outline: [[lat, lon]], gates: [{label, a, b}], arrow: {lat, lon, bearing}, corners: [{number, lat, lon}]}
  rt.setTrack = function (track) {
    rt.trackData = track;
    rt.track = group(rt.track, "rtTrack");
    rt.marks = group(rt.marks, "rtMarks");
    if (!track) { return 0; }
    var t = theme();
    if (track.outline && track.outline.length > 1) {
      L.polyline(track.outline, {color: t.edge, weight: 17, opacity: 1, interactive: false, pane: "rtTrack",
                                 lineCap: "round", lineJoin: "round", className: "rt-outline"}).addTo(rt.track);
      L.polyline(track.outline, {color: t.road, weight: 13, opacity: 1, interactive: false, pane: "rtTrack",
                                 lineCap: "round", lineJoin: "round", className: "rt-road"}).addTo(rt.track);
    }
    (track.gates || []).forEach(function (gate) {
      L.polyline([gate.a, gate.b], {color: t.gate, weight: gate.label === "S/F" ? 4 : 3, opacity: 1,
                                    dashArray: gate.label === "S/F" ? null : "5 4", interactive: false,
                                    pane: "rtMarks", className: "rt-gate"}).addTo(rt.marks);
      L.marker(gate.a, {pane: "rtMarks", interactive: false, keyboard: false,
                        icon: L.divIcon({className: "rt-gate-label", html: gate.label, iconSize: null})})
        .addTo(rt.marks);
    });
    if (track.arrow) {
      var svg = "<svg width='26' height='26' viewBox='-13 -13 26 26' style='transform: rotate(" +
        track.arrow.bearing + "deg)'><path d='M0,-11 L8,8 L0,3 L-8,8 Z' fill='" + t.arrow +
        "' stroke='" + (rt.dark ? "#000" : "#fff") + "' stroke-width='1.5'/></svg>";
      L.marker([track.arrow.lat, track.arrow.lon], {pane: "rtMarks", interactive: false, keyboard: false,
        icon: L.divIcon({className: "rt-arrow", html: svg, iconSize: [26, 26], iconAnchor: [13, 13]})})
        .addTo(rt.marks);
    }
    (track.corners || []).forEach(function (corner) {
      L.marker([corner.lat, corner.lon], {pane: "rtMarks", interactive: false, keyboard: false,
        icon: L.divIcon({className: "rt-corner", html: String(corner.number), iconSize: [20, 20],
                         iconAnchor: [10, 10]})}).addTo(rt.marks);
    });
    return rt.track.getLayers().length + rt.marks.getLayers().length;
  };

  // Room the legend (top right) and the scale (bottom left) take: fits keep the track out of it. The legend's room
  // is taken beside the track or above it, whichever lets the track be drawn larger.
  function padding(b) {
    var legend = document.getElementById("rt-legend");
    var beside = {paddingTopLeft: [24, 24], paddingBottomRight: [24, 44]};
    if (!legend || legend.style.display !== "block") { return beside; }
    var above = {paddingTopLeft: [24, legend.offsetHeight + 20], paddingBottomRight: [24, 44]};
    beside.paddingBottomRight = [legend.offsetWidth + 34, 44];
    if (!b) { return beside; }
    function zoom(p) {
      return rt.map.getBoundsZoom(b, false, L.point(p.paddingTopLeft).add(p.paddingBottomRight));
    }
    return zoom(above) > zoom(beside) ? above : beside;
  }

  function bounds() {
    var b = null;
    [rt.track, rt.lines].forEach(function (g) {
      if (g && g.getLayers().length) { b = b ? b.extend(g.getBounds()) : L.latLngBounds(g.getBounds()); }
    });
    return b;
  }

  // Fit the track into view; again after every resize until the user pans or zooms himself.
  rt.fit = function () {
    var b = bounds();
    if (!b) { return; }
    rt.range = null;
    rt.fitting = true;
    rt.map.fitBounds(b, Object.assign({animate: false}, padding(b)));
    rt.fitting = false;
  };

  // Zoom to part of the lap (a sector or a corner): points [[lat, lon], ...].
  rt.fitPoints = function (points) {
    if (!points || points.length < 1) { return false; }
    rt.range = points;
    rt.userMoved = false;
    rt.fitting = true;
    var b = L.latLngBounds(points);
    rt.map.fitBounds(b, Object.assign({animate: false, maxZoom: 19}, padding(b)));
    rt.fitting = false;
    return true;
  };

  function refit() {
    if (rt.range) { rt.fitPoints(rt.range); } else { rt.fit(); }
  }

  // legend: {title, stops: [{color, label}]} or null
  rt.setLegend = function (legend) {
    var box = document.getElementById("rt-legend");
    if (!legend) { box.style.display = "none"; return; }
    var html = "<div class='rt-legend-title' title='Click to fold or unfold'></div><div class='rt-legend-rows'>";
    legend.stops.forEach(function () {
      html += "<div class='rt-legend-row'><span class='rt-swatch'></span><span class='rt-label'></span></div>";
    });
    box.innerHTML = html + "</div>";
    box.querySelector(".rt-legend-title").textContent = legend.title;
    var swatches = box.querySelectorAll(".rt-swatch"), labels = box.querySelectorAll(".rt-label");
    legend.stops.forEach(function (stop, i) {
      swatches[i].style.background = stop.color;
      labels[i].textContent = stop.label;
    });
    box.querySelector(".rt-legend-title").addEventListener("click", function (e) {
      e.stopPropagation();
      rt.collapseLegend(!box.classList.contains("rt-collapsed"));
    });
    box.style.display = "block";
    if (rt.collapsed) { box.classList.add("rt-collapsed"); }
  };

  rt.collapseLegend = function (collapsed) {
    rt.collapsed = collapsed;
    document.getElementById("rt-legend").classList.toggle("rt-collapsed", collapsed);
    if (!rt.userMoved) { refit(); }  // the track may use the room the legend gave up
    return collapsed;
  };

  rt.setTheme = function (dark) {
    rt.dark = !!dark;
    document.body.classList.toggle("rt-dark", rt.dark);
    if (rt.trackData) { rt.setTrack(rt.trackData); }
    if (rt.cursor) { rt.cursor.setStyle({color: rt.dark ? "#111111" : "#ffffff",
                                         fillColor: rt.dark ? "#ffd54f" : "#111111"}); }
    return rt.dark;
  };

  rt.setCursor = function (lat, lon, pinned) {
    rt.pinned = !!pinned;
    if (!rt.cursor) {
      rt.cursor = L.circleMarker([lat, lon], {
        radius: 7, color: rt.dark ? "#111111" : "#ffffff", weight: 3,
        fillColor: rt.dark ? "#ffd54f" : "#111111", fillOpacity: 1,
        interactive: false, className: "rt-cursor", pane: "rtCursor"
      }).addTo(rt.map);
    } else {
      rt.cursor.setLatLng([lat, lon]);
    }
    rt.cursor.setRadius(rt.pinned ? 9 : 7);
  };

  rt.hideCursor = function () {
    if (rt.cursor) { rt.cursor.remove(); rt.cursor = null; }
  };

  function rectOf(element) {
    if (!element || element.offsetParent === null || element.style.display === "none") { return null; }
    var r = element.getBoundingClientRect(), m = rt.map.getContainer().getBoundingClientRect();
    return {left: r.left - m.left, top: r.top - m.top, right: r.right - m.left, bottom: r.bottom - m.top};
  }

  // How many outline points lie under an element (0: the element never covers the track).
  function pointsUnder(element) {
    var rect = rectOf(element);
    if (!rect || !rt.trackData || !rt.trackData.outline) { return 0; }
    var n = 0;
    rt.trackData.outline.forEach(function (p) {
      var c = rt.map.latLngToContainerPoint(p);
      if (c.x >= rect.left && c.x <= rect.right && c.y >= rect.top && c.y <= rect.bottom) { n += 1; }
    });
    return n;
  }

  function onScreen(points) {
    var size = rt.map.getSize(), n = 0;
    (points || []).forEach(function (p) {
      var c = rt.map.latLngToContainerPoint(p);
      if (c.x >= 0 && c.y >= 0 && c.x <= size.x && c.y <= size.y) { n += 1; }
    });
    return n;
  }

  // For tests and the screenshot mode: what is drawn right now.
  rt.state = function () {
    var c = rt.cursor ? rt.cursor.getLatLng() : null;
    var legend = document.getElementById("rt-legend");
    var scale = document.querySelector(".leaflet-control-scale");
    var b = rt.map.getBounds();
    return {
      leaflet: typeof L === "object" ? L.version : null,
      polylines: rt.lines ? rt.lines.getLayers().length : 0,
      svgPaths: document.querySelectorAll("path.rt-lap").length,
      outline: document.querySelectorAll("path.rt-road").length,
      gates: document.querySelectorAll("path.rt-gate:not(.rt-gate-start):not(.rt-gate-sector)").length,  // track marks, not the line picker
      gateLabels: Array.prototype.map.call(document.querySelectorAll(".rt-gate-label"), function (e) {
        return e.textContent; }),
      arrow: document.querySelectorAll(".rt-arrow").length,
      corners: document.querySelectorAll(".rt-corner").length,
      cursor: c ? [c.lat, c.lng] : null,
      pinned: rt.pinned,
      legend: legend.style.display === "block",
      legendCollapsed: legend.classList.contains("rt-collapsed"),
      legendOverTrack: pointsUnder(legend),
      scale: !!scale,
      scaleOverTrack: pointsUnder(scale),
      dark: rt.dark,
      background: getComputedStyle(rt.map.getContainer()).backgroundColor,
      view: [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()],
      zoom: rt.map.getZoom(),
      outlineOnScreen: rt.trackData ? onScreen(rt.trackData.outline) : 0,
      tilesLoaded: document.querySelectorAll("img.leaflet-tile-loaded").length
    };
  };

  rt.init = function (map) {
    rt.map = map;
    map.options.zoomSnap = 0.25;
    map.attributionControl.setPrefix("Leaflet");
    map.createPane("rtTrack").style.zIndex = 350;  // under the lap lines (overlayPane: 400)
    map.createPane("rtMarks").style.zIndex = 450;
    map.createPane("rtCursor").style.zIndex = 460;
    var legend = L.control({position: "topright"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "rt-legend");
      div.id = "rt-legend";
      div.style.display = "none";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
    rt.lines = group(null, "overlayPane");
    map.on("dragstart", function () { rt.userMoved = true; });
    map.on("zoomstart", function () { if (!rt.fitting) { rt.userMoved = true; } });
    map.on("resize", function () { if (!rt.userMoved) { refit(); } });
    map.on("click", function (e) {
      if (rt.bridge) { rt.bridge.clicked(e.latlng.lat, e.latlng.lng); }
    });
    map.on("mousemove", function (e) {  // at most one hover per animation frame reaches Python
      if (!rt.bridge || rt.hoverQueued) { return; }
      rt.hoverQueued = true;
      window.requestAnimationFrame(function () {
        rt.hoverQueued = false;
        rt.bridge.hovered(e.latlng.lat, e.latlng.lng);
      });
    });
    window.rtBridge.then(function (bridge) {
      rt.bridge = bridge;
      bridge.ready();
    });
  };

  window.rt = rt;
})();
