"""Messy real-world CSV files preview and describe correctly."""

from __future__ import annotations

import pytest

from catalog.tables.reading import infer_schema, preview, sniff

ROWS = [["Ward", "Spend"], ["Acomb", "12.50"], ["Clifton", "1200"]]


@pytest.mark.parametrize(
    "name, content, encoding, delimiter",
    [
        ("plain", b"Ward,Spend\nAcomb,12.50\nClifton,1200\n", "utf-8", ","),
        ("bom", b"\xef\xbb\xbfWard,Spend\r\nAcomb,12.50\r\nClifton,1200\r\n", "utf-8-sig", ","),
        ("semicolons", b"Ward;Spend\nAcomb;12.50\nClifton;1200\n", "utf-8", ";"),
        ("tabs", b"Ward\tSpend\nAcomb\t12.50\nClifton\t1200\n", "utf-8", "\t"),
        ("blank rows", b"Ward,Spend\nAcomb,12.50\n\n,\nClifton,1200\n\n\n", "utf-8", ","),
    ],
)
def test_messy_files_preview_as_the_same_table(tmp_path, name, content, encoding, delimiter):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    layout = sniff(path)
    assert (layout.encoding, layout.delimiter) == (encoding, delimiter)
    table = preview(path)
    assert [table.header, *table.rows] == ROWS


def test_windows_1252_is_read_as_such(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes("Supplier,Amount\nCaf\u00e9 Ouse,\u00a3500\n".encode("cp1252"))
    assert sniff(path).encoding == "cp1252"
    assert preview(path).rows == [["Caf\u00e9 Ouse", "\u00a3500"]]


def test_preview_stops_at_the_limit_and_says_so(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("n\n" + "\n".join(str(i) for i in range(50)), encoding="utf-8")
    table = preview(path, limit=10)
    assert len(table.rows) == 10
    assert table.truncated


def test_schema_is_inferred_with_types(tmp_path):
    path = tmp_path / "wards.csv"
    path.write_bytes(
        b"Ward;Population;Surveyed\nAcomb;10674;2021-03-21\nClifton;13481;2021-03-21\n"
    )
    fields = infer_schema(path)["fields"]
    assert [(f["name"], f["type"]) for f in fields] == [
        ("Ward", "string"),
        ("Population", "integer"),
        ("Surveyed", "date"),
    ]
