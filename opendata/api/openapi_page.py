"""The API description as `/api/docs` shows it: one entry per operation, with each parameter
and body field as a row saying in words what it accepts (type, format, bounds, choices,
default), so the page needs no logic of its own."""

from __future__ import annotations

from typing import Any


def documented_operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The paths flattened: one entry per path and method, in document order. A POST that
    takes a GET's parameters as a JSON object says so rather than repeating them."""
    return [
        _operation(path, method, operation, item.get("get"))
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def _operation(
    path: str, method: str, operation: dict[str, Any], get: dict[str, Any] | None
) -> dict[str, Any]:
    summary, description = operation.get("summary", ""), operation.get("description", "")
    body = _body(operation.get("requestBody"))
    as_get = (
        body is not None
        and get is not None
        and sorted(field["name"] for field in body["fields"])
        == sorted(param["name"] for param in get.get("parameters", []))
    )
    return {
        "path": path,
        "method": method.upper(),
        "summary": summary,
        "description": "" if as_get or _says_no_more(description, summary) else description,
        "tags": operation.get("tags", []),
        "needs_token": bool(operation.get("security")) and {} not in operation["security"],
        "parameters": [_parameter(p) for p in operation.get("parameters", [])],
        "body": body,
        "as_get": as_get,
        "responses": _responses(operation["responses"]),
    }


def _says_no_more(description: str, summary: str) -> bool:
    return " ".join(description.split()).rstrip(".") == " ".join(summary.split()).rstrip(".")


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    """A parameter; one sent as JSON text is shown with its JSON value's schema."""
    if "content" in param:
        (media_type, value), *_ = param["content"].items()
        param = {
            **param,
            "schema": value["schema"],
            "description": f"{param['description']} ({media_type})",
        }
    return _row(param["name"], param["in"], param.get("required", False), param)


def _body(request_body: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fields of a JSON (or multipart) body, from its first content type's schema."""
    if not request_body:
        return None
    content = request_body["content"]
    schema = next(iter(content.values()))["schema"]
    required = set(schema.get("required", []))
    fields = [
        _row(
            name,
            "body",
            name in required,
            {"description": field.get("description", ""), "schema": field},
        )
        for name, field in schema.get("properties", {}).items()
    ]
    return {"media_types": list(content), "fields": fields}


def _row(name: str, where: str, required: bool, param: dict[str, Any]) -> dict[str, Any]:
    schema = param.get("schema", {})
    return {
        "name": name,
        "in": where,
        "required": required,
        "type": _type(schema),
        "accepts": _accepts(schema),
        "default": _shown(schema["default"]) if "default" in schema else "",
        "description": param.get("description", ""),
        "example": param.get("example", ""),
    }


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    kinds = " or ".join(kind) if isinstance(kind, list) else kind
    if kind == "array":
        kinds = f"list of {_type(schema.get('items', {}))}"
    return f"{kinds} ({schema['format']})" if "format" in schema else kinds


def _accepts(schema: dict[str, Any]) -> str:
    """Bounds and choices in words: "0 to 1,000", "one of: a, b", "at least 1 item"."""
    parts = []
    if "enum" in schema:
        parts.append("one of: " + ", ".join(_shown(value) for value in schema["enum"]))
    least, most = schema.get("minimum"), schema.get("maximum")
    if least is not None and most is not None:
        parts.append(f"{least:,} to {most:,}")
    elif least is not None:
        parts.append(f"{least:,} or more")
    elif most is not None:
        parts.append(f"at most {most:,}")
    if schema.get("minLength"):
        parts.append("not blank")
    if schema.get("minItems"):
        parts.append(f"at least {schema['minItems']}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value == "":
        return '"" (empty)'
    return str(value).lower() if isinstance(value, bool) else str(value)


def _responses(responses: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "status": status,
            "description": response.get("description", ""),
            "media_types": ", ".join(response.get("content", {})),
        }
        for status, response in responses.items()
    ]
