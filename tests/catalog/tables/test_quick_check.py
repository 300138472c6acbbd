"""The quick (Arrow) pass and the exact (row by row) pass must never disagree.

The quick pass may only say "no errors", and only when the exact pass would; when it does, it
must hand over the same values and row numbers, and the same findings (formula warnings, by
value). Generated files mix good cells with every kind of trouble the exact pass reports, in
every field type the quick pass reads a column at a time.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.tables.quick_check import quick_check
from catalog.tables.reading import read_table
from catalog.tables.validation import check_table
from tests.catalog.tables.test_validation import CLEAN_FILES, DATA

CELLS = {
    "string": ["York", "", "Café – York", "a,b", 'say "hi"', "two\nlines", "=SUM(A1)", "-3", "@x"],
    "integer": ["1", "-1", "-2", "", " 5", "1_000", "0x10", "1.5", "9223372036854775808", "-0"],
    "number": ["1.5", "-0.0", "0", "-1", "-2", "", "inf", "nan", "1,000", "£3", "x", ".5", "1e5"],
    "boolean": ["true", "false", "y", "0", "1", "", "yes"],
    "date": ["2024-03-31", "0000-01-01", "2023-02-29", "", "2024-3-1", "20240331", "2024-02-29"],
    "any": ["anything", "", "+44 1904", "@handle"],
    "year": ["2024", "", "24", "10000"],
}
CONSTRAINTS = {
    "string": [{}, {"required": True}, {"enum": ["York", "Café – York"]}, {"maxLength": 4}]
    + [{"unique": True}],
    "integer": [{}, {"required": True}, {"minimum": 0}, {"maximum": 10}, {"enum": [1, 3]}]
    + [{"unique": True}, {"maximum": 2**70}, {"enum": [1, 2**70]}],
    "number": [{}, {"exclusiveMinimum": 0}, {"maximum": 100.5}, {"unique": True}],
    "boolean": [{}, {"required": True}],
    "date": [{}, {"required": True}, {"enum": ["2024-03-31"]}, {"unique": True}],
    "any": [{}],
    "year": [{}, {"minimum": 2000}],
}


@st.composite
def tables(draw):
    width = draw(st.integers(min_value=2, max_value=4))
    kinds = draw(st.lists(st.sampled_from(sorted(CELLS)), min_size=width, max_size=width))
    fields = []
    for number, kind in enumerate(kinds):
        field = {"name": f"f{number}", "type": kind}
        if kind == "boolean" and draw(st.booleans()):
            field.update(trueValues=["1", "y"], falseValues=["1", "0"])
        constraints = draw(st.sampled_from(CONSTRAINTS[kind]))
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema = {"fields": fields}
    if draw(st.booleans()):
        schema["primaryKey"] = [fields[0]["name"]]
    good = draw(st.booleans())  # half the files use only the first cell of each kind, mostly
    pools = [CELLS[kind][:3] if good else CELLS[kind] for kind in kinds]
    rows = draw(
        st.lists(
            st.one_of(
                st.tuples(*(st.sampled_from(pool) for pool in pools)).map(list),
                st.just([""] * width),
                st.just(["only one"]),
            )
            if not good
            else st.tuples(*(st.sampled_from(pool) for pool in pools)).map(list),
            max_size=12,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    return schema, rows, delimiter


def _write(path: Path, schema: dict, rows: list[list[str]], delimiter: str) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    writer.writerow([field["name"] for field in schema["fields"]])
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")


def _comparable(value):
    """NaN is never equal to itself; both passes must still agree on it."""
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


def _rows(columns) -> list[tuple]:
    return [tuple(map(_comparable, row)) for row in zip(*columns, strict=True)]


def _exact(path: Path, fmt: str, schema: dict):
    loaded: list[tuple] = []
    with read_table(path, fmt) as (labels, rows):
        checked = check_table(
            labels, rows, schema, sink=lambda number, typed: loaded.extend(_rows([number, *typed]))
        )
    return checked, loaded


def _quick(path: Path, fmt: str, schema: dict):
    loaded: list[tuple] = []

    def sink(numbers, typed) -> None:
        loaded.extend(_rows([numbers.to_pylist()] + [array.to_pylist() for array in typed]))

    return quick_check(path, fmt, schema, sink=sink), loaded


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=tables())
def test_the_quick_pass_vouches_only_for_what_the_exact_pass_finds_clean(tmp_path, table):
    schema, rows, delimiter = table
    path = tmp_path / "table.csv"
    _write(path, schema, rows, delimiter)
    exact, exact_rows = _exact(path, "csv", schema)
    quick, quick_rows = _quick(path, "csv", schema)
    if quick is None:
        return
    assert exact.valid, [(e.type, e.row_number, e.cell) for e in exact.errors]
    assert quick.valid
    assert quick_rows == exact_rows
    assert (quick.rows, quick.loaded_rows) == (exact.rows, exact.loaded_rows)
    assert (quick.errors, quick.warnings) == (exact.errors, exact.warnings)  # the same values
    assert quick.warning_count == exact.warning_count


def test_real_messy_but_correct_files_take_the_quick_pass_with_the_same_values():
    schema = json.loads((DATA / "spend.schema.json").read_text(encoding="utf-8"))
    for name, fmt in CLEAN_FILES:
        exact, exact_rows = _exact(DATA / name, fmt, schema)
        quick, quick_rows = _quick(DATA / name, fmt, schema)
        assert quick is not None, name
        assert quick_rows == exact_rows, name
        assert quick.warnings == exact.warnings, name


def test_files_with_problems_are_left_to_the_exact_pass():
    schema = json.loads((DATA / "spend.schema.json").read_text(encoding="utf-8"))
    for name in ("spend-planted-errors.csv", "spend-blank-rows.csv"):
        quick, _rows = _quick(DATA / name, "csv", schema)
        assert quick is None, name


def test_a_windows_1252_byte_with_no_character_is_left_to_the_exact_pass(tmp_path):
    """0x81 means nothing in Windows-1252: the exact pass reads it as U+FFFD, Arrow refuses."""
    path = tmp_path / "wards.csv"
    path.write_bytes("ward,note\nHeworth,caf\xe9\nAcomb,x\x81y\n".encode("latin-1"))
    schema = {"fields": [{"name": "ward", "type": "string"}, {"name": "note", "type": "string"}]}
    exact, rows = _exact(path, "csv", schema)
    assert exact.valid and rows == [(2, "Heworth", "café"), (3, "Acomb", "x\ufffdy")]
    quick, _rows = _quick(path, "csv", schema)
    assert quick is None


def test_a_repeat_in_a_unique_column_is_left_to_the_exact_pass_whatever_the_keys(tmp_path):
    """Rising primary keys cannot repeat, but a unique column beside them still can."""
    path = tmp_path / "contracts.csv"
    path.write_text("id,reference\n1,C-001\n2,C-002\n3,C-001\n", encoding="utf-8")
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "reference", "type": "string", "constraints": {"unique": True}},
        ],
        "primaryKey": ["id"],
    }
    exact, _rows = _exact(path, "csv", schema)
    assert [(e.type, e.row_number) for e in exact.errors] == [("unique-error", 4)]
    quick, _rows = _quick(path, "csv", schema)
    assert quick is None
