"""How search reads text into words and ranks by them, shared by every backend so they find,
and order, the same documents.

Words are lower case and accent-free (`café` is `cafe`); stop words ("the", "of") are not
searched for, but hold their place in a phrase. A typed word finds the words it begins (from
`MIN_PREFIX` letters) and those with its Porter stem. Relevance is a match score, not BM25: for
each of the first `RANK_WORDS` words, 1 for a match anywhere, plus 3 in the title and 1.5 in the
name, tags, topics or publisher, scaled by the word's rarity among public documents (so a draft
cannot reorder public results); ties go to the most recently updated. "Did you mean" offers near
spellings that are far commoner among the documents the searcher may see.
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import chain

from whoosh.analysis import STOP_WORDS, CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map
from whoosh.support.levenshtein import damerau_levenshtein

from catalog.search.query_language import And, Expression, Or, Phrase, Synonyms, Words

__all__ = ["STOP_WORDS"]

TOKENS = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
MIN_PREFIX = 3  # shorter words match whole words only: "s" would expand to half the word list
MAX_WORDS = 12  # a pasted paragraph is not a search; later words are ignored
FEW = 3  # fewer results than this earns a "did you mean"
RANK_WORDS = 3  # words that shape the ranking (score tiers multiply with each word)
TITLE_BOOST, KEYWORDS_BOOST = 3.0, 1.5  # on top of 1 for a match anywhere


def tokens(text: str) -> list[str]:
    return [t.text for t in TOKENS(text)]


def query_words(text: str) -> list[str]:
    """User text as plain lowercase words: no operator or character is ever query syntax."""
    found = list(dict.fromkeys(tokens(text[:1000])))[:MAX_WORDS]
    return [w for w in found if w not in STOP_WORDS] or found


def terms(text: str) -> list[str]:
    """The words of a CKAN query's clause: as `words`, but a clause of only stop words asks
    for nothing (as in Solr), rather than for words no document is indexed with."""
    return [w for w in dict.fromkeys(tokens(text[:1000])) if w not in STOP_WORDS]


stem = lru_cache(maxsize=50_000)(porter_stem)  # a catalogue's words repeat: each stemmed once


def stems(text: str) -> str:
    """A text as its words' stems, the form phrases are checked in. A stop word holds its
    place as "_", so "safety road" is not found in "safety of the roads"."""
    return " ".join("_" if word in STOP_WORDS else stem(word) for word in tokens(text))


def ranking_words(expression: Expression) -> list[str]:
    """The words an expression asks for (not those it rules out), to rank the results by."""
    if isinstance(expression, Words):
        return terms(expression.text)
    if isinstance(expression, Phrase):
        return terms(" ".join(expression.words))
    if isinstance(expression, And | Or):
        return list(dict.fromkeys(chain(*(ranking_words(p) for p in expression.parts))))
    if isinstance(expression, Synonyms):
        return ranking_words(expression.typed)
    return []


def rarity(public: int, holding: int) -> float:
    """A word's weight: higher the fewer of the `public` documents are `holding` it."""
    return math.log(1 + public / (1 + holding))


def max_distance(word: str) -> int:
    """How many edits a respelling of `word` may be; 0 for words not worth respelling."""
    if len(word) < 4 or not word.isalpha():
        return 0
    return 1 if len(word) < 6 else 2


def respelling(word: str, own: int, near: dict[str, int]) -> str:
    """The near word (with its count of documents) far commoner than `word` (`own` documents)
    and closest to it, or `word` itself."""
    options = [
        (damerau_levenshtein(word, term), -count, term)
        for term, count in near.items()
        if count > 5 * own
    ]
    return min(options)[2] if options else word


def near(word: str, candidates: list[str]) -> list[str]:
    """The candidates a respelling of `word` may be: its first letter, few edits away."""
    most = max_distance(word)
    return [
        term
        for term in candidates
        if term[:1] == word[:1] and damerau_levenshtein(word, term, limit=most + 1) <= most
    ]
