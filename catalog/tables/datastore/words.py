"""Full-text queries on a table's rows, as CKAN's `datastore_search` takes them in `q`.

`plain` text is a list of words that must all appear (PostgreSQL's `plainto_tsquery`); the
other form is `to_tsquery`'s little language: `&` (and), `|` (or), `!` (not), brackets, and
`word:*` for a prefix. A word matches a text cell that contains it, whatever the case, and a
number, year or true/false cell that equals it. The same rule runs on SQLite and PostgreSQL,
so both answer alike, but for the case of letters beyond ASCII, which only PostgreSQL folds
("École" is found by "école" there, not on SQLite). There is no stemming (`visit` finds
"visits", `visits` does not find "visit") and no ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.errors import Invalid

# A word is a run of letters and digits, or a decimal number (so 12.5 stays one word).
WORD = re.compile(r"\d+(?:\.\d+)+|\w+")
# to_tsquery's tokens: operators, brackets, a weight or prefix marker (`:*`, `:AB`), words.
TOKEN = re.compile(r"\s*(<\d*->|<\d+>|[&|!()]|:[*A-Da-d]+|[^\s&|!():<]+|.)")


@dataclass(frozen=True)
class Word:
    text: str  # lower case


@dataclass(frozen=True)
class Not:
    part: Words


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Words, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Words, ...]


Words = Word | Not | AllOf | AnyOf


def parse_words(text: str, *, plain: bool, field: str = "q") -> Words:
    """The query in `text`; with `plain` every word must match. An empty plain query (no
    letters or digits) matches no row, as CKAN's does."""
    if plain:
        return AllOf(tuple(_words(text)))
    tokens = [token for token in TOKEN.findall(text) if token.strip()]
    if not tokens:
        return AllOf(())
    parser = _Parser(tokens, field)
    found = parser.either()
    if parser.position != len(tokens):
        raise parser.error(f"'{tokens[parser.position]}' is not expected here")
    return found


def _words(text: str) -> list[Word]:
    return [Word(word) for word in WORD.findall(text.lower())]


class _Parser:
    """Recursive descent over to_tsquery's grammar: `|` binds loosest, then `&` (and the phrase
    operators `<->`, read as `&`), then `!`."""

    def __init__(self, tokens: list[str], field: str) -> None:
        self.tokens = tokens
        self.position = 0
        self.field = field

    def either(self) -> Words:
        parts = [self.both()]
        while self._take("|"):
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def both(self) -> Words:
        parts = [self.single()]
        while self._peek() == "&" or self._peek().startswith("<"):
            self.position += 1
            parts.append(self.single())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def single(self) -> Words:
        token = self._peek()
        if token == "!":
            self.position += 1
            return Not(self.single())
        if token == "(":
            self.position += 1
            inside = self.either()
            if not self._take(")"):
                raise self.error("a bracket is not closed")
            return inside
        words = _words(token) if token and token not in "&|)" else []
        if not words:
            raise self.error(f"a word is expected {self._where()}")
        self.position += 1
        self._take_marker()
        return words[0] if len(words) == 1 else AllOf(tuple(words))

    def error(self, problem: str) -> Invalid:
        return Invalid(
            f"{self.field} is not a valid query: {problem}. Use words joined by & (and), "
            "| (or) and ! (not), with brackets, or send plain=true.",
            field=self.field,
        )

    def _take_marker(self) -> None:
        if self._peek().startswith(":"):
            self.position += 1

    def _take(self, token: str) -> bool:
        if self._peek() == token:
            self.position += 1
            return True
        return False

    def _peek(self) -> str:
        return self.tokens[self.position].strip() if self.position < len(self.tokens) else ""

    def _where(self) -> str:
        if self.position >= len(self.tokens):
            return "at the end"
        return f"before '{self._peek()}'"
