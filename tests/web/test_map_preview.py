"""A file of places gets a map preview: a table of the places that works without JavaScript,
and the same places as GeoJSON for the map script; the map's tiles are allowed by the CSP."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from catalog.clock import utcnow
from catalog.publishing.resources import Upload, version_add
from catalog.tables.places import MAX_PLACES
from opendata.security_headers import tile_source
from tests.conftest import ACTOR
from tests.pages import column, element, parse_page, table, table_headings, table_rows, text_of

GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Bootham Row", "max_power_kw": 22},
            "geometry": {"type": "Point", "coordinates": [-1.084, 53.964]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Heworth", "note": {"open": "24 hours"}},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-1.07, 53.97], [-1.06, 53.97], [-1.06, 53.98], [-1.07, 53.97]]],
            },
        },
        {"type": "Feature", "properties": {"name": "Nowhere"}, "geometry": None},
    ],
}
GRID_CSV = b"site,easting,northing\r\nYork Minster,460348,452185\r\nNo location,,\r\n"
PLAIN_CSV = b"ward,population\r\nAcomb,9370\r\n"


def _page(client, catalogue, filename: str, content: bytes):
    dataset = catalogue.dataset("places", files={filename: content})
    response = client.get(f"/datasets/places/resources/{dataset.resources[0].id}")
    assert response.status_code == 200
    return response, parse_page(response)


def _map_places(doc) -> list[dict]:
    view = element(doc, "#map-view")
    assert view.has_attr("hidden"), "the map shows only once its script has drawn it"
    embedded = element(doc, f"script#{view['data-places']}")
    assert embedded["type"] == "application/json"
    return json.loads(embedded.string)["features"]


def test_geojson_features_are_listed_and_embedded_for_the_map(client, catalogue):
    _, doc = _page(client, catalogue, "charge-points.geojson", json.dumps(GEOJSON).encode())
    places = table(doc, "Places in charge-points.geojson")
    headings = table_headings(places)
    assert headings[:4] == ["Row", "name", "max_power_kw", "note"]
    assert headings[-3:] == ["Shape", "Middle: latitude", "Middle: longitude"]
    rows = table_rows(places)
    assert [row[1] for row in rows] == ["Bootham Row", "Heworth"]  # no geometry, no place
    assert rows[0][-3:] == ["Point", "53.96400", "-1.08400"]
    assert rows[1][3] == '{"open": "24 hours"}'
    assert rows[1][-3:] == ["Area", "53.97500", "-1.06500"]
    features = _map_places(doc)
    assert [f["id"] for f in features] == [1, 2]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [-1.084, 53.964]}


def test_a_table_with_grid_references_is_mapped_in_latitude_and_longitude(client, catalogue):
    _, doc = _page(client, catalogue, "sites.csv", GRID_CSV)
    places = table(doc, "Places in sites.csv")
    assert column(places, "site") == ["York Minster"]
    assert column(places, "Latitude") == ["53.96224"]
    assert column(places, "Longitude") == ["-1.08169"]
    [feature] = _map_places(doc)
    assert feature["geometry"]["coordinates"] == pytest.approx([-1.0817, 53.9622], abs=0.0001)


def test_a_scheduled_version_stays_off_the_map_until_its_release(client, catalogue):
    dataset = catalogue.dataset("places", files={"sites.csv": GRID_CSV})
    resource = dataset.resources[0]
    version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=Upload(
            stream=io.BytesIO(b"site,lat,lon\r\nEmbargoed Hall,53.95,-1.08\r\n"),
            filename="sites.csv",
        ),
        release_at=utcnow() + timedelta(days=1),
    )
    catalogue.saved()
    response = client.get(f"/datasets/places/resources/{resource.id}")
    assert column(table(parse_page(response), "Places in sites.csv"), "site") == ["York Minster"]
    assert b"Embargoed" not in response.data


def test_a_file_without_places_has_no_map(client, catalogue):
    response, doc = _page(client, catalogue, "wards.csv", PLAIN_CSV)
    assert doc.select("#map-view") == []
    assert b"leaflet" not in response.data


@pytest.mark.parametrize("content", [b"{not json", b'{"type": "Feature"}', b"[1, 2]"])
def test_broken_geojson_has_no_map_and_no_error(client, catalogue, content):
    _, doc = _page(client, catalogue, "broken.geojson", content)
    assert doc.select("#map-view") == []


def test_the_tile_host_is_allowed_for_images_and_configurable(app, client, catalogue):
    _, doc = _page(client, catalogue, "sites.csv", GRID_CSV)
    assert element(doc, "#map-view")["data-tiles"] == app.config["SETTINGS"].map_tiles
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy


def test_a_tile_address_with_subdomains_is_allowed_by_wildcard():
    assert tile_source("https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png") == (
        "https://*.tiles.example.org:8443"
    )


def test_a_long_file_shows_its_first_places_and_counts_them_all(client, catalogue):
    many = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"n": n},
                "geometry": {"type": "Point", "coordinates": [-1.08, 53.9 + n / 10_000]},
            }
            for n in range(MAX_PLACES + 50)
        ],
    }
    _, doc = _page(client, catalogue, "many.geojson", json.dumps(many).encode())
    places = table(doc, "Places in many.geojson: the first 200")
    assert len(table_rows(places)) == MAX_PLACES
    assert len(_map_places(doc)) == MAX_PLACES
    assert "The first 200 of 250 places in this file" in text_of(doc.find(id="map").find_next("p"))
