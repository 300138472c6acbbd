// Draws the map preview of a resource page with Leaflet, from the places the server embedded
// as GeoJSON (the same ones as the table under the map). Without JavaScript, or if Leaflet
// did not load, the map stays hidden and the table is the preview.
(function () {
  "use strict";
  var container = document.getElementById("map-view");
  if (!container || !window.L) {
    return;
  }
  var places = JSON.parse(document.getElementById(container.dataset.places).textContent);
  container.hidden = false;
  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer(container.dataset.tiles, {
    maxZoom: 19,
    attribution:
      '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  }).addTo(map);

  // The markers are pictures, not controls: on a city's map they overlap, too close together
  // to be touch targets, and the table under the map is where each place can be read.
  var layer = L.geoJSON(places, {
    interactive: false,
    pointToLayer: function (feature, latlng) {
      return L.marker(latlng, { interactive: false, keyboard: false, alt: "" });
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] });
})();
