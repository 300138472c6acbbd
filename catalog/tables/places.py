"""Where the rows of a file are: the features of a GeoJSON file, or the rows of a table with
latitude and longitude (or National Grid easting and northing) columns, for a map preview and
the table of the same places beneath it.

Bounded, as every preview is: the first MAX_PLACES places with a count of them all, a GeoJSON
file read only up to MAX_GEOJSON_BYTES, and at most MAX_POSITIONS coordinate pairs drawn, so
a county's boundary polygons cannot make a page megabytes long. Grid references are converted
to WGS 84 (`catalog.tables.national_grid`), as web maps and GeoJSON expect.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.models import ResourceVersion
from catalog.storage import FileStore
from catalog.tables.dialects import Dialect
from catalog.tables.national_grid import is_grid_reference, to_wgs84
from catalog.tables.reading import TABULAR_FORMATS, preview_cell, read_table

MAX_PLACES = 200
MAX_GEOJSON_BYTES = 20 * 1024 * 1024
MAX_POSITIONS = 20_000
GEOJSON_MEDIA_TYPES = {"application/geo+json", "application/vnd.geo+json"}
# Column names that hold coordinates, in lower case; the first pair found wins.
LATITUDE_NAMES = ("latitude", "lat")
LONGITUDE_NAMES = ("longitude", "long", "lon", "lng")
EASTING_NAMES = ("easting", "eastings", "x_coordinate")
NORTHING_NAMES = ("northing", "northings", "y_coordinate")
DECIMALS = 6  # about 10 cm: more only makes the page longer

Position = list[float]
ToLonLat = Callable[[float, float], Position]


@dataclass(frozen=True)
class Place:
    """One place: its cells for the table, and its geometry (GeoJSON, WGS 84) for the map."""

    cells: list[str]
    geometry: dict[str, Any]
    latitude: str
    longitude: str
    shape: str


@dataclass(frozen=True)
class PlaceList:
    columns: list[str]
    places: list[Place]
    total: int
    only_points: bool

    def feature_collection(self) -> dict[str, Any]:
        """The places as GeoJSON, numbered as the table's rows, for the map's script."""
        features = [
            {"type": "Feature", "id": number, "properties": {}, "geometry": place.geometry}
            for number, place in enumerate(self.places, start=1)
        ]
        return {"type": "FeatureCollection", "features": features}


def places_of(store: FileStore, version: ResourceVersion) -> PlaceList | None:
    """The places in a stored version, or None when it has no locations we can read (a file
    of another kind is not fetched from the store at all)."""
    fmt = version.resource.format.lower()
    if fmt == "geojson" or version.media_type in GEOJSON_MEDIA_TYPES:
        if version.size > MAX_GEOJSON_BYTES:
            return None
        with store.open(version.sha256) as handle:
            return _geojson_places(handle.read())
    if fmt in TABULAR_FORMATS:
        with store.local_copy(version.sha256) as path:
            return _table_places(path, fmt, Dialect.from_descriptor(version.dialect))
    return None


def _geojson_places(content: bytes) -> PlaceList | None:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    features = document.get("features") if document.get("type") == "FeatureCollection" else None
    if not isinstance(features, list):
        return None
    to_lon_lat = _grid_lon_lat if _on_national_grid(document) else _lon_lat
    budget = [MAX_POSITIONS]
    shown = [f for f in features[:MAX_PLACES] if isinstance(f, dict)]
    geometries = [_geometry(f.get("geometry"), to_lon_lat, budget) for f in shown]
    kept = [(f, g) for f, g in zip(shown, geometries, strict=True) if g is not None]
    if not kept:
        return None
    columns: dict[str, None] = {}
    for feature, _ in kept:
        columns.update(dict.fromkeys(_properties(feature)))
    places = [
        _place([_text(_properties(feature).get(name)) for name in columns], geometry)
        for feature, geometry in kept
    ]
    return _place_list(list(columns), places, total=len(features))


def _table_places(path: Path, fmt: str, dialect: Dialect) -> PlaceList | None:
    with read_table(path, fmt, dialect) as (labels, rows):
        locate = _locator([label.strip().lower() for label in labels])
        if locate is None:
            return None
        places: list[Place] = []
        total = 0
        for row in rows:
            position = locate(row)
            if position is None:
                continue
            total += 1
            if len(places) < MAX_PLACES:
                cells = [preview_cell(cell) for cell in (row + [""] * len(labels))[: len(labels)]]
                places.append(_place(cells, {"type": "Point", "coordinates": position}))
    return _place_list(labels, places, total) if places else None


def _locator(names: list[str]) -> Callable[[list[str]], Position | None] | None:
    """A function from a row to its position, by the first pair of coordinate columns found."""
    for first, second, to_lon_lat in (
        (LATITUDE_NAMES, LONGITUDE_NAMES, lambda lat, lon: _lon_lat(lon, lat)),
        (EASTING_NAMES, NORTHING_NAMES, _grid_lon_lat),
    ):
        i, j = _column(names, first), _column(names, second)
        if i is not None and j is not None:
            return _row_position(i, j, to_lon_lat)
    return None


def _row_position(i: int, j: int, to_lon_lat: ToLonLat) -> Callable[[list[str]], Position | None]:
    def position(row: list[str]) -> Position | None:
        try:
            return _checked(to_lon_lat(float(row[i]), float(row[j])))
        except (IndexError, ValueError):
            return None

    return position


def _column(names: list[str], wanted: Iterable[str]) -> int | None:
    return next((names.index(name) for name in wanted if name in names), None)


def _lon_lat(x: float, y: float) -> Position:
    return [x, y]


def _grid_lon_lat(easting: float, northing: float) -> Position:
    if not is_grid_reference(easting, northing):
        raise ValueError("not a National Grid reference")
    latitude, longitude = to_wgs84(easting, northing)
    return [longitude, latitude]


def _checked(position: Position) -> Position:
    """A [longitude, latitude] pair on the earth, rounded; ValueError for anything else."""
    lon, lat = position
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("not a position on the earth")
    return [round(lon, DECIMALS), round(lat, DECIMALS)]


def _on_national_grid(document: dict[str, Any]) -> bool:
    """Old GeoJSON (2008) could name its coordinate system; EPSG:27700 is the National Grid."""
    crs = document.get("crs")
    name = crs.get("properties", {}).get("name", "") if isinstance(crs, dict) else ""
    return isinstance(name, str) and name.endswith("27700")


def _geometry(geometry: Any, to_lon_lat: ToLonLat, budget: list[int]) -> dict[str, Any] | None:
    """A geometry in WGS 84 with its positions checked, or None if it is broken or the page's
    budget of positions is spent."""
    if not isinstance(geometry, dict):
        return None
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = [_geometry(part, to_lon_lat, budget) for part in geometry.get("geometries") or []]
        if not parts or None in parts:
            return None
        return {"type": kind, "geometries": parts}
    depth = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2}
    depth["MultiPolygon"] = 3
    if kind not in depth:
        return None
    try:
        coordinates = _positions(geometry.get("coordinates"), depth[kind], to_lon_lat, budget)
    except (TypeError, ValueError):
        return None
    return {"type": kind, "coordinates": coordinates}


def _positions(value: Any, depth: int, to_lon_lat: ToLonLat, budget: list[int]) -> Any:
    if depth == 0:
        budget[0] -= 1
        if budget[0] < 0 or len(value) < 2:
            raise ValueError("too many positions, or too few numbers in one")
        return _checked(to_lon_lat(float(value[0]), float(value[1])))
    if not isinstance(value, list) or not value:
        raise ValueError("an empty or malformed list of positions")
    return [_positions(item, depth - 1, to_lon_lat, budget) for item in value]


def _properties(feature: dict[str, Any]) -> dict[str, Any]:
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return preview_cell(json.dumps(value, ensure_ascii=False))
    return preview_cell(str(value))


def _place(cells: list[str], geometry: dict[str, Any]) -> Place:
    """A place as the table shows it: a point's latitude and longitude, another shape's
    kind and the middle of the box around it."""
    lons, lats = zip(*_all_positions(geometry), strict=True)
    middle = [(min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2]
    return Place(
        cells=cells,
        geometry=geometry,
        latitude=f"{middle[1]:.5f}",
        longitude=f"{middle[0]:.5f}",
        shape=_shape_words(geometry),
    )


def _all_positions(geometry: dict[str, Any]) -> list[Position]:
    if geometry["type"] == "GeometryCollection":
        return [p for part in geometry["geometries"] for p in _all_positions(part)]
    found: list[Position] = []
    stack = [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], float):
            found.append(item)
        else:
            stack.extend(item)
    return found


def _shape_words(geometry: dict[str, Any]) -> str:
    words = {
        "Point": "Point",
        "MultiPoint": "Points",
        "LineString": "Line",
        "MultiLineString": "Lines",
        "Polygon": "Area",
        "MultiPolygon": "Areas",
        "GeometryCollection": "Shapes",
    }
    return words[geometry["type"]]


def _place_list(columns: list[str], places: list[Place], total: int) -> PlaceList:
    only_points = all(place.geometry["type"] == "Point" for place in places)
    return PlaceList(columns=columns, places=places, total=total, only_points=only_points)
