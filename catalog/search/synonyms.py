"""The council's synonym list applied to a search, above the search interface.

Residents search in their own words ("bins", "potholes", "CTax"); the catalogue is written in
the council's ("household waste", "highway maintenance", "council tax"). The list is data
(`synonyms.txt`, one group per line in Solr's form), read once. A word or phrase of a search
found in it becomes a `Synonyms` clause (what was typed, or any synonym) in the query's
expression, so every backend answers alike and none needs the list; and since the search then
asks in the catalogue's words, no "did you mean" proposes a rarer spelling of what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from catalog.search import SearchQuery
from catalog.search.query_language import (
    All,
    And,
    Expression,
    Not,
    Or,
    Phrase,
    Synonyms,
    Words,
    every,
)

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
SHORT = 3  # letters in a word a longer word may begin with by chance ("bin", "foi")
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # the search index's words, so "fly-tipping" is two

Entry = tuple[str, ...]  # a word or phrase of the list, as its lower-case words


def _entry(text: str) -> Entry:
    return tuple(word.casefold() for word in _TOKEN.findall(text))


@dataclass(frozen=True)
class SynonymList:
    """Each entry (a word or phrase) with the other entries of every group it is in."""

    others: dict[Entry, tuple[Entry, ...]]

    @classmethod
    def read(cls, text: str) -> SynonymList:
        found: dict[Entry, dict[Entry, None]] = {}
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                continue
            group = [e for e in map(_entry, line.split(",")) if e]
            for entry in group:
                found.setdefault(entry, {}).update(dict.fromkeys(e for e in group if e != entry))
        return cls({entry: tuple(others) for entry, others in found.items() if others})

    @property
    def longest(self) -> int:
        return max(map(len, self.others), default=0)

    def applied(self, query: SearchQuery) -> SearchQuery:
        """The query with its free text and expression asking for synonyms too. Free text with
        none of the list's words stays free text, so "did you mean" may still help it."""
        expression = self.expand(query.expression) if query.expression is not None else None
        typed = self.expand(Words(query.text))
        if query.text.strip() and typed != Words(query.text):
            return replace(query, text="", expression=every([typed, expression or All()]))
        return replace(query, expression=expression)

    def expand(self, expression: Expression) -> Expression:
        """The expression with each word or phrase of the list asking for its synonyms too. A
        quoted phrase is expanded only when it is an entry as a whole."""
        if isinstance(expression, Words):
            return self._words(expression)
        if isinstance(expression, Phrase) and expression.words in self.others:
            return self._synonyms(expression, expression.words, expression.field)
        if isinstance(expression, And):
            return every([self.expand(part) for part in _joined(expression.parts)])
        if isinstance(expression, Or):
            return Or(tuple(self.expand(part) for part in expression.parts))
        if isinstance(expression, Not):
            return Not(self.expand(expression.part))
        return expression

    def _words(self, words: Words) -> Expression:
        """Words that must all be found, each run of them that is an entry as a `Synonyms`
        clause (the longest entry first), the rest as typed."""
        tokens = list(_TOKEN.finditer(words.text))
        parts: list[Expression] = []
        unmatched: list[re.Match[str]] = []
        i = 0
        while i < len(tokens):
            span = self._entry_at(tokens, i)
            if not span:
                unmatched.append(tokens[i])
                i += 1
                continue
            parts.append(_as_typed(unmatched, words))
            matched = tokens[i : i + span]
            typed = Words(words.text[matched[0].start() : matched[-1].end()], words.field)
            parts.append(self._synonyms(typed, _entry(typed.text), words.field))
            unmatched, i = [], i + span
        if not parts:
            return words
        return every([*parts, _as_typed(unmatched, words)])

    def _entry_at(self, tokens: list[re.Match[str]], start: int) -> int:
        """How many words from `start` make the longest entry of the list (0: none)."""
        for size in range(min(self.longest, len(tokens) - start), 0, -1):
            if tuple(t.group().casefold() for t in tokens[start : start + size]) in self.others:
                return size
        return 0

    def _synonyms(self, typed: Expression, entry: Entry, field: str | None) -> Synonyms:
        """Synonyms of one word are matched as typed words are (by their postings, fast on any
        catalogue), except short ones, matched as whole words: "bin" must not find "binary"."""
        return Synonyms(typed, tuple(_alternative(other, field) for other in self.others[entry]))


def _alternative(entry: Entry, field: str | None) -> Expression:
    if len(entry) == 1 and len(entry[0]) > SHORT:
        return Words(entry[0], field)
    return Phrase(entry, field)


def _as_typed(tokens: list[re.Match[str]], words: Words) -> Expression:
    if not tokens:
        return All()
    return Words(words.text[tokens[0].start() : tokens[-1].end()], words.field)


def _joined(parts: tuple[Expression, ...]) -> list[Expression]:
    """Side-by-side words in one field as one `Words` (each must be found either way), so an
    entry of several words ("fly tipping") is found when sent as separate clauses."""
    joined: list[Expression] = []
    for part in parts:
        before = joined[-1] if joined else None
        if isinstance(part, Words) and isinstance(before, Words) and before.field == part.field:
            joined[-1] = Words(f"{before.text} {part.text}", part.field)
        else:
            joined.append(part)
    return joined


@cache
def council_synonyms() -> SynonymList:
    """The list in the repository, read once per process."""
    return SynonymList.read(SYNONYMS_FILE.read_text(encoding="utf-8"))


def with_synonyms(query: SearchQuery) -> SearchQuery:
    return council_synonyms().applied(query)
