// The walk list's map: numbered doors in walking order, packet outlines, and (for organizers)
// a drawing tool (Leaflet-Geoman) whose shape the server turns into a packet. Markers draw without tiles.
(function () {
  "use strict";
  function start() {
    var holder = document.getElementById("map");
    var source = document.getElementById("map-data");
    if (!holder || !source || typeof L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var status = document.getElementById("map-status");
    var map = L.map(holder, { scrollWheelZoom: false });
    var tiles = L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution });
    var failed = 0;
    tiles.on("tileerror", function () {
      failed += 1;
      if (failed === 1 && status) status.textContent = holder.dataset.tilesDown;
    });
    tiles.addTo(map);
    var bounds = [];
    var colours = ["#1b6ac9", "#b5511d", "#2e7d32", "#7b1fa2", "#00838f", "#ad1457"];
    function marker(door, colour) {
      if (door.lat === null || door.lon === null) return;
      var classes = "door-marker" + (door.zip_only ? " zip-only" : "") + (door.done ? " done" : "");
      var icon = L.divIcon({ className: classes + " c" + colour, html: String(door.n), iconSize: [26, 26] });
      var title = door.address + (door.zip_only ? " — " + holder.dataset.zipNote : "");
      L.marker([door.lat, door.lon], { icon: icon, title: title, keyboard: true })
        .bindPopup(document.createTextNode(door.n + ". " + title))
        .addTo(map);
      bounds.push([door.lat, door.lon]);
    }
    data.packets.forEach(function (packet, index) {
      var colour = index % colours.length;
      if (packet.outline && packet.outline.length >= 3) {
        L.polygon(packet.outline, { color: colours[colour], weight: 2, fillOpacity: 0.05 })
          .bindTooltip(packet.name)
          .addTo(map);
        packet.outline.forEach(function (point) { bounds.push(point); });
      }
      packet.doors.forEach(function (door) { marker(door, colour); });
    });
    data.loose.forEach(function (door) { marker(door, "loose"); });
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 });
    else map.setView([39.8, -98.6], 4);

    var form = document.getElementById("draw-form");
    if (!data.draw || !form || !map.pm) return;
    var drawn = null;
    map.pm.addControls({
      position: "topleft",
      drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false,
      drawText: false, cutPolygon: false, rotateMode: false, dragMode: false,
      drawPolygon: true, drawRectangle: true, editMode: true, removalMode: true
    });
    var outline = form.querySelector("input[name$=outline]");
    var drawStatus = document.getElementById("draw-status");
    function record(layer) {
      var ring = layer.getLatLngs()[0];
      outline.value = JSON.stringify(ring.map(function (p) { return [p.lat, p.lng]; }));
      if (drawStatus) drawStatus.textContent = drawStatus.dataset.drawn.replace("%(count)s", ring.length);
    }
    map.on("pm:create", function (event) {
      if (drawn) map.removeLayer(drawn);
      drawn = event.layer;
      record(drawn);
      drawn.on("pm:edit", function () { record(drawn); });
    });
    map.on("pm:remove", function (event) {
      if (event.layer === drawn) { drawn = null; outline.value = ""; if (drawStatus) drawStatus.textContent = ""; }
    });
    // For keyboards and tests: a shape may also be handed in as [[lat, lon], …].
    window.earshotDrawShape = function (points) {
      if (drawn) map.removeLayer(drawn);
      drawn = L.polygon(points).addTo(map);
      record(drawn);
    };
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
