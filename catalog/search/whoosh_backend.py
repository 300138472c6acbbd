"""Embedded search on Whoosh, kept in a folder so small deployments need no search server.

Whoosh stores the postings, columns and word list; searches run on bitmasks (Python ints, bit n =
Whoosh docnum n), since walking Whoosh matchers or facet collectors over 20,000 docs takes tens of
milliseconds and AND-ing and popcounting a 2.5 KB int takes a microsecond. Words are indexed
unstemmed, so prefixes and "did you mean" use real words; a typed word also finds indexed words
with its Porter stem. Relevance is the match score of `analysis.py`, in tiers of equal score.
Datetimes are stored as microseconds since the epoch in naive UTC: aware values are converted,
naive ones are taken to be UTC already (as the catalogue stores them).

A CKAN query expression is evaluated on the same bitmasks: AND, OR and NOT are &, | and
"visible and not", so a NOT never reaches a hidden document. A phrase is checked among the
documents holding all its words, against a stored copy of each text as its words' stems.
"""

from __future__ import annotations

import logging
import operator
import os
import threading
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import reduce
from itertools import chain, islice, product
from pathlib import Path
from typing import Any, NamedTuple, assert_never

from whoosh import index, writing
from whoosh.analysis import StopFilter
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, FieldType, Schema
from whoosh.formats import Existence
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from catalog.search import FACETS, SORTS, FacetCount, SearchDocument, SearchQuery, SearchResults
from catalog.search.analysis import (
    FEW,
    KEYWORDS_BOOST,
    MIN_PREFIX,
    RANK_WORDS,
    TITLE_BOOST,
    TOKENS,
    max_distance,
    query_words,
    ranking_words,
    rarity,
    respelling,
    stem,
    stems,
    terms,
)
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

log = logging.getLogger(__name__)

_PAIR, _VALUE = "\x1e", "\x1f"  # separators in the packed facet column, stripped from values
_CLEAN = str.maketrans("", "", _PAIR + _VALUE)
_EPOCH = datetime(1970, 1, 1)
_NEVER = 2**63 - 1  # release time of drafts and withdrawn docs; end of a doc that always holds
_WORD_CACHE = 512  # words kept per segment and per generation (under 13 KB each at 20,000 docs)
_FACET_CACHE = 256  # facet counts per generation, keyed by result set
_LOCK_WAIT = 30.0  # seconds to wait for another process's writer, e.g. a CLI reindex
_BOOSTS = {"title": TITLE_BOOST, "keywords": KEYWORDS_BOOST}
_TEXTS = ("words", *_BOOSTS)  # fields a word is looked up in
_COLUMNS = (
    *("id", "released", "modified", "title_key", "facets", "holds_from", "holds_until"),
    *("created", "url_name"),
)
_ORDERS = {  # a sort -> (the key it orders by, descending); "updated" keys are newest first
    "relevance": ("updated", False),
    "updated": ("updated", False),
    "updated_asc": ("updated", True),
    "created": ("created", False),
    "created_asc": ("created", True),
    "name": ("title", False),
    "name_desc": ("title", True),
    "id": ("id", False),
    "url_name": ("url_name", False),
}
_PARTS = {"title": 0, "notes": 1}  # where a field's text is among the stored phrase texts


def _schema() -> Schema:
    """`words` holds all the text, title and keywords again to rank by; `phrases` the texts as
    stems, to check phrases and CKAN's `notes:` against (postings of the notes again would
    make indexing half as slow again). Fields are scorable only because otherwise Whoosh's
    writer stats a missing lengths file once per posting."""
    text = FieldType(Existence(), TOKENS | StopFilter(minsize=1), scorable=True)
    return Schema(
        id=ID(unique=True, sortable=True),
        released=COLUMN(NumericColumn("q")),
        modified=COLUMN(NumericColumn("q")),
        created=COLUMN(NumericColumn("q")),
        holds_from=COLUMN(NumericColumn("q")),
        holds_until=COLUMN(NumericColumn("q")),
        title_key=COLUMN(VarBytesColumn()),
        url_name=COLUMN(VarBytesColumn()),
        facets=COLUMN(VarBytesColumn()),
        phrases=COLUMN(VarBytesColumn()),
        **{name: text for name in _TEXTS},
    )


def _micros(moment: datetime) -> int:
    """One integer per moment compares and sorts faster than datetimes, and has no zone."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _fields(doc: SearchDocument) -> dict[str, object]:
    keywords = " ".join([doc.name, *doc.tags, *doc.topics, doc.organisation or ""])
    body = " ".join([doc.description, *doc.columns, doc.resource_text])
    raw = [(doc.organisation,), doc.topics, doc.tags, doc.formats, (doc.licence,), (doc.frequency,)]
    values = [[(v or "").translate(_CLEAN).strip() for v in vs] for vs in raw]
    pairs = {f"{f}{_VALUE}{v}" for f, vs in zip(FACETS, values, strict=True) for v in vs if v}
    texts = [doc.title, doc.description, doc.name, *doc.tags, *doc.topics, doc.organisation or ""]
    return {
        "id": doc.id,
        "title": doc.title,
        "keywords": keywords,
        "words": " ".join([doc.title, keywords, body]),
        "released": _micros(doc.released_at) if doc.released_at else _NEVER,
        "modified": _micros(doc.updated_at),
        "created": _micros(doc.created_at or doc.updated_at),
        "holds_from": _micros(doc.holds_from) if doc.holds_from else 0,
        "holds_until": _micros(doc.holds_until) if doc.holds_until else _NEVER,
        "title_key": doc.title.casefold().encode(),
        "url_name": doc.name.encode(),
        "facets": _PAIR.join(sorted(pairs)).encode(),
        "phrases": "\n".join(stems(t) for t in [*texts, *doc.columns, doc.resource_text]).encode(),
    }


def _mask(docnums: Iterable[int], size: int) -> int:
    """Bitmask of docnums, set in a bytearray: setting bits on an int one by one is quadratic."""
    buf = bytearray((size >> 3) + 1)
    for d in docnums:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


def _bits(mask: int) -> list[int]:
    """Docnums set in mask, lowest first; str.find skips runs of zeros at C speed."""
    text, found = bin(mask)[:1:-1], []
    i = text.find("1")
    while i >= 0:
        found.append(i)
        i = text.find("1", i + 1)
    return found


def _shift(docnums: list[int], offset: int) -> Iterable[int]:
    return (d + offset for d in docnums) if offset else docnums


def _stands_for(reader: IndexReader, word: str) -> list[str]:
    """Indexed words a typed word finds: those it begins and those with its stem. Porter rewrites
    at most the last letter a word shares with its stem, so only that short run is scanned."""
    if len(word) < MIN_PREFIX:
        return [word]
    root = stem(word)
    start = os.path.commonprefix([word, root])[:-1]
    start = start if len(start) >= MIN_PREFIX else word[:MIN_PREFIX]
    scanned = (t.decode() for t in reader.expand_prefix("words", start))
    return [t for t in scanned if t.startswith(word) or stem(t) == root]


def _counts(masks: dict[str, int], selected: int) -> list[FacetCount]:
    counted = sorted((-(mask & selected).bit_count(), value) for value, mask in masks.items())
    return [FacetCount(value, -negative) for negative, value in counted if negative]


class _Segment:
    """Column values and word matches of one segment, kept until a merge retires it. Segments
    never change and deletions are masked out per generation, so a one-document write does not
    mean re-reading 20,000 documents."""

    def __init__(self, leaf: IndexReader) -> None:
        self.ids, released, modified, titles, packed, holds_from, holds_until, created, names = (
            list(leaf.column_reader(c)) for c in _COLUMNS
        )
        self.size = len(self.ids)
        self.times = {"modified": modified, "created": created}
        self.keys = {
            "updated": [-m for m in modified],
            "created": [-c for c in created],
            "title": titles,
            "id": self.ids,
            "url_name": names,
        }
        self._orders: dict[str, list[int]] = {}
        self.releases = sorted((t, d) for d, t in enumerate(released) if t != _NEVER)
        self.starts = sorted((t, d) for d, t in enumerate(holds_from) if t)
        self.ends = sorted((t, d) for d, t in enumerate(holds_until) if t != _NEVER)
        docs: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for d, pairs in enumerate(packed):
            for pair in filter(None, pairs.decode().split(_PAIR)):
                docs[tuple(pair.split(_VALUE))].append(d)
        self.facets = {pair: _mask(found, self.size) for pair, found in docs.items()}
        self._words: dict[str, dict[str, int]] = {}

    def order(self, key: str) -> list[int]:
        """Docnums in order of a sort key, worked out when a search first sorts by it."""
        if key not in self._orders:
            self._orders[key] = sorted(range(self.size), key=self.keys[key].__getitem__)
        return self._orders[key]

    def word(self, leaf: IndexReader, word: str) -> dict[str, int]:
        """Docs per field holding the word; maybe some since deleted, which `live` removes."""
        if word not in self._words:
            if len(self._words) >= _WORD_CACHE:
                self._words.clear()
            terms = _stands_for(leaf, word)
            found = {name: [t for t in terms if (name, t) in leaf] for name in _TEXTS}
            self._words[word] = {
                name: _mask(chain(*(leaf.postings(name, t).all_ids() for t in ts)), self.size)
                for name, ts in found.items()
            }
        return self._words[word]


class _Word(NamedTuple):
    mask: int
    classes: list[tuple[float, int]]  # (weight, docs holding the word in just those fields)
    fields: dict[str, int]  # docs holding the word in each text field


class _Generation:
    """One committed index generation and what searches need from it, worked out once."""

    def __init__(self, searcher: Searcher, segments: dict[str, _Segment]) -> None:
        self.searcher, reader = searcher, searcher.reader()
        self.size = size = reader.doc_count_all()
        leaves = reader.leaf_readers() if size else []
        self._leaves = [(segments[leaf.segment().segment_id()], leaf, o) for leaf, o in leaves]
        dead = (d + o for _, leaf, o in self._leaves for d in leaf.segment().deleted_docs())
        self.live = (1 << size) - 1 & ~_mask(dead, size)
        self.ids = list(chain(*(seg.ids for seg, _, _ in self._leaves)))
        self._keys: dict[str, list[Any]] = {}
        self._orders: dict[str, list[int]] = {}
        self._times: dict[str, tuple[list[int], list[int]]] = {}
        self._exact: dict[str, dict[str, list[int]]] = {}
        self._checked: dict[tuple[str, tuple[str, ...], str | None], int] = {}  # by stored texts
        self._releases = self._timeline("releases")
        self._starts, self._ends = self._timeline("starts"), self._timeline("ends")
        self.facets: dict[str, dict[str, int]] = {name: defaultdict(int) for name in FACETS}
        for seg, _, offset in self._leaves:
            for (name, value), mask in seg.facets.items():
                self.facets[name][value] |= mask << offset
        self._visible: dict[int, int] = {}
        self._stale: dict[tuple[int, int], int] = {}
        self._words: dict[str, _Word] = {}
        self._facet_counts: dict[int, dict[str, list[FacetCount]]] = {}

    def key(self, name: str) -> list[Any]:
        """Every doc's value of a sort key, by docnum."""
        if name not in self._keys:
            self._keys[name] = list(chain(*(s.keys[name] for s, _, _ in self._leaves)))
        return self._keys[name]

    def order(self, name: str) -> list[int]:
        """Docnums in order of a sort key: the segments' sorted runs end to end, which sorted()
        merges in linear time."""
        if name not in self._orders:
            runs = chain(*(_shift(s.order(name), o) for s, _, o in self._leaves))
            self._orders[name] = sorted(runs, key=self.key(name).__getitem__)
        return self._orders[name]

    def _timeline(self, name: str) -> tuple[list[int], list[int]]:
        """(times, docs) of every segment's (time, doc) pairs, by time."""
        pairs = sorted((t, d + o) for s, _, o in self._leaves for t, d in getattr(s, name))
        return [t for t, _ in pairs], [d for _, d in pairs]

    def visible_at(self, now: int) -> int:
        """Released docs as of now; cached by how many are released, which rarely moves."""
        times, docs = self._releases
        cut = bisect_right(times, now)
        if cut not in self._visible:
            self._visible = {cut: _mask(docs[:cut], self.size) & self.live}
        return self._visible[cut]

    def stale_at(self, now: int) -> int:
        """Visible docs whose content does not hold now: a file version has been released
        since they were built (or, with a clock set back, was not yet)."""
        (starts, early), (ends, late) = self._starts, self._ends
        cuts = (bisect_right(starts, now), bisect_right(ends, now))
        if cuts not in self._stale:
            wrong = _mask(early[cuts[0] :], self.size) | _mask(late[: cuts[1]], self.size)
            self._stale = {cuts: wrong}
        return self._stale[cuts] & self.visible_at(now)

    def word(self, word: str) -> _Word:
        if word in self._words:
            return self._words[word]
        if len(self._words) >= _WORD_CACHE:
            self._words.clear()
        fields = dict.fromkeys(_TEXTS, 0)
        for seg, leaf, offset in self._leaves:
            for name, docs in seg.word(leaf, word).items():
                fields[name] |= docs << offset
        fields["words"] &= self.live
        classes: list[tuple[float, int]] = []
        for inside in product((True, False), repeat=len(_BOOSTS)):
            docs = fields["words"]
            for has, name in zip(inside, _BOOSTS, strict=True):
                docs &= fields[name] if has else ~fields[name]
            weight = 1 + sum(b for has, b in zip(inside, _BOOSTS.values(), strict=True) if has)
            classes += [(weight, docs)] if docs else []
        self._words[word] = _Word(fields["words"], classes, dict(fields))
        return self._words[word]

    def matches(self, expression: Expression, visible: int, public: int) -> int:
        """The `visible` docs a CKAN query expression matches; a NOT keeps within `visible`, and
        `public` ones are those in state "active" (in a member's search, the rest are "draft")."""
        if isinstance(expression, All):
            return visible
        if isinstance(expression, Words):
            found = visible
            for word in terms(expression.text):
                found &= self.word_in(word, expression.field)
            return found
        if isinstance(expression, Phrase):
            return self.phrase(expression.words, expression.field) & visible
        if isinstance(expression, Field) and expression.name == "state":
            return {"active": public, "draft": ~public}.get(expression.value, 0) & visible
        if isinstance(expression, Field):
            return self.exact(expression.name, expression.value) & visible
        if isinstance(expression, Range):
            return self.between(expression) & visible
        if isinstance(expression, And):
            for part in expression.parts:
                visible = self.matches(part, visible, public)
            return visible
        if isinstance(expression, Or | Synonyms):
            parts = expression.parts if isinstance(expression, Or) else expression.alternatives
            return reduce(operator.or_, (self.matches(p, visible, public) for p in parts), 0)
        if isinstance(expression, Not):
            return visible & ~self.matches(expression.part, visible, public)
        assert_never(expression)

    def exact(self, name: str, value: str) -> int:
        """Docs with this value of a facet, or this URL name or id."""
        if name in self.facets:
            return self.facets[name].get(value, 0)
        if name not in self._exact:
            column = self.ids if name == "id" else [v.decode() for v in self.key("url_name")]
            docs: dict[str, list[int]] = defaultdict(list)
            for d, held in enumerate(column):
                docs[held].append(d)
            self._exact[name] = docs
        return _mask(self._exact[name].get(value, []), self.size)

    def between(self, span: Range) -> int:
        """Docs whose time (modified or created) falls in the range."""
        if span.name not in self._times:
            runs = [(seg.times[span.name], offset) for seg, _, offset in self._leaves]
            pairs = sorted((t, d + offset) for ts, offset in runs for d, t in enumerate(ts))
            self._times[span.name] = ([t for t, _ in pairs], [d for _, d in pairs])
        times, docs = self._times[span.name]
        low = bisect_left(times, _micros(span.low)) if span.low else 0
        if span.low and not span.include_low:
            low = bisect_right(times, _micros(span.low))
        high = bisect_right(times, _micros(span.high)) if span.high else len(times)
        if span.high and not span.include_high:
            high = bisect_left(times, _micros(span.high))
        return _mask(docs[low:high], self.size)

    def word_in(self, word: str, field: str | None) -> int:
        """Docs holding the word in a field: anywhere or in the title by their postings, in
        the notes by their stored text (as a stem, or a stem it begins)."""
        if field != "notes":
            return self.word(word).fields[field or "words"]
        key = ("word", (word,), field)
        if key not in self._checked:
            root = stem(word)
            found = self._stored(
                self.word(word).mask,
                _PARTS[field],
                lambda text: any(s == root or s.startswith(word) for s in text.split()),
            )
            self._keep(key, found)
        return self._checked[key]

    def phrase(self, words: tuple[str, ...], field: str | None) -> int:
        """Docs with the words side by side, in order, in the field's text (None: in any)."""
        key = ("phrase", words, field)
        if key not in self._checked:
            text, candidates = " ".join(words), self.live
            for word in terms(text):  # then each part of their texts is checked
                candidates &= self.word(word).mask
            wanted = f" {stems(text)} "
            if terms(text):  # a phrase of only stop words asks for nothing, as a word would
                part = _PARTS.get(field or "")
                candidates = self._stored(candidates, part, lambda t: wanted in f" {t} ")
            self._keep(key, candidates)
        return self._checked[key]

    def _keep(self, key: tuple[str, tuple[str, ...], str | None], docs: int) -> None:
        if len(self._checked) >= _WORD_CACHE:
            self._checked.clear()
        self._checked[key] = docs

    def _stored(self, candidates: int, part: int | None, holds: Callable[[str], bool]) -> int:
        """The candidates whose stored texts (or only the `part`-th) one `holds` is true of."""
        found = []
        for seg, leaf, offset in self._leaves:
            texts = leaf.column_reader("phrases")
            for d in _bits(candidates >> offset & (1 << seg.size) - 1):
                held = texts[d].decode().split("\n")
                if any(holds(t) for t in (held if part is None else held[part:][:1])):
                    found.append(d + offset)
        return _mask(found, self.size)

    def matching(self, words: list[str], within: int) -> int:
        for word in words:
            within &= self.word(word).mask
        return within

    def facet_counts(self, selected: int) -> dict[str, list[FacetCount]]:
        """Counts over the whole result set; a repeated set (the landing page) hits the cache."""
        if selected not in self._facet_counts:
            if len(self._facet_counts) >= _FACET_CACHE:
                self._facet_counts.clear()
            counts = {name: _counts(masks, selected) for name, masks in self.facets.items()}
            self._facet_counts[selected] = counts
        return self._facet_counts[selected]

    def page(
        self, sort: str, words: list[str], mask: int, start: int, end: int, public: int
    ) -> list[int]:
        """Docs past the page's end are never put in order; `public` docs weigh the words."""
        total = mask.bit_count()
        if start >= total:
            return []
        if sort == "relevance" and words:
            return self._ranked(words, mask, end, public)[start:]
        key, descending = _ORDERS[sort]
        return self._take(key, mask, total, end, descending)[start:]

    def _take(
        self, key: str, mask: int, count: int, end: int, descending: bool = False
    ) -> list[int]:
        """The first `end` docs of mask in a stored order, by whichever way touches fewer docs.
        Either way equal keys keep one order (by docnum, or its reverse), so pages never skip."""
        if end * self.size < count * count:
            bits = mask.to_bytes((self.size >> 3) + 1, "little")
            order = reversed(self.order(key)) if descending else self.order(key)
            return list(islice((d for d in order if bits[d >> 3] >> (d & 7) & 1), end))
        docs = _bits(mask)[::-1] if descending else _bits(mask)
        return sorted(docs, key=self.key(key).__getitem__, reverse=descending)[:end]

    def _ranked(self, words: list[str], mask: int, end: int, public: int) -> list[int]:
        """Docs grouped into tiers of equal score, best first; each tier newest first. A word's
        rarity is counted among public docs only: what is hidden cannot change the order."""
        tiers, size = {0.0: mask}, public.bit_count()
        for word in words[:RANK_WORDS]:
            info = self.word(word)
            scored: defaultdict[float, int] = defaultdict(int)
            weight = rarity(size, (info.mask & public).bit_count())
            for score, docs in tiers.items():
                for boost, holders in info.classes:
                    if both := docs & holders:
                        scored[round(score + weight * boost, 9)] |= both
                if without := docs & ~info.mask:  # matched by an OR's other words
                    scored[score] |= without
            tiers = scored
        found: list[int] = []
        for _, docs in sorted(tiers.items(), reverse=True):
            found += self._take("updated", docs, docs.bit_count(), end - len(found))
            if len(found) >= end:
                break
        return found

    def suggest(self, words: list[str], visible: int) -> str | None:
        """The query with near spellings that are far commoner among visible docs, if it helps."""
        fixed = [self._respell(word, visible) for word in words]
        if fixed == words:
            return None
        gain = self.matching(fixed, visible).bit_count() - self.matching(words, visible).bit_count()
        return " ".join(fixed) if gain > 0 else None

    def _respell(self, word: str, visible: int) -> str:
        """Only visible docs vote, so a draft's vocabulary never leaks into a suggestion."""
        maxdist, leaves = max_distance(word), self.searcher.reader().leaf_readers()
        if not maxdist:
            return word
        near = {t for r, _ in leaves for t in r.terms_within("words", word, maxdist, prefix=1)}
        counts = {term: (self.word(term).mask & visible).bit_count() for term in near}
        return respelling(word, (self.word(word).mask & visible).bit_count(), counts)


@contextmanager
def _committing(writer: writing.IndexWriter, mergetype=None) -> Iterator[writing.IndexWriter]:
    """Commit what the block wrote, or cancel it; either way give the index lock back.

    Whoosh's own `with writer:` keeps the lock when the commit itself fails (a full disk),
    and every later write would then wait for it until the process restarted. The index
    stays readable: a failed commit never replaces the table of contents."""
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    try:
        writer.commit(mergetype=mergetype)
    except BaseException:
        writer.writelock.release()
        raise


class WhooshBackend:
    """A Whoosh index in a folder; one lock for the writer, one for the shared searcher."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        exists = index.exists_in(str(path))
        self._ix = index.open_dir(str(path)) if exists else index.create_in(str(path), _schema())
        self.rebuild_needed = set(self._ix.schema.names()) != set(_schema().names())
        if self.rebuild_needed:
            log.warning(
                "The search index was made by an older version: `opendata init` rebuilds it"
            )
            self._ix = index.create_in(str(path), _schema())
        self._write_lock, self._read_lock = threading.Lock(), threading.Lock()
        self._generation: _Generation | None = None
        self._segments: dict[str, _Segment] = {}

    def index(self, doc: SearchDocument) -> None:
        self.index_many([doc])

    def index_many(self, docs: list[SearchDocument]) -> None:
        """One writer, one commit; into an empty index plain adds skip the delete-by-id lookups.
        One process: forking Whoosh workers from a threaded web app risks deadlocks, and on two
        cores it saved only a quarter of the time."""
        latest = {doc.id: doc for doc in docs}
        if not latest:
            return
        with self._write_lock:
            writer = self._ix.writer(limitmb=256, timeout=_LOCK_WAIT)
            add = writer.add_document if self._ix.is_empty() else writer.update_document
            with _committing(writer):
                for doc in latest.values():
                    add(**_fields(doc))

    def remove(self, id: str) -> None:
        with self._write_lock, _committing(self._ix.writer(timeout=_LOCK_WAIT)) as writer:
            writer.delete_by_term("id", id)

    def clear(self) -> None:
        with self._write_lock, _committing(self._ix.writer(timeout=_LOCK_WAIT), writing.CLEAR):
            pass
        self.rebuild_needed = False

    def search(self, query: SearchQuery) -> SearchResults:
        """Whoosh readers share file positions, so searches take turns on the one searcher."""
        with self._read_lock:
            gen = self._current()
            now = _micros(query.now or datetime.now(UTC))
            public = gen.visible_at(now)
            visible = gen.live if query.include_unpublished else public
            words = query_words(query.text) if gen.size else []
            selected = gen.matching(words, visible)
            for name, values in query.filters.items():
                for value in values if name in FACETS else ():
                    selected &= gen.facets[name].get(value, 0)
            ranking = words
            if query.expression is not None:
                selected = gen.matches(query.expression, selected, public)
                ranking = list(dict.fromkeys([*words, *ranking_words(query.expression)]))
            per_page = max(1, query.per_page)
            start = (max(1, query.page) - 1) * per_page
            sort = query.sort if query.sort in SORTS else "relevance"
            found = gen.page(sort, ranking, selected, start, start + per_page, public)
            ids = [gen.ids[d] for d in found]
            total = selected.bit_count()
            fix = gen.suggest(words, visible) if words and total < FEW else None
            stale = tuple(gen.ids[d] for d in _bits(gen.stale_at(now)))
            return SearchResults(ids, total, gen.facet_counts(selected), fix, stale)

    def _current(self) -> _Generation:
        """The open searcher, replaced once a commit lands. Not with `Searcher.refresh()`: the
        readers it recycles keep their old deletions and even segments the commit retired."""
        old = self._generation
        if old is None or not old.searcher.up_to_date():
            if old:
                old.searcher.close()
            searcher = self._ix.searcher()
            leaves = [leaf for leaf, _ in searcher.reader().leaf_readers() if leaf.segment()]
            known = {leaf.segment().segment_id(): leaf for leaf in leaves}
            self._segments = {k: self._segments.get(k) or _Segment(v) for k, v in known.items()}
            self._generation = old = _Generation(searcher, self._segments)
        return old
