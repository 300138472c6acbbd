"""National Grid references as WGS 84 positions, checked against published points."""

from __future__ import annotations

import pytest

from catalog.tables.national_grid import to_wgs84


@pytest.mark.parametrize(
    ("easting", "northing", "latitude", "longitude", "tolerance"),
    [
        # Ordnance Survey's worked example (A guide to coordinate systems in Great Britain,
        # annex C), taken on to WGS 84 by the OS Helmert parameters: 52°39′28.72″N 1°42′57.79″E.
        (651409.903, 313177.270, 52.657978, 1.716053, 0.00002),
        # York Minster, 53°57′44″N 1°04′55″W: the grid reference of its centre, to a building.
        (460348, 452185, 53.9623, -1.0819, 0.0005),
    ],
)
def test_grid_references_become_latitude_and_longitude(
    easting, northing, latitude, longitude, tolerance
):
    found_latitude, found_longitude = to_wgs84(easting, northing)
    assert found_latitude == pytest.approx(latitude, abs=tolerance)
    assert found_longitude == pytest.approx(longitude, abs=tolerance)
