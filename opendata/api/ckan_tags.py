"""CKAN read actions about tags: listing, showing, searching and autocompleting them.

Only tags on public datasets exist here (`catalog.publishing.tags`). Every tag is a free tag:
the catalogue has no tag vocabularies, so naming one is a 404, as CKAN answers an unknown one.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from catalog.errors import NotFound
from catalog.models import Tag
from catalog.publishing.lookups import public_datasets_in
from catalog.publishing.tags import public_tag_by_ref, public_tags
from opendata.api.ckan_dicts import package_dict, tag_dict
from opendata.api.ckan_params import flag, number, required, text
from opendata.api.ckan_search import count_param
from opendata.database import get_session

MAX_TAGS = 1000


def tag_list(params: dict[str, Any]) -> list:
    """The tags of public datasets, A to Z: names, or with `all_fields=true` dictionaries;
    `query` (or `q`) keeps those whose name holds it."""
    _no_vocabulary(params)
    found = public_tags(get_session(), containing=text(params, "query", "q"))
    if flag(params, "all_fields"):
        return [tag_dict(tag) for tag in found]
    return [tag.name for tag in found]


def tag_show(params: dict[str, Any]) -> dict[str, Any]:
    """One tag of a public dataset by `id` (its name or UUID); with `include_datasets=true`
    its public datasets (the first 1000)."""
    _no_vocabulary(params)
    session = get_session()
    tag = public_tag_by_ref(session, required(params, "id"))
    shown = tag_dict(tag)
    if flag(params, "include_datasets"):
        shown["packages"] = [package_dict(d) for d in public_datasets_in(session, tag=tag)]
    return shown


def tag_search(params: dict[str, Any]) -> dict[str, Any]:
    """Tags whose names hold every one of `query` (a string or a list of them), with `limit`
    (at most 1000) and `offset`: {count, results}. No query finds nothing."""
    found = _matching(params)
    offset = count_param(params, "offset", 0)
    page = found[offset : offset + number(params, "limit", MAX_TAGS, most=MAX_TAGS)]
    return {
        "count": len(found),
        "results": [{"id": t.uuid, "name": t.name, "vocabulary_id": None} for t in page],
    }


def tag_autocomplete(params: dict[str, Any]) -> list[str]:
    """Names of tags that hold `query` (or `q`), at most `limit` (10), with `offset`."""
    found = _matching(params)
    offset = count_param(params, "offset", 0)
    return [tag.name for tag in found[offset : offset + number(params, "limit", 10, most=100)]]


def _matching(params: dict[str, Any]) -> list[Tag]:
    _no_vocabulary(params)
    terms = _terms(params.get("query", params.get("q")))
    if not terms:
        return []
    found = public_tags(get_session(), containing=terms[0])
    return [tag for tag in found if all(term.lower() in tag.name.lower() for term in terms)]


def _terms(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(term, str) for term in raw):
        raise ValidationError({"query": ["Send a string or a list of strings"]})
    return [term.strip() for term in raw if term.strip()]


def _no_vocabulary(params: dict[str, Any]) -> None:
    if params.get("vocabulary_id"):
        raise NotFound(f"There is no tag vocabulary '{params['vocabulary_id']}'.")


def vocabulary_list(_params: dict[str, Any]) -> list[dict[str, Any]]:
    """Tag vocabularies: the catalogue has none."""
    return []


def vocabulary_show(params: dict[str, Any]) -> dict[str, Any]:
    """One tag vocabulary by `id`: there are none, so any is not found."""
    raise NotFound(f"Could not find vocabulary '{required(params, 'id')}'.")


ACTIONS = {
    function.__name__: function
    for function in (
        tag_list,
        tag_show,
        tag_search,
        tag_autocomplete,
        vocabulary_list,
        vocabulary_show,
    )
}
