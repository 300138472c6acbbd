"""Search in the catalogue's own PostgreSQL database, for deployments that run one.

Each document is a row of `search_entry` (`catalog.models.search`), written through the session
of the change it indexes (`write`, called by `sync.py` before the commit), so the search can
never be behind the catalogue and a crash leaves nothing to rebuild. Text is matched through
a GIN index on a weighted `tsvector` built as `analysis.py` reads text, and ranked by its
match score (rarity counted among public entries only), so both backends find, count and order
the same documents. Facet values are one GIN-indexed array, counted in one pass. "Did you mean"
looks near spellings up among every word indexed (`search_word`, by pg_trgm), then counts them
only among what the searcher may see. Every write gives `search_generation` a new token in its
transaction, so an answer remembered for a token and the last release time passed is exactly
what the search would find again. Datetimes are stored naive in UTC: aware values are
converted, naive ones taken to be UTC.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Numeric,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import TSVECTOR, insert
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import SearchEntry, SearchGeneration, SearchWord
from catalog.search import FACETS, SORTS, FacetCount, SearchDocument, SearchQuery, SearchResults
from catalog.search.analysis import (
    FEW,
    KEYWORDS_BOOST,
    RANK_WORDS,
    TITLE_BOOST,
    max_distance,
    near,
    query_words,
    ranking_words,
    rarity,
)
from catalog.search.analysis import respelling as respelled
from catalog.search.postgres_expressions import (
    E,
    condition,
    facet_value,
    has_value,
    has_words,
    matches,
)
from catalog.search.postgres_words import KEYWORDS, LONGEST, TITLE, vector, word_query

_ORDER = "search_entry_order"  # the sequence of migration 0013
_BATCH = 1000  # rows an INSERT; PostgreSQL takes at most 65,535 values a statement
_NEAR = 50  # nearest words by trigrams a misspelt word is compared with
_T = TypeVar("_T")
_ANSWERS = 512  # counts, and pages, remembered per process
_PAGE_REMEMBERED = 100  # hits in an answer remembered (a member's search asks for 10,000)
_TOTAL = ""  # what the facet query counts every result under, besides its facet values
_KEYS = {  # a sort -> what it orders by, and whether Whoosh reads that order backwards (so
    # ties come last written first); see whoosh_backend's _ORDERS
    "updated": (E.updated_at.desc(), False),
    "updated_asc": (E.updated_at, True),
    "created": (E.created_at.desc(), False),
    "created_asc": (E.created_at, True),
    "name": (E.title_key.collate("C"), False),
    "name_desc": (E.title_key.collate("C").desc(), True),
    "id": (E.id.collate("C"), False),
    "url_name": (E.name.collate("C"), False),
}


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _facets_of(doc: SearchDocument) -> list[str]:
    """The document's facet values, each as "facet:value" (see `facet_value`)."""
    held = [
        (doc.organisation,),
        doc.topics,
        doc.tags,
        doc.formats,
        (doc.licence,),
        (doc.frequency,),
    ]
    pairs = {
        facet_value(name, value.strip())
        for name, values in zip(FACETS, held, strict=True)
        for value in values
        if value and value.strip()
    }
    return sorted(pairs)


def _row(doc: SearchDocument) -> tuple[dict[str, object], set[str]]:
    lexemes, words = vector(doc)
    return {
        "id": doc.id,
        "seq": func.nextval(_ORDER),
        "name": doc.name,
        "title": doc.title,
        "title_key": doc.title.casefold(),
        "released_at": _utc(doc.released_at),
        "updated_at": _utc(doc.updated_at),
        "created_at": _utc(doc.created_at or doc.updated_at),
        "holds_from": _utc(doc.holds_from),
        "holds_until": _utc(doc.holds_until),
        "facets": _facets_of(doc),
        "text": cast(literal(lexemes), TSVECTOR),
    }, words


def _chunks(rows: list, size: int) -> list[list]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def _write(connection: Connection, docs: list[SearchDocument], removed: Iterable[str]) -> None:
    """Upsert the documents (a later one of the same id wins) and delete the removed ones."""
    latest = {doc.id: doc for doc in docs}
    rows, words = [], set()
    for doc in latest.values():
        row, held = _row(doc)
        rows.append(row)
        words |= held
    entries = insert(SearchEntry)
    for batch in _chunks(rows, _BATCH):
        replaced = {c: entries.excluded[c] for c in batch[0] if c != "id"}
        connection.execute(
            entries.values(batch).on_conflict_do_update(index_elements=["id"], set_=replaced)
        )
    for some in _chunks(sorted(words), _BATCH * 10):  # sorted: writers lock words in one order
        connection.execute(
            insert(SearchWord).values([{"word": w} for w in some]).on_conflict_do_nothing()
        )
    if gone := list(removed):
        connection.execute(delete(SearchEntry).where(E.id.in_(gone)))
    if len(rows) >= _BATCH:  # a rebuild: the planner's statistics would lead it astray
        connection.execute(text("ANALYZE search_entry, search_word"))
    _changed(connection)


def _changed(connection: Connection) -> None:
    """A new generation token, committed or rolled back with the change it marks."""
    token = insert(SearchGeneration).values(id=1, token=str(uuid.uuid4()))
    connection.execute(token.on_conflict_do_update(index_elements=["id"], set_=token.excluded))


class PostgresBackend:
    """Search entries in the catalogue's PostgreSQL database, reached through `engine`."""

    rebuild_needed = False  # the migrations keep the tables up to date

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._counted: dict[tuple, tuple[int, dict[str, list[FacetCount]], str | None]] = {}
        self._pages: dict[tuple, list[str]] = {}

    def write(
        self,
        session: Session,
        documents: list[SearchDocument],
        removed: Iterable[str] = (),
        *,
        everything: bool = False,
    ) -> None:
        """Write in the session's transaction: committed, or rolled back, with the change.
        `everything`: these are all the documents there are; any other is deleted."""
        connection = session.connection()
        if everything:
            _clear(connection)
        _write(connection, documents, removed)

    def index(self, doc: SearchDocument) -> None:
        self.index_many([doc])

    def index_many(self, docs: list[SearchDocument]) -> None:
        with self._engine.begin() as connection:
            _write(connection, docs, ())

    def remove(self, id: str) -> None:
        with self._engine.begin() as connection:
            _write(connection, [], [id])

    def clear(self) -> None:
        with self._engine.begin() as connection:
            _clear(connection)

    def search(self, query: SearchQuery) -> SearchResults:
        """One snapshot of the entries answers the whole search. An answer is remembered for
        the entries' generation and the last release time passed, so a repeated search (the
        landing page) costs two small lookups; only which entries no longer hold is always
        asked afresh, as it moves with the clock. The counts are remembered apart from the
        pages, so the next page or another sort counts nothing again."""
        now = _utc(query.now) or utcnow()
        with self._engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            generation, released = connection.execute(
                select(
                    select(SearchGeneration.token).scalar_subquery(),
                    select(func.max(E.released_at)).where(E.released_at <= now).scalar_subquery(),
                )
            ).one()
            found = (generation, released, *_asked(query))
            counted = self._counted.get(found)
            if counted is None:
                counted = _remember(self._counted, found, _count(connection, query, released))
            shown = (*found, query.sort, query.page, query.per_page)
            ids = self._pages.get(shown)
            if ids is None:
                ids = _page(connection, query, released)
                if len(ids) <= _PAGE_REMEMBERED:
                    _remember(self._pages, shown, ids)
            late = or_(E.holds_from > now, E.holds_until <= now)
            stale = connection.scalars(select(E.id).where(_public(now), late).order_by(E.seq))
            total, facets, suggestion = counted
            return SearchResults(ids, total, facets, suggestion, tuple(stale))


def _remember(memory: dict[tuple, _T], key: tuple, value: _T) -> _T:
    if len(memory) >= _ANSWERS:
        memory.clear()
    memory[key] = value
    return value


def _asked(query: SearchQuery) -> tuple:
    """What of a query decides which entries it finds, besides the time (see `search`)."""
    filters = tuple(sorted((name, tuple(values)) for name, values in query.filters.items()))
    return (query.text, filters, query.expression, query.include_unpublished)


def _public(moment: datetime | None) -> ColumnElement[bool]:
    if moment is None:
        return false()
    return and_(E.released_at.is_not(None), E.released_at <= moment)


class _Asked(NamedTuple):
    selected: ColumnElement[bool]
    words: list[str]  # the typed words
    ranking: list[str]  # the words that rank the results
    public: ColumnElement[bool]
    visible: ColumnElement[bool]


def _read(query: SearchQuery, released: datetime | None) -> _Asked:
    """The query as conditions on the entries released by `released` (the last release time
    passed: the same entries as by the query's time, so an answer holds until the next)."""
    public = _public(released)
    visible = true() if query.include_unpublished else public
    words = query_words(query.text)
    wanted = [visible, has_words(words)]
    for name, values in query.filters.items():
        wanted += [has_value(name, value) for value in values if name in FACETS]
    ranking = words
    if query.expression is not None:
        wanted.append(condition(query.expression, public))
        ranking = list(dict.fromkeys([*words, *ranking_words(query.expression)]))
    return _Asked(and_(*wanted), words, ranking, public, visible)


def _count(
    connection: Connection, query: SearchQuery, released: datetime | None
) -> tuple[int, dict[str, list[FacetCount]], str | None]:
    """How many entries the query finds, their facet counts, and a "did you mean"."""
    asked = _read(query, released)
    total, facets = _facets(connection, asked.selected)
    fix = _suggest(connection, asked.words, asked.visible) if asked.words and total < FEW else None
    return total, facets, fix


def _page(connection: Connection, query: SearchQuery, released: datetime | None) -> list[str]:
    asked = _read(query, released)
    per_page = max(1, query.per_page)
    sort = query.sort if query.sort in SORTS else "relevance"
    order = _order(connection, sort, asked.ranking, asked.public)
    page = select(E.id).where(asked.selected).order_by(*order)
    page = page.offset((max(1, query.page) - 1) * per_page).limit(per_page)
    return list(connection.scalars(page))


def _clear(connection: Connection) -> None:
    connection.execute(delete(SearchEntry))
    connection.execute(delete(SearchWord))
    _changed(connection)


def _order(
    connection: Connection, sort: str, ranking: list[str], public: ColumnElement[bool]
) -> list[ColumnElement]:
    """Equal keys keep the order entries were written in (reversed when descending), as
    Whoosh keeps its document order, so every page size pages alike."""
    if sort != "relevance":
        key, backwards = _KEYS[sort]
        return [key, E.seq.desc() if backwards else E.seq]
    newest = [E.updated_at.desc(), E.seq]
    words = [w for w in ranking if word_query(w) is not None][:RANK_WORDS]
    if not words:
        return newest
    return [_score(connection, words, public).desc(), *newest]


def _score(connection: Connection, words: list[str], public: ColumnElement[bool]) -> ColumnElement:
    """The match score of `analysis.py`, each word weighed by its rarity among public entries
    only, rounded as the Whoosh backend rounds it so both make the same tiers."""
    holding = [func.count().filter(matches(word_query(word))) for word in words]
    size, *counts = connection.execute(select(func.count(), *holding).where(public)).one()
    score: ColumnElement = literal(0.0)
    for word, count in zip(words, counts, strict=True):
        weight = rarity(size, count)
        boost = (
            literal(1.0)
            + case((matches(word_query(word, TITLE)), TITLE_BOOST), else_=0.0)
            + case((matches(word_query(word, KEYWORDS)), KEYWORDS_BOOST), else_=0.0)
        )
        score = score + case((matches(word_query(word)), boost * weight), else_=0.0)
    return func.round(cast(score, Numeric), 9)


def _facets(
    connection: Connection, selected: ColumnElement[bool]
) -> tuple[int, dict[str, list[FacetCount]]]:
    """The number of results and every facet's counts over them, in one pass: each result
    counts once under "" (the total) and once under each of its facet values."""
    value = func.unnest(func.array_append(E.facets, _TOTAL)).label("value")
    held = select(value).where(selected).subquery()
    counted = select(held.c.value, func.count()).group_by(held.c.value)
    counts: dict[str, list[tuple[int, str]]] = {name: [] for name in FACETS}
    total = 0
    for pair, count in connection.execute(counted):
        name, _, value = pair.partition(":")
        if pair == _TOTAL:
            total = count
        elif name in counts:
            counts[name].append((-count, value))
    return total, {
        name: [FacetCount(value, -negative) for negative, value in sorted(pairs)]
        for name, pairs in counts.items()
    }


def _suggest(connection: Connection, words: list[str], visible: ColumnElement[bool]) -> str | None:
    """The query with near spellings far commoner among visible entries, if that finds more.
    Only visible entries are counted, so a draft's words are never suggested."""
    candidates = {word: _near_words(connection, word) for word in words}
    asked = {word: word_query(word) for words in candidates.values() for word in words}
    asked.update({word: word_query(word) for word in words})
    counts = _counts(connection, asked, visible)
    fixed = [
        respelled(word, counts[word], {t: counts[t] for t in candidates[word]}) for word in words
    ]
    if fixed == words:
        return None
    totals = _counts(connection, {"fixed": _all(fixed), "typed": _all(words)}, visible)
    return " ".join(fixed) if totals["fixed"] > totals["typed"] else None


def _near_words(connection: Connection, word: str) -> list[str]:
    if not max_distance(word) or len(word) > LONGEST:
        return []
    nearest = (
        select(SearchWord.word)
        .where(SearchWord.word.startswith(word[0], autoescape=True), SearchWord.word != word)
        .order_by(SearchWord.word.op("<->")(word))
        .limit(_NEAR)
    )
    return near(word, list(connection.scalars(nearest)))


def _all(words: list[str]) -> str | None:
    queries = [word_query(word) for word in words]
    return None if None in queries else " & ".join(f"({q})" for q in queries)


def _counts(
    connection: Connection, queries: dict[str, str | None], visible: ColumnElement[bool]
) -> dict[str, int]:
    """How many visible entries match each `tsquery`, in one pass over the entries."""
    named = list(queries.items())
    columns = [func.count().filter(matches(q)) for _, q in named]
    found = or_(*(matches(q) for _, q in named))
    row = connection.execute(select(*columns).where(visible, found)).one()
    return {name: count for (name, _), count in zip(named, row, strict=True)}
