"""British National Grid eastings and northings (OSGB36) as WGS 84 latitude and longitude, for
putting a council's grid references on a web map.

The inverse transverse Mercator projection on the Airy 1830 ellipsoid, then a seven-parameter
Helmert transformation from OSGB36 to WGS 84, as in Ordnance Survey's "A guide to coordinate
systems in Great Britain" (annexes B, C and 6.6). The Helmert step is good to about 5 metres
across Great Britain, plenty for a marker on a street map; surveying needs OSTN15 (pyproj),
which is far heavier than a preview needs.
"""

from __future__ import annotations

import math

# Airy 1830 and the National Grid's projection (OS guide, annex A).
AIRY_A, AIRY_B = 6377563.396, 6356256.909
SCALE = 0.9996012717
ORIGIN_LAT, ORIGIN_LON = math.radians(49), math.radians(-2)
FALSE_EASTING, FALSE_NORTHING = 400_000.0, -100_000.0
# WGS 84 (GRS80 for this purpose).
WGS84_A, WGS84_B = 6378137.000, 6356752.3141
# OSGB36 to WGS 84: the OS's WGS 84 -> OSGB36 parameters with their signs reversed.
SHIFT = (446.448, -125.157, 542.060)  # metres
SCALE_PPM = -20.4894
ROTATION_SECONDS = (0.1502, 0.2470, 0.8421)

# The National Grid's extent, with a margin: anything outside is not a grid reference.
MAX_EASTING, MAX_NORTHING = 800_000.0, 1_400_000.0


def is_grid_reference(easting: float, northing: float) -> bool:
    return 0 <= easting <= MAX_EASTING and 0 <= northing <= MAX_NORTHING


def to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees, WGS 84, of a National Grid easting and northing."""
    lat, lon = _airy_lat_lon(easting, northing)
    x, y, z = _cartesian(lat, lon, AIRY_A, AIRY_B)
    return _lat_lon(*_helmert(x, y, z), WGS84_A, WGS84_B)


def _meridional_arc(lat: float) -> float:
    n = (AIRY_A - AIRY_B) / (AIRY_A + AIRY_B)
    n2, n3 = n * n, n * n * n
    d, s = lat - ORIGIN_LAT, lat + ORIGIN_LAT
    return (
        AIRY_B
        * SCALE
        * (
            (1 + n + 5 / 4 * n2 + 5 / 4 * n3) * d
            - (3 * n + 3 * n2 + 21 / 8 * n3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n2 + 15 / 8 * n3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _airy_lat_lon(easting: float, northing: float) -> tuple[float, float]:
    """OSGB36 latitude and longitude in radians (OS guide, annex C.2)."""
    a, e2 = AIRY_A, 1 - (AIRY_B / AIRY_A) ** 2
    lat = ORIGIN_LAT
    arc = 0.0
    while True:
        lat += (northing - FALSE_NORTHING - arc) / (a * SCALE)
        arc = _meridional_arc(lat)
        if abs(northing - FALSE_NORTHING - arc) < 0.00001:
            break
    sin2 = math.sin(lat) ** 2
    nu = a * SCALE / math.sqrt(1 - e2 * sin2)
    rho = a * SCALE * (1 - e2) / (1 - e2 * sin2) ** 1.5
    eta2 = nu / rho - 1
    t, sec = math.tan(lat), 1 / math.cos(lat)
    t2, t4, t6 = t**2, t**4, t**6
    vii = t / (2 * rho * nu)
    viii = t / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = t / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - FALSE_EASTING
    return (
        lat - vii * de**2 + viii * de**4 - ix * de**6,
        ORIGIN_LON + x * de - xi * de**3 + xii * de**5 - xiia * de**7,
    )


def _cartesian(lat: float, lon: float, a: float, b: float) -> tuple[float, float, float]:
    e2 = 1 - (b / a) ** 2
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _helmert(x: float, y: float, z: float) -> tuple[float, float, float]:
    tx, ty, tz = SHIFT
    rx, ry, rz = (math.radians(seconds / 3600) for seconds in ROTATION_SECONDS)
    s = 1 + SCALE_PPM / 1e6
    return (
        tx + s * x - rz * y + ry * z,
        ty + rz * x + s * y - rx * z,
        tz - ry * x + rx * y + s * z,
    )


def _lat_lon(x: float, y: float, z: float, a: float, b: float) -> tuple[float, float]:
    """Degrees of a point given as earth-centred cartesian coordinates (OS guide, annex B.2)."""
    e2 = 1 - (b / a) ** 2
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * nu * math.sin(lat), p)
    return math.degrees(lat), math.degrees(math.atan2(y, x))
