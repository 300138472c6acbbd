"""Documents and words as PostgreSQL full-text values, read exactly as `analysis.py` reads them.

A document's `tsvector` is built here rather than by `to_tsvector`, so both backends split,
fold and stem alike: each word is stored with its Porter stem at the same position, weighted
by where it stands (title A; name, tags, topics, publisher B; description C; columns and file
texts D). A stop word keeps its place, and separate texts are kept apart, so a phrase is found
only as written inside one text. A typed word is a `tsquery` of the words it begins and its
stem; both are passed as literals, never parsed by PostgreSQL's own text parser.
"""

from __future__ import annotations

from collections import defaultdict

from catalog.search import SearchDocument
from catalog.search.analysis import MIN_PREFIX, STOP_WORDS, stem, tokens

LONGEST = 200  # letters in a word; PostgreSQL refuses words over 2 KB, and none is this long
_GAP = 10  # positions between texts, so no phrase spans two of them
_LAST = 16383  # PostgreSQL's last position
_POSITIONS = 256  # positions PostgreSQL keeps of one word
TITLE, KEYWORDS, NOTES, FILES = "A", "B", "C", "D"  # title; name, tags...; description; files
WEIGHTS = {"title": TITLE, "notes": NOTES}  # CKAN's text fields by their weights


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(doc: SearchDocument) -> tuple[str, set[str]]:
    """The document as a `tsvector` literal, and the words it holds (for "did you mean")."""
    texts = [
        (TITLE, [doc.title]),
        (KEYWORDS, [doc.name, *doc.tags, *doc.topics, doc.organisation or ""]),
        (NOTES, [doc.description]),
        (FILES, [*doc.columns, doc.resource_text]),
    ]
    places: defaultdict[str, dict[int, str]] = defaultdict(dict)
    words: set[str] = set()
    position = 1
    for weight, parts in texts:
        for part in parts:
            for word in tokens(part):
                if word not in STOP_WORDS and len(word) <= LONGEST:
                    words.add(word)
                    for lexeme in (word, stem(word)):
                        places[lexeme].setdefault(position, weight)
                position = min(position + 1, _LAST)
            position = min(position + _GAP, _LAST)
    entries = (
        _quoted(lexeme) + ":" + ",".join(f"{p}{w}" for p, w in list(held.items())[:_POSITIONS])
        for lexeme, held in places.items()
    )
    return " ".join(entries), words


def word_query(word: str, weight: str = "") -> str | None:
    """A typed word as a `tsquery`: the words it begins, or its stem (a short word: only
    itself); only where it has this `weight`, if one is given. None: it matches nothing."""
    if len(word) > LONGEST:
        return None
    if len(word) < MIN_PREFIX:
        return f"{_quoted(word)}:{weight}" if weight else _quoted(word)
    return f"({_quoted(word)}:*{weight} | {_quoted(stem(word))}{':' + weight if weight else ''})"


def phrase_query(text: str, weight: str = "") -> str | None:
    """Words side by side as a `tsquery` of their stems, a stop word holding its place."""
    query, gap = "", 1
    for word in tokens(text):
        if word in STOP_WORDS:
            gap += 1 if query else 0
            continue
        if len(word) > LONGEST:
            return None
        lexeme = _quoted(stem(word)) + (f":{weight}" if weight else "")
        query, gap = (f"{query} <{gap}> {lexeme}" if query else lexeme), 1
    return query or None
