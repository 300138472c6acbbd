"""A CKAN query expression (`query_language.py`) as an SQL condition on the search entries.

The condition is always used beside the one of what the searcher may see, so a NOT keeps within
it: `-tags:x` is every visible entry without the tag, never a hidden one. A NOT is true where
its part is not true, so an entry without the value (a NULL) is counted as not having it.
"""

from __future__ import annotations

from typing import assert_never

from sqlalchemy import ColumnElement, Text, and_, cast, false, literal, or_, true
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from catalog.models import SearchEntry
from catalog.search import FACETS
from catalog.search.analysis import terms
from catalog.search.postgres_words import WEIGHTS, phrase_query, word_query
from catalog.search.query_language import (
    All,
    And,
    Expression,
    Field,
    Not,
    Or,
    Phrase,
    Range,
    Synonyms,
    Words,
)

E = SearchEntry.__table__.c
VALUES = {"name": E.name, "id": E.id}
TIMES = {"modified": E.updated_at, "created": E.created_at}


def matches(query: str | None) -> ColumnElement[bool]:
    """Entries whose words match a `tsquery` literal (None: none do)."""
    if query is None:
        return false()
    return E.text.bool_op("@@")(cast(literal(query), TSQUERY))


def has_words(words: list[str], field: str | None = None) -> ColumnElement[bool]:
    """Entries holding every word, in CKAN's `title` or `notes` field if one is named."""
    weight = WEIGHTS.get(field or "", "")
    return and_(true(), *(matches(word_query(word, weight)) for word in words))


def facet_value(name: str, value: str) -> str:
    """A facet's value as the entries' `facets` hold it ("tag:roads")."""
    return f"{name}:{value}"


def has_value(name: str, value: str) -> ColumnElement[bool]:
    """Entries with this value of a facet, or this URL name or id."""
    if name in FACETS:
        return E.facets.bool_op("@>")(literal([facet_value(name, value)], ARRAY(Text)))
    if name in VALUES:
        return VALUES[name] == value
    return false()


def condition(expression: Expression, public: ColumnElement[bool]) -> ColumnElement[bool]:
    """What the expression matches; `public` entries are those in state "active" (in a
    member's search the rest are "draft")."""
    if isinstance(expression, All):
        return true()
    if isinstance(expression, Words):
        return has_words(terms(expression.text), expression.field)
    if isinstance(expression, Phrase):
        text = " ".join(expression.words)
        weight = WEIGHTS.get(expression.field or "", "")
        return matches(phrase_query(text, weight)) if terms(text) else true()
    if isinstance(expression, Field) and expression.name == "state":
        return {"active": public, "draft": public.is_not(True)}.get(expression.value, false())
    if isinstance(expression, Field):
        return has_value(expression.name, expression.value)
    if isinstance(expression, Range):
        return _between(expression)
    if isinstance(expression, And):
        return and_(true(), *(condition(part, public) for part in expression.parts))
    if isinstance(expression, Or | Synonyms):
        parts = expression.parts if isinstance(expression, Or) else expression.alternatives
        return or_(false(), *(condition(part, public) for part in parts))
    if isinstance(expression, Not):
        return condition(expression.part, public).is_not(True)
    assert_never(expression)


def _between(span: Range) -> ColumnElement[bool]:
    column, found = TIMES[span.name], []
    if span.low is not None:
        found.append(column >= span.low if span.include_low else column > span.low)
    if span.high is not None:
        found.append(column <= span.high if span.include_high else column < span.high)
    return and_(true(), *found)
