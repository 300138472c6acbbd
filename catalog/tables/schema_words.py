"""Table Schema fields in plain English, the one wording for the schema pages and the data
dictionary on resource pages, so a reader never needs to know Frictionless to use the data."""

from __future__ import annotations

from typing import Any

TYPE_WORDS = {
    "string": "Text",
    "integer": "Whole number",
    "number": "Number",
    "boolean": "Yes or no",
    "date": "Date",
    "datetime": "Date and time",
    "time": "Time",
    "year": "Year",
    "yearmonth": "Year and month",
    "duration": "Length of time",
    "geopoint": "Map point",
    "geojson": "Map shape (GeoJSON)",
    "object": "JSON object",
    "array": "JSON list",
    "any": "Any value",
}


def type_words(field: dict[str, Any]) -> str:
    """'Whole number', 'Date', ...; a format is added where it changes what is accepted."""
    words = TYPE_WORDS.get(field.get("type", "any"), field.get("type", "Any value"))
    if field.get("format") not in (None, "default", "any"):
        words += f" ({field['format']})"
    if field.get("type") == "number" and field.get("bareNumber") is False:
        words += ", may include £ or %"
    if field.get("groupChar"):
        words += f", thousands may be separated by '{field['groupChar']}'"
    return words


def constraint_words(field: dict[str, Any]) -> list[str]:
    """Each constraint of a field as a short sentence: 'Required', 'One of: a, b', 'At least 0'."""
    constraints = field.get("constraints", {})
    words = []
    if constraints.get("required"):
        words.append("Required")
    if constraints.get("unique"):
        words.append("Must be unique")
    if "enum" in constraints:
        words.append("One of: " + ", ".join(str(value) for value in constraints["enum"]))
    if "minimum" in constraints:
        words.append(f"At least {constraints['minimum']}")
    if "maximum" in constraints:
        words.append(f"At most {constraints['maximum']}")
    if "minLength" in constraints:
        words.append(f"At least {constraints['minLength']} characters")
    if "maxLength" in constraints:
        words.append(f"At most {constraints['maxLength']} characters")
    if "pattern" in constraints:
        words.append(f"Must match the pattern {constraints['pattern']}")
    return words


def primary_key(schema: dict[str, Any]) -> list[str]:
    """The columns that identify a row; the specification allows one name or a list."""
    key = schema.get("primaryKey", [])
    return [key] if isinstance(key, str) else list(key)


def missing_value_words(schema: dict[str, Any]) -> list[str]:
    """What counts as no value: the default is an empty cell."""
    return [
        "An empty cell" if value == "" else f"“{value}”"
        for value in schema.get("missingValues", [""])
    ]
